import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { TIER_TAG_KEY, type Tier } from "@lifeboat/constructs/core";
import type { Readable } from "node:stream";
import { describeError, JobError } from "../support/errors";
import { withRetries } from "../support/retry";

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
  /** @default 4 */
  readonly queueSize?: number;
  /** Called with the bytes uploaded so far. */
  readonly onProgress?: (bytes: number) => void;
}

export const MIB = 1024 * 1024;

/** Commands whose failure dooms the upload. */
const UPLOAD_COMMANDS = [CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, PutObjectCommand, PutObjectTaggingCommand];

/**
 * Streams `object.body` into the vault with an S3 multipart upload (`@aws-sdk/lib-storage`):
 * memory stays at about `partSize × (queueSize + 1)` whatever the size. Encrypted with the vault key
 * and tagged with the tier, both on creation (the `x-amz-tagging` header, atomic on S3) and once
 * complete (`PutObjectTagging`, for S3-compatible servers that ignore the header).
 *
 * On any failure, of the body stream or of a request after the client's retries, the upload stops
 * at once, waits for requests in flight, and aborts the multipart upload (retrying the abort), so
 * no part is left behind and no object appears. The error names the key, the cause and whether the
 * abort succeeded.
 */
export async function putVaultObject(client: S3Client, object: VaultObject): Promise<void> {
  const failures: unknown[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let completed = false;
  let upload: Upload | undefined;

  // Watch every request the upload makes: the first permanent failure stops it at once, instead of
  // after lib-storage has drained the rest of the stream into parts that will be thrown away.
  const watched = new Proxy(client, {
    get(target, property) {
      if (property !== "send") return Reflect.get(target, property);
      return (command: unknown, ...rest: unknown[]) => {
        const sent = (target.send as (...args: unknown[]) => Promise<unknown>).call(target, command, ...rest);
        inFlight.add(sent);
        sent.then(
          () => {
            inFlight.delete(sent);
            if (command instanceof CompleteMultipartUploadCommand || command instanceof PutObjectCommand) completed = true;
          },
          (error) => {
            inFlight.delete(sent);
            if (UPLOAD_COMMANDS.some((c) => command instanceof c)) {
              failures.push(error);
              void upload?.abort();
            }
          },
        );
        return sent;
      };
    },
  });

  const body = object.body;
  if (!Buffer.isBuffer(body)) {
    body.once("error", (error) => {
      failures.push(error);
    });
  }
  const tags = object.tier ? [{ Key: TIER_TAG_KEY, Value: object.tier }] : [];
  upload = new Upload({
    client: watched,
    queueSize: object.queueSize ?? 4,
    partSize: object.partSize ?? 16 * MIB,
    // Lifeboat aborts itself, after requests in flight have settled, and retries the abort.
    leavePartsOnError: true,
    tags,
    params: {
      Bucket: object.bucket,
      Key: object.key,
      Body: body,
      ContentType: object.contentType,
      ...(tags.length ? { Tagging: `${TIER_TAG_KEY}=${object.tier}` } : {}),
      ...(object.kmsKeyArn ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: object.kmsKeyArn, BucketKeyEnabled: true } : {}),
      ...(object.metadata ? { Metadata: object.metadata } : {}),
    },
  });
  if (object.onProgress) upload.on("httpUploadProgress", (p) => object.onProgress!(p.loaded ?? 0));

  try {
    await upload.done();
  } catch (error) {
    if (!Buffer.isBuffer(body)) body.destroy();
    const cause = failures[0] ?? error;
    // Requests still in flight could land a part after the abort; let them settle first.
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 60_000))]);
    const location = `s3://${object.bucket}/${object.key}`;
    if (completed) {
      throw new JobError(`Writing ${location} failed after the object was stored: ${describeError(cause)}.`, {
        cause,
        hint: "It has no manifest, so it is not counted as a backup; verification reports it as incomplete until the lifecycle expires it.",
      });
    }
    const uploadId = upload.uploadId;
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

/** Aborts a multipart upload, retrying with backoff; an upload that no longer exists counts as aborted. */
export async function abortUpload(client: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  await withRetries(
    async () => {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchUpload") return;
        throw error;
      }
    },
    { attempts: 3, baseMs: 1_000 },
  );
}
