import { GetObjectCommand } from "@aws-sdk/client-s3";
import { objectCopiesPrefix, type ObjectsSourceConfig, type Tier } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { createGzip } from "node:zlib";
import type { JobContext } from "../context";
import { objectCopyKeyFor, sourceClient, type IndexEntry } from "../objects/source";
import { AGE_CONTENT_TYPE, ageCiphertextSizer, encryptStream } from "../support/age";
import { listObjects } from "../s3/catalog";
import { MIB, putVaultObject } from "../s3/upload";
import { describeError, JobError } from "../support/errors";
import { DigestStream } from "../support/streams";
import type { ArtifactProducer } from "./producer";

/** Objects copied at once. */
const COPY_CONCURRENCY = 4;

/**
 * An incremental copy of a bucket (S3 or any S3-compatible endpoint) into the vault. Each version
 * of an object (key, ETag, size) is copied once, to `<source>/objects/`; a version already there is
 * skipped. The artifact is the index of every object seen (JSON lines, gzip), so each backup can be
 * restored as the bucket was, from copies shared between backups. With `vault.encryption`, each copy
 * is encrypted to the recipients as it streams (`<digest>.age`, named by the recipients too).
 */
export async function objectsProducer(job: JobContext, source: ObjectsSourceConfig, _startedAt: Date, _tier: Tier): Promise<ArtifactProducer> {
  const index = job.config.sources.indexOf(source);
  const from = await sourceClient(source, index, job.env, job.config.vault.maxAttempts);
  const { vault } = job.config;
  const gzip = createGzip({ level: 6 });
  const stats = { count: 0, bytes: 0, copied: 0, skipped: 0 };
  let stopped = false;
  const recipients = vault.encryption?.ageRecipients;
  const storedSize = recipients ? await ageCiphertextSizer(recipients) : (plaintextBytes: number) => plaintextBytes;

  const existing = new Map<string, number>();
  for await (const o of listObjects(job.vault, vault.bucket, objectCopiesPrefix(source.name))) existing.set(o.key, o.size);

  const copyOne = async (o: { key: string; size: number; etag?: string; lastModified?: Date }): Promise<IndexEntry> => {
    const etag = o.etag ?? "";
    const copy = objectCopyKeyFor(source.name, { key: o.key, etag, size: o.size }, recipients);
    const entry = { key: o.key, size: o.size, etag, ...(o.lastModified ? { lastModified: o.lastModified.toISOString() } : {}), copy };
    if (existing.get(copy) === storedSize(o.size)) {
      stats.skipped++;
      return entry;
    }
    let body: Readable;
    try {
      const got = await from.send(new GetObjectCommand({ Bucket: source.bucket, Key: o.key, ...(o.etag ? { IfMatch: o.etag } : {}) }));
      body = got.Body as Readable;
    } catch (error) {
      throw new JobError(`Reading s3://${source.bucket}/${o.key} from the source failed: ${describeError(error)}.`, { cause: error });
    }
    // The index records the plaintext's SHA-256, which a restore checks after decrypting.
    const digest = new DigestStream();
    pipeline(body, digest, () => undefined);
    await putVaultObject(job.vault, {
      bucket: vault.bucket,
      key: copy,
      body: recipients ? encryptStream(digest, recipients) : digest,
      contentType: recipients ? AGE_CONTENT_TYPE : "application/octet-stream",
      ...(vault.kmsKeyArn ? { kmsKeyArn: vault.kmsKeyArn } : {}),
      metadata: { "lifeboat-source": source.name, "lifeboat-source-key": encodeURIComponent(o.key).slice(0, 1024) },
      partSize: (vault.partSizeMiB ?? 16) * MIB,
      queueSize: 1,
    });
    if (digest.bytes !== o.size) throw new JobError(`s3://${source.bucket}/${o.key} changed while it was copied (${digest.bytes} bytes read, ${o.size} listed).`, { hint: "Run the backup again." });
    stats.copied++;
    existing.set(copy, storedSize(o.size));
    return { ...entry, sha256: digest.sha256 };
  };

  const run = async () => {
    const pending = new Set<Promise<void>>();
    const errors: unknown[] = [];
    const write = (line: string) => (gzip.write(line) ? Promise.resolve() : new Promise<void>((resolve) => gzip.once("drain", resolve)));
    for await (const o of listObjects(from, source.bucket, source.prefix ?? "")) {
      if (stopped || errors.length) break;
      if (o.key.endsWith("/") && o.size === 0) continue; // folder markers
      stats.count++;
      stats.bytes += o.size;
      const task = copyOne(o).then(
        (entry) => write(`${JSON.stringify(entry)}\n`),
        (error) => void errors.push(error),
      );
      pending.add(task);
      void task.finally(() => pending.delete(task));
      if (pending.size >= COPY_CONCURRENCY) await Promise.race(pending);
    }
    await Promise.all(pending);
    if (errors.length) throw errors[0];
    if (stopped) throw new JobError("The backup was stopped.");
  };

  const done = run();
  done.then(
    () => gzip.end(),
    (error: Error) => gzip.destroy(error instanceof JobError ? error : new JobError(`Copying s3://${source.bucket}/${source.prefix ?? ""} failed: ${describeError(error)}`, { cause: error })),
  );

  return {
    extension: "index.jsonl.gz",
    format: "objects-index",
    compression: "gzip",
    contentType: "application/gzip",
    stream: gzip,
    stop: () => {
      stopped = true;
    },
    details: async () => {
      await done;
      return { tool: { name: "lifeboat-objects", version: "1" }, objects: { ...stats } };
    },
  };
}
