import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bufferParts, PartPool, streamParts, type Part } from "../src/s3/parts";
import { s3Client } from "../src/s3/client";
import { MIB, putVaultObject } from "../src/s3/upload";
import { useTestAwsEnvironment } from "./support/jobs";
import { isUploadPart, TestS3 } from "./support/s3";
import { listKeys, readObject } from "./support/vault";

/** A stream of `body` in chunks of the given sizes, cycling through them. */
function chunked(body: Buffer, sizes: readonly number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(body.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

/** Every part, released as soon as it is seen. */
async function collect(parts: AsyncIterable<Part> | Iterable<Part>): Promise<{ sizes: number[]; lasts: boolean[]; bytes: Buffer }> {
  const sizes: number[] = [];
  const lasts: boolean[] = [];
  const copies: Buffer[] = [];
  for await (const part of parts) {
    sizes.push(part.data.length);
    lasts.push(part.last);
    copies.push(Buffer.from(part.data));
    part.release();
  }
  return { sizes, lasts, bytes: Buffer.concat(copies) };
}

describe("the parts of a stream", () => {
  it("are partSize bytes each but the last, which alone is marked last, whatever the chunk sizes", async () => {
    const body = randomBytes(10_000 + 1234);
    const pool = new PartPool(1000, 2);

    const { sizes, lasts, bytes } = await collect(streamParts(chunked(body, [1, 999, 4096, 7, 1000, 333]), pool));

    expect(sizes).toEqual([...Array(11).fill(1000), 234]);
    expect(lasts).toEqual([...Array(11).fill(false), true]);
    expect(bytes.equals(body)).toBe(true);
  });

  it("end with a full part marked last when the stream ends on a part boundary", async () => {
    const body = randomBytes(3000);
    const pool = new PartPool(1000, 2);

    const { sizes, lasts, bytes } = await collect(streamParts(chunked(body, [512]), pool));

    expect(sizes).toEqual([1000, 1000, 1000]);
    expect(lasts).toEqual([false, false, true]);
    expect(bytes.equals(body)).toBe(true);
  });

  it("are one part, handed out as received, without a part buffer, when the stream fits in one part", async () => {
    const body = randomBytes(1000);
    const pool = new PartPool(1000, 2);

    const { sizes, lasts, bytes } = await collect(streamParts(chunked(body, [300]), pool));

    expect(sizes).toEqual([1000]);
    expect(lasts).toEqual([true]);
    expect(bytes.equals(body)).toBe(true);
    expect(pool.size).toBe(0);
  });

  it("are one empty part marked last when the stream is empty", async () => {
    const { sizes, lasts } = await collect(streamParts(Readable.from([], { objectMode: false }), new PartPool(1000, 2)));

    expect(sizes).toEqual([0]);
    expect(lasts).toEqual([true]);
  });

  it("reuse the pool's buffers, never allocating more than its capacity, and wait for a release when all are in use", async () => {
    const pool = new PartPool(1000, 2);
    const parts = streamParts(chunked(randomBytes(6500), [700]), pool);

    const first = (await parts.next()).value as Part;
    const second = (await parts.next()).value as Part;
    const third = parts.next();
    let thirdSettled = false;
    void third.then(() => (thirdSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(pool.size).toBe(2);
    expect(thirdSettled).toBe(false);
    first.release();
    const thirdPart = (await third).value as Part;
    expect(thirdPart.data.buffer).toBe(first.data.buffer);
    second.release();
    thirdPart.release();
    const rest = await collect(parts);
    expect(rest.sizes).toEqual([1000, 1000, 1000, 500]);
    expect(pool.size).toBe(2);
  });

  it("fail when the pool is closed while they wait for a buffer", async () => {
    const pool = new PartPool(1000, 1);
    const parts = streamParts(chunked(randomBytes(3000), [1000]), pool);
    await parts.next();

    const waiting = parts.next();
    pool.close(new Error("the upload failed"));

    await expect(waiting).rejects.toThrow("the upload failed");
  });
});

describe("the parts of a buffer", () => {
  it("are views of it, nothing copied, the last one marked", () => {
    const body = randomBytes(2500);

    const parts = [...bufferParts(body, 1000)];

    expect(parts.map((p) => [p.data.length, p.last])).toEqual([
      [1000, false],
      [1000, false],
      [500, true],
    ]);
    for (const p of parts) expect(p.data.buffer).toBe(body.buffer);
  });

  it("are one empty part marked last for an empty buffer", () => {
    expect([...bufferParts(Buffer.alloc(0), 1000)].map((p) => [p.data.length, p.last])).toEqual([[0, true]]);
  });
});

describe("an upload into the vault", () => {
  let s3: TestS3;
  const client = () => s3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, checksums: "when-required", maxAttempts: 2 });

  beforeAll(async () => {
    useTestAwsEnvironment();
    s3 = await TestS3.start(["vault"]);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  beforeEach(() => {
    s3.requests.length = 0;
    s3.clearFaults();
  });

  it("stores a stream of several parts byte for byte, in parts of partSize", async () => {
    const body = randomBytes(12 * MIB + 3);
    const progress: number[] = [];

    await putVaultObject(client(), { bucket: "vault", key: "multi.bin", body: chunked(body, [65536, 1000]), contentType: "application/octet-stream", partSize: 5 * MIB, queueSize: 2, onProgress: (b) => progress.push(b) });

    expect((await readObject(s3.directClient(), "vault", "multi.bin")).equals(body)).toBe(true);
    const parts = s3.requests.filter(isUploadPart);
    expect(parts.map((r) => Number(r.query.get("partNumber"))).sort()).toEqual([1, 2, 3]);
    expect(parts.map((r) => Number(r.headers["content-length"])).sort((a, b) => a - b)).toEqual([2 * MIB + 3, 5 * MIB, 5 * MIB]);
    expect(progress.at(-1)).toBe(body.length);
    expect(s3.unfinishedUploads("vault")).toEqual([]);
  });

  it("stores a stream that fits in one part with a single PutObject", async () => {
    const body = randomBytes(5 * MIB);

    await putVaultObject(client(), { bucket: "vault", key: "single.bin", body: chunked(body, [65536]), contentType: "application/octet-stream", partSize: 5 * MIB });

    expect((await readObject(s3.directClient(), "vault", "single.bin")).equals(body)).toBe(true);
    expect(s3.requests.map((r) => [r.method, r.query.has("uploads") || r.query.has("uploadId")])).toEqual([["PUT", false]]);
  });

  it("stops reading the stream when a part fails for good, aborts the upload and stores nothing", async () => {
    let read = 0;
    const endless = new Readable({
      read() {
        read += 65536;
        this.push(Buffer.alloc(65536, 1));
      },
    });
    s3.failNext(isUploadPart, 1_000, 500);

    const upload = putVaultObject(client(), { bucket: "vault", key: "endless.bin", body: endless, contentType: "application/octet-stream", partSize: 5 * MIB, queueSize: 2 });

    await expect(upload).rejects.toThrow(/Uploading s3:\/\/vault\/endless\.bin failed: .*HTTP 500.*The multipart upload was aborted; nothing was stored\./);
    expect(endless.destroyed).toBe(true);
    // The parts in flight and the one being filled, and what the streams buffer: nothing more is read.
    expect(read).toBeLessThan(4 * 5 * MIB);
    expect(await listKeys(s3.directClient(), "vault", "endless")).toEqual([]);
    expect(s3.unfinishedUploads("vault")).toEqual([]);
  });

  it("tries a failing abort exactly as often as the client's maxAttempts, not a retry loop around the client's retries", async () => {
    const isAbort = (r: { method: string; query: URLSearchParams }) => r.method === "DELETE" && r.query.has("uploadId");
    s3.failNext(isUploadPart, 1_000, 500);
    s3.failNext(isAbort, 1_000, 500);

    const upload = putVaultObject(client(), { bucket: "vault", key: "unabortable.bin", body: chunked(randomBytes(12 * MIB), [65536]), contentType: "application/octet-stream", partSize: 5 * MIB, queueSize: 2 });

    await expect(upload).rejects.toThrow(/Aborting multipart upload .* failed too/);
    expect(s3.requests.filter(isAbort)).toHaveLength(2);
    expect(new Set(s3.requests.filter(isUploadPart).map((r) => r.query.get("partNumber"))).size * 2).toBe(s3.requests.filter(isUploadPart).length);
  });

  it("stores nothing and says so when S3 refuses to start the multipart upload", async () => {
    s3.failNext((r) => r.method === "POST" && r.query.has("uploads"), 1_000, 500);

    const upload = putVaultObject(client(), { bucket: "vault", key: "refused.bin", body: chunked(randomBytes(12 * MIB), [65536]), contentType: "application/octet-stream", partSize: 5 * MIB, queueSize: 2 });

    await expect(upload).rejects.toThrow(/Uploading s3:\/\/vault\/refused\.bin failed: .*HTTP 500.*Nothing was stored\./);
    expect(s3.requests.filter(isUploadPart)).toEqual([]);
    expect(await listKeys(s3.directClient(), "vault", "refused")).toEqual([]);
  });

  it("with the SDK's default checksums, declares CRC32 when it starts the upload and sends one with every part", async () => {
    const body = randomBytes(11 * MIB);
    const withChecksums = s3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, maxAttempts: 2 });

    await putVaultObject(withChecksums, { bucket: "vault", key: "crc.bin", body: chunked(body, [65536]), contentType: "application/octet-stream", partSize: 5 * MIB, queueSize: 2 });

    expect((await readObject(s3.directClient(), "vault", "crc.bin")).equals(body)).toBe(true);
    const create = s3.requests.find((r) => r.method === "POST" && r.query.has("uploads"))!;
    expect(create.headers["x-amz-checksum-algorithm"]).toBe("CRC32");
    const parts = s3.requests.filter(isUploadPart);
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part.headers["x-amz-checksum-crc32"]).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  });
});
