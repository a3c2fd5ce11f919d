import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { TIER_TAG_KEY, type Tier } from "@lifeboat/constructs/core";
import type { Readable } from "node:stream";
import { describeError, JobError } from "../support/errors";
import { bufferParts, PartPool, streamParts, type Part } from "./parts";

/** One object to write into the vault. */
export interface VaultObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: Readable | Buffer;
  readonly contentType: string;
  readonly tier?: Tier;
  /** The vault key's ARN; without it the bucket's default encryption applies. */
  readonly kmsKeyArn?: string;
  readonly metadata?: Record<string, string>;
  /** @default 16 MiB */
  readonly partSize?: number;
  /** Parts uploaded at once. @default 4 */
  readonly queueSize?: number;
  /** Called with the bytes uploaded so far. */
  readonly onProgress?: (bytes: number) => void;
}

export const MIB = 1024 * 1024;

/** S3's limit on the parts of one multipart upload. */
const MAX_PARTS = 10_000;

/** How long a failed upload waits for its requests in flight before it aborts anyway. */
const SETTLE_MS = 60_000;

/**
 * Streams `object.body` into the vault: one `PutObject` when it fits in one part, else an S3
 * multipart upload of `partSize` parts, `queueSize` at once. A stream's parts are copied into
 * `queueSize + 1` buffers, allocated together once the stream outgrows one part and reused from
 * part to part ({@link PartPool}): its memory is `partSize × (queueSize + 1)` from the first part
 * to the last whatever the size, and no part is left for the garbage collector. Encrypted with the vault key and tagged with the tier, both on creation (the
 * `x-amz-tagging` header, atomic on S3) and once complete (`PutObjectTagging`, for S3-compatible
 * servers that ignore the header).
 *
 * On any failure, of the body stream or of a request after the client's retries, the upload stops
 * at once, waits for requests in flight, and aborts the multipart upload (the client retries the abort), so
 * no part is left behind and no object appears. The error names the key, the cause and whether the
 * abort succeeded.
 */
