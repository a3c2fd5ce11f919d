import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { JobConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { BUCKET_SOURCE_KEYS, testConfig, testJob, testVault, uploadsSource, useTestAwsEnvironment } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { listKeys, readObject } from "./support/vault";

let s3: TestS3;
let config: JobConfig;
const env = () => ({ ...process.env, ...BUCKET_SOURCE_KEYS });

/** Each key under `prefix` with the SHA-256 of its content. */
async function contents(bucket: string, prefix: string): Promise<Record<string, string>> {
  const direct = s3.directClient();
  const out: Record<string, string> = {};
  for (const key of await listKeys(direct, bucket, prefix)) out[key.slice(prefix.length)] = createHash("sha256").update(await readObject(direct, bucket, key)).digest("hex");
  return out;
}

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault", "uploads", "restored"]);
  const direct = s3.directClient();
  for (let i = 0; i < 30; i++) await direct.send(new PutObjectCommand({ Bucket: "uploads", Key: `media/photo-${i}.bin`, Body: Buffer.alloc(1000 + i * 100, i) }));
  await direct.send(new PutObjectCommand({ Bucket: "uploads", Key: "media/large.bin", Body: Buffer.alloc(7 * 1024 * 1024, 7) }));
  await direct.send(new PutObjectCommand({ Bucket: "uploads", Key: "other/skip-me.txt", Body: "outside the prefix" }));
  config = testConfig({
    vault: testVault(s3),
    sources: [uploadsSource(s3)],
  });
});

afterAll(async () => {
  await s3?.stop();
});

describe("an objects backup", () => {
  it("copies the bucket incrementally, verifies, and restores it as it was", async () => {
    const { job } = testJob(config, env());

    const first = await runBackup(job, "uploads");
    const second = await runBackup(job, "uploads");
    await s3.directClient().send(new PutObjectCommand({ Bucket: "uploads", Key: "media/photo-3.bin", Body: "changed" }));
    const third = await runBackup(job, "uploads");
    const report = await verifySources(job);
    await runRestore(job, { source: "uploads", at: second.manifest.startedAt, target: "s3://restored/copy" });

    expect(first.manifest.objects).toEqual({ count: 31, bytes: 30 * 1000 + 100 * 435 + 7 * 1024 * 1024, copied: 31, skipped: 0 });
    expect(second.manifest.objects).toMatchObject({ count: 31, copied: 0, skipped: 31 });
    expect(third.manifest.objects).toMatchObject({ count: 31, copied: 1, skipped: 30 });
    expect(report.ok).toBe(true);
    // The restore is of the second backup: photo-3 as it was before the change.
    const original = await contents("restored", "copy/");
    expect(Object.keys(original)).toHaveLength(31);
    const before = { ...(await contents("uploads", "")) };
    delete before["other/skip-me.txt"];
    delete before["media/photo-3.bin"];
    for (const [key, sha] of Object.entries(before)) expect(original[key]).toBe(sha);
    expect(original["media/photo-3.bin"]).toBe(createHash("sha256").update(Buffer.alloc(1300, 3)).digest("hex"));
  });

  it("fails verification, naming the object, when a copy is missing", async () => {
    const { job } = testJob(config, env());
    const copies = await listKeys(s3.directClient(), "vault", "uploads/objects/");
    const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
    await s3.directClient().send(new DeleteObjectCommand({ Bucket: "vault", Key: copies[0]! }));

    const report = await verifySources(job);

    const restorability = report.sources[0]!.checks.find((c) => c.check === "restorability")!;
    expect(restorability.status).toBe("fail");
    expect(restorability.detail).toContain(`(${copies[0]}) is missing`);
  });

  it("refuses to restore into a prefix that already holds objects", async () => {
    await s3.directClient().send(new CreateBucketCommand({ Bucket: "busy" })).catch(() => undefined);
    await s3.directClient().send(new PutObjectCommand({ Bucket: "busy", Key: "x", Body: "x" }));
    const { job } = testJob(config, env());

    await expect(runRestore(job, { source: "uploads", at: "latest", target: "s3://busy" })).rejects.toThrow(/already holds objects/);
  });
});
