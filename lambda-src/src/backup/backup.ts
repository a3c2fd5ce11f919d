import {
  artifactKey,
  companionKey,
  JOB_METRICS,
  MANIFEST_SCHEMA_VERSION,
  manifestKey,
  tierFor,
  type BackupManifest,
  type ManifestCompanion,
  type SourceConfig,
  type Tier,
  placeKey,
  TIERS,
  tierPrefix,
  type TierPlacement,
} from "@lifeboat/constructs/core";
import { pipeline } from "node:stream";
import { findSource, type JobContext } from "../context";
import { listBackups } from "../s3/catalog";
import { MIB, putVaultObject } from "../s3/upload";
import { describeError, JobError } from "../support/errors";
import { sleep } from "../support/retry";
import { createHash } from "node:crypto";
import { AGE_CONTENT_TYPE, encryptBuffer, encryptStream } from "../support/age";
import { CountingStream, DigestStream } from "../support/streams";
import { filesProducer } from "./files";
import { objectsProducer } from "./objects";
import { postgresProducer } from "./postgres";
import type { ArtifactProducer } from "./producer";
import { redisProducer } from "./redis";

/** The result of one successful backup. */
export interface BackupResult {
  readonly source: string;
  readonly artifactKey: string;
  readonly manifestKey: string;
  readonly manifest: BackupManifest;
  readonly durationSeconds: number;
}

/** Observers for tests and progress reporting. */
export interface BackupHooks {
  /** A tool was started (`pg_dump`), with its process id. */
  readonly onTool?: (label: string, pid: number | undefined) => void;
  /** Bytes of the artifact uploaded so far. */
  readonly onProgress?: (bytes: number) => void;
}

const LIFEBOAT_VERSION = "0.1.0";

/** Months whose keys can hold an earlier backup of the same ISO week or month as `at` (under every tier prefix in a prefix-tiered vault). */
function tierPrefixes(source: string, at: Date, placement: TierPlacement): string[] {
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - ((at.getUTCDay() + 6) % 7)));
  const months = new Set([monday, at].map((d) => `${source}/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/`));
  return placement === "prefix" ? TIERS.flatMap((tier) => [...months].map((m) => `${tierPrefix(tier)}${m}`)) : [...months];
}

/**
 * The tier of a backup starting at `startedAt`, from the complete backups (manifests) already in
 * the vault this month and ISO week. Needs only `s3:ListBucket`, which the writer role has.
 */
export async function decideTier(job: JobContext, source: string, startedAt: Date): Promise<{ tier: Tier; taken: boolean }> {
  const earlier: Date[] = [];
  let taken = false;
  for (const prefix of tierPrefixes(source, startedAt, job.config.vault.tiers ?? "tag")) {
    for (const entry of await listBackups(job.vault, job.config.vault.bucket, source, prefix)) {
      if (entry.manifestObject) earlier.push(entry.startedAt);
      if (entry.startedAt.getTime() === Math.floor(startedAt.getTime() / 1000) * 1000) taken = true;
    }
  }
  return { tier: tierFor(startedAt, earlier), taken };
}

/**
 * The start time and tier of a new backup. Keys are exact to the second, so a backup never starts
 * in the same second as one already in the vault: it waits for the next second instead of
 * overwriting it.
 */
async function claimStart(job: JobContext, source: string): Promise<{ startedAt: Date; tier: Tier }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const startedAt = job.now();
    const { tier, taken } = await decideTier(job, source, startedAt);
    if (!taken) return { startedAt, tier };
    await sleep(1000 - (startedAt.getTime() % 1000) + 5);
  }
  throw new JobError(`A backup of ${source} started in the same second already exists, and the clock did not move on.`);
}

function producerFor(job: JobContext, source: SourceConfig, hooks: BackupHooks, startedAt: Date, tier: Tier): Promise<ArtifactProducer> {
  switch (source.kind) {
    case "postgres":
      return postgresProducer(job, source, hooks.onTool);
    case "redis":
      return redisProducer(job, source);
    case "objects":
      return objectsProducer(job, source, startedAt, tier);
    case "files":
      return filesProducer(job, source);
  }
}

/**
 * Backs up one source: streams its artifact into the vault (compressed, hashed, encrypted, tagged
 * with its tier), then writes the manifest, last. On failure nothing that looks like a backup is
 * left: the multipart upload is aborted and no manifest is written. Emits BackupSucceeded or
 * BackupFailed with bytes and duration, and throws a {@link JobError} on failure.
 */