export async function putVaultObject(client: S3Client, object: VaultObject): Promise<void> {
  const partSize = object.partSize ?? 16 * MIB;
  const queueSize = object.queueSize ?? 4;
  const location = `s3://${object.bucket}/${object.key}`;
  const { body } = object;
  const stream = Buffer.isBuffer(body) ? undefined : body;
  const pool = new PartPool(partSize, queueSize + 1);
  const parts: AsyncIterable<Part> | Iterable<Part> = stream ? streamParts(stream, pool) : bufferParts(body as Buffer, partSize);

  const where = { Bucket: object.bucket, Key: object.key };
  const params = {
    ...where,
    ContentType: object.contentType,
    ...(object.tier ? { Tagging: `${TIER_TAG_KEY}=${object.tier}` } : {}),
    ...(object.kmsKeyArn ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: object.kmsKeyArn, BucketKeyEnabled: true } : {}),
    ...(object.metadata ? { Metadata: object.metadata } : {}),
  };
  // As the SDK does by default: with checksums "when supported", every part carries its CRC32 and
  // the completed object records them.
  const checksum = (await client.config.requestChecksumCalculation()) === "WHEN_SUPPORTED" ? { ChecksumAlgorithm: "CRC32" as const } : {};

  let failure: { error: unknown } | undefined;
  let stored = false;
  let uploadId: string | undefined;
  // Started with the first part but not waited for: the stream keeps flowing meanwhile.
  let started: Promise<string> | undefined;
  const inFlight = new Set<Promise<void>>();
  const completedParts: CompletedPart[] = [];
  let uploaded = 0;
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    // Stop at once: no more parts are cut, and a stream waiting for a free buffer gives up now
    // instead of after the rest of the body has been read into parts that would be thrown away.
    pool.close(error);
    stream?.destroy();
  };
  const progress = (bytes: number) => {
    uploaded += bytes;
    object.onProgress?.(uploaded);
  };

  const uploadPart = async (part: Part, partNumber: number) => {
    try {
      const id = await started!;
      if (failure) return;
      const answer = await client.send(new UploadPartCommand({ ...where, UploadId: id, PartNumber: partNumber, Body: part.data, ContentLength: part.data.length, ...checksum }));
      if (!answer.ETag) throw new JobError(`S3 answered part ${partNumber} of ${location} without an ETag.`);
      completedParts.push({
        PartNumber: partNumber,
        ETag: answer.ETag,
        ...(answer.ChecksumCRC32 ? { ChecksumCRC32: answer.ChecksumCRC32 } : {}),
        ...(answer.ChecksumCRC32C ? { ChecksumCRC32C: answer.ChecksumCRC32C } : {}),
        ...(answer.ChecksumSHA1 ? { ChecksumSHA1: answer.ChecksumSHA1 } : {}),
        ...(answer.ChecksumSHA256 ? { ChecksumSHA256: answer.ChecksumSHA256 } : {}),
      });
      progress(part.data.length);
    } catch (error) {
      fail(error);
    } finally {
      part.release();
    }
  };

  try {
    let partNumber = 0;
    for await (const part of parts) {
      if (failure) {
        part.release();
        break;
      }
      if (part.last && partNumber === 0) {
        await client.send(new PutObjectCommand({ ...params, Body: part.data, ContentLength: part.data.length }));
        stored = true;
        progress(part.data.length);
        break;
      }
      if (++partNumber > MAX_PARTS) {
        part.release();
        throw new JobError(`${location} needs more than ${MAX_PARTS} parts of ${partSize / MIB} MiB, S3's limit.`, { hint: "Raise `vault.partSizeMiB`." });
      }
      started ??= client.send(new CreateMultipartUploadCommand({ ...params, ...checksum })).then((answer) => {
        if (answer.UploadId === undefined) throw new JobError(`S3 started the multipart upload of ${location} without an upload id.`);
        return (uploadId = answer.UploadId);
      });
      while (inFlight.size >= queueSize && !failure) await Promise.race(inFlight);
      if (failure) {
        part.release();
        break;
      }
      const sent = uploadPart(part, partNumber);
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    if (uploadId !== undefined) {
      completedParts.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await client.send(new CompleteMultipartUploadCommand({ ...where, UploadId: uploadId, MultipartUpload: { Parts: completedParts } }));
      stored = true;
    }
    if (object.tier) await client.send(new PutObjectTaggingCommand({ ...where, Tagging: { TagSet: [{ Key: TIER_TAG_KEY, Value: object.tier }] } }));
  } catch (error) {
    fail(error);
    const cause = failure!.error;
    // Requests still in flight could land a part after the abort, or start an upload that would
    // never be aborted; let them settle first.
    await Promise.race([Promise.allSettled([...inFlight, started]), new Promise((resolve) => setTimeout(resolve, SETTLE_MS).unref())]);
    if (stored) {
      throw new JobError(`Writing ${location} failed after the object was stored: ${describeError(cause)}.`, {
        cause,
        hint: "It has no manifest, so it is not counted as a backup; verification reports it as incomplete until the lifecycle expires it.",
      });
    }
    if (uploadId === undefined) throw new JobError(`Uploading ${location} failed: ${describeError(cause)}. Nothing was stored.`, { cause });
    try {
      await abortUpload(client, object.bucket, object.key, uploadId);
    } catch (abortError) {
      throw new JobError(
        `Uploading ${location} failed: ${describeError(cause)}. Aborting multipart upload ${uploadId} failed too (${describeError(abortError)}); no object was stored, and the vault's lifecycle rule removes the uploaded parts.`,
        { cause },
      );
    }
    throw new JobError(`Uploading ${location} failed: ${describeError(cause)}. The multipart upload was aborted; nothing was stored.`, { cause });
  }
}

/**
 * Aborts a multipart upload; an upload that no longer exists counts as aborted. The client already
 * retries the request (`vault.maxAttempts`, with backoff): a loop here would multiply its attempts.
 */
export async function abortUpload(client: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchUpload") return;
    throw error;
  }
}