export async function runBackup(job: JobContext, sourceName: string, hooks: BackupHooks = {}): Promise<BackupResult> {
  const source = findSource(job.config, sourceName);
  let startedAt = job.now();
  const clock = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - clock) / 1e9;
  const { vault } = job.config;
  job.output.log({ level: "info", event: "backup.started", message: `Backing up ${source.name} (${source.kind}).`, source: source.name, startedAt: startedAt.toISOString() });
  let producer: ArtifactProducer | undefined;
  try {
    const claimed = await claimStart(job, source.name);
    startedAt = claimed.startedAt;
    const tier = claimed.tier;
    const claimSeconds = seconds();
    producer = await producerFor(job, source, hooks, startedAt, tier);
    const placement = vault.tiers ?? "tag";
    const recipients = vault.encryption?.ageRecipients;
    const key = placeKey(artifactKey(source.name, startedAt, recipients ? `${producer.extension}.age` : producer.extension), tier, placement);
    // The digest sees the stored bytes: the ciphertext when encrypting, so verify needs no key.
    const digest = new DigestStream();
    const plain = new CountingStream();
    if (recipients) {
      pipeline(producer.stream, plain, () => undefined);
      pipeline(encryptStream(plain, recipients), digest, () => undefined);
    } else pipeline(producer.stream, digest, () => undefined);
    const metadata = {
      "lifeboat-source": source.name,
      "lifeboat-kind": source.kind,
      "lifeboat-format": producer.format,
      "lifeboat-compression": producer.compression,
      "lifeboat-started-at": startedAt.toISOString(),
      ...(recipients ? { "lifeboat-encryption": "age" } : {}),
    };
    const common = { bucket: vault.bucket, tier, metadata, ...(vault.kmsKeyArn ? { kmsKeyArn: vault.kmsKeyArn } : {}) };
    try {
      await putVaultObject(job.vault, {
        ...common,
        key,
        body: digest,
        contentType: recipients ? AGE_CONTENT_TYPE : producer.contentType,
        partSize: (vault.partSizeMiB ?? 16) * MIB,
        queueSize: vault.queueSize ?? 4,
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      });
    } catch (error) {
      producer.stop();
      throw error;
    }
    const artifactSeconds = seconds();
    const { companions: produced = [], ...details } = await producer.details();
    const companions: ManifestCompanion[] = [];
    for (const c of produced) {
      const key = placeKey(companionKey(source.name, startedAt, c.role), tier, placement);
      const body = recipients ? await encryptBuffer(c.body, recipients) : c.body;
      await putVaultObject(job.vault, { ...common, key, body, contentType: recipients ? AGE_CONTENT_TYPE : c.contentType });
      companions.push({ role: c.role, key, format: c.format, sizeBytes: body.length, sha256: createHash("sha256").update(body).digest("hex") });
    }
    const manifest: BackupManifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      source: source.name,
      kind: source.kind,
      artifactKey: key,
      format: producer.format,
      compression: producer.compression,
      startedAt: startedAt.toISOString(),
      finishedAt: job.now().toISOString(),
      sizeBytes: digest.bytes,
      sha256: digest.sha256,
      tier,
      ...details,
      ...(companions.length ? { companions } : {}),
      ...(recipients ? { encryption: { scheme: "age" as const, recipients: [...recipients], plaintextBytes: plain.bytes } } : {}),
    };
    const mKey = placeKey(manifestKey(source.name, startedAt), tier, placement);
    await putVaultObject(job.vault, { ...common, key: mKey, body: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), contentType: "application/json" });
    const durationSeconds = seconds();
    job.output.metrics(source.name, {
      [JOB_METRICS.backupSucceeded]: 1,
      [JOB_METRICS.backupFailed]: 0,
      [JOB_METRICS.backupBytes]: manifest.sizeBytes,
      [JOB_METRICS.backupDurationSeconds]: durationSeconds,
      ...(manifest.contentsNotInspected ? { [JOB_METRICS.backupContentsNotInspected]: 1 } : {}),
    });
    if (manifest.contentsNotInspected) {
      job.output.log({
        level: "warn",
        event: "backup.contents-not-inspected",
        message: `Stored ${source.name}'s backup without reading its contents: ${manifest.contentsNotInspected.reason}. It is verified by size, checksum and the tool's own listing only; the manifest has no tables.`,
        source: source.name,
        artifactKey: key,
      });
    }
    job.output.log({
      level: "info",
      event: "backup.succeeded",
      message: `Backed up ${source.name}: ${manifest.sizeBytes} bytes (${manifest.compression}${recipients ? `, encrypted to ${recipients.length} age recipients` : ""}) in ${durationSeconds.toFixed(1)} s, tier ${tier}.`,
      source: source.name,
      artifactKey: key,
      manifestKey: mKey,
      sizeBytes: manifest.sizeBytes,
      sha256: manifest.sha256,
      tier,
      durationSeconds,
      artifactSeconds,
      claimSeconds,
      version: LIFEBOAT_VERSION,
    });
    return { source: source.name, artifactKey: key, manifestKey: mKey, manifest, durationSeconds };
  } catch (error) {
    producer?.stop();
    const failure = new JobError(`Backup of ${source.name} failed: ${describeError(error)}.`, { cause: error });
    job.output.metrics(source.name, { [JOB_METRICS.backupSucceeded]: 0, [JOB_METRICS.backupFailed]: 1, [JOB_METRICS.backupDurationSeconds]: seconds() });
    job.output.log({ level: "error", event: "backup.failed", message: failure.message, source: source.name });
    throw failure;
  }
}
