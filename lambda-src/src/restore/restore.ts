import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { parseRestorePoint, type ObjectsSourceConfig, type RestoreGrants, type SourceConfig } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { findSource, toolPaths, type JobContext } from "../context";
import { objectCopyKeyFor, sourceClient } from "../objects/source";
import { identitiesFor, jobAgeIdentities, startDecryptor, type AgeIdentities } from "../support/age";
import { describeConnection, parseDatabaseUrl } from "../postgres/connection";
import { ByteReader } from "../redis/byte-reader";
import { parseRedisUrl } from "../redis/endpoint";
import { readRdb } from "../redis/rdb";
import { describeRedis, RespClient, type RedisEndpoint } from "../redis/resp";
import { extractFilesArchive, prepareFilesTarget } from "../files/extract";
import { readArtifact } from "../s3/artifact";
import { catalogSource, type CompleteBackup } from "../s3/catalog";
import { MIB, putVaultObject } from "../s3/upload";
import { describeError, InputError, JobError } from "../support/errors";
import { redact } from "../support/redact";
import { DigestStream } from "../support/streams";
import { readObjectsIndex } from "../verify/decoded-checks";
import { checkBeforeRestore, readArtifactThroughGate } from "./checked-read";
import { restorePostgres, type PostgresRestoreReport } from "./postgres";

/** What to restore, where. */
export interface RestoreRequest {
  readonly source: string;
  /** `latest`, an ISO 8601 time, or a backup stamp (`20261121T090503Z`). */
  readonly at: string;
  /** `postgres://...` for PostgreSQL, `redis://...` for Redis, `s3://bucket/prefix` for objects, a directory for files. */
  readonly target: string;
  readonly dryRun?: boolean;
  /**
   * PostgreSQL: owners and privileges (restored by default when their roles exist on the target),
   * and whether to recreate the captured roles the target lacks.
   * @default - owners and privileges restored, no role created
   */
  readonly grants?: RestoreGrants;
  /** PostgreSQL: `pg_restore -j`. @default - `restore.parallelJobs`, else the machine's cores */
  readonly jobs?: number;
}

/** What a restore will do (or did). */
export interface RestorePlan {
  readonly source: string;
  readonly kind: SourceConfig["kind"];
  readonly at: string;
  readonly backup: { readonly artifactKey: string; readonly startedAt: string; readonly sizeBytes: number; readonly sha256: string; readonly tier: string; readonly compression: string };
  /** Seconds between the backup's point in time and `at`: the data a restore to `at` loses. */
  readonly dataLossWindowSeconds: number;
  readonly target: string;
  readonly steps: readonly string[];
}

export interface RestoreResult {
  readonly plan: RestorePlan;
  readonly dryRun: boolean;
  /** Wall time of the restore, checksum pass included. */
  readonly durationSeconds?: number;
  readonly detail?: string;
  /** PostgreSQL: how it was restored (parallel or streamed, and why) and what was and was not restored. */
  readonly postgres?: PostgresRestoreReport;
}

/** Parses `--at` (see `parseRestorePoint`): impossible dates and times in the future are refused. */
export function parseAt(at: string, now: Date): Date {
  return parseRestorePoint(at, now);
}

/** Picks the newest complete backup started at or before `at`. */
export function pickBackup(complete: readonly CompleteBackup[], at: Date, source: string): CompleteBackup {
  const candidates = complete.filter((b) => b.entry.startedAt.getTime() <= at.getTime());
  const chosen = candidates[candidates.length - 1];
  if (!chosen) {
    const oldest = complete[0];
    throw new JobError(`There is no complete backup of ${source} at or before ${at.toISOString()}.`, {
      hint: oldest ? `The oldest complete backup started at ${oldest.manifest.startedAt}.` : "The vault holds no complete backup of it.",
    });
  }
  return chosen;
}

function describeTarget(kind: SourceConfig["kind"], target: string): string {
  if (kind === "postgres") return describeConnection(parseDatabaseUrl(target));
  if (kind === "redis") return describeRedis(parseRedisUrl(target));
  return redact(target);
}

/**
 * Restores a source as it was at a point in time: picks the newest complete backup at or before it,
 * verifies the stored bytes (size, SHA-256, and that they decode) before touching the target, then
 * streams them into the target, checking the checksum again on the way. `dryRun` prints the plan
 * and touches nothing.
 */
export async function runRestore(job: JobContext, request: RestoreRequest): Promise<RestoreResult> {
  const source = findSource(job.config, request.source);
  const now = job.now();
  const at = parseAt(request.at, now);
  const targetText = describeTarget(source.kind, request.target);
  const { complete } = await catalogSource(job.vault, job.config.vault.bucket, source.name, job.config.vault.tiers);
  const backup = pickBackup(complete, at, source.name);
  const m = backup.manifest;
  // Before the target is even asked: an encrypted backup needs an identity of one of its recipients.
  // A dry run reports a missing or wrong identity in its plan instead of failing.
  let keys: AgeIdentities | undefined;
  let keysProblem: string | undefined;
  if (m.encryption) {
    try {
      keys = identitiesFor(m, await jobAgeIdentities(job));
    } catch (error) {
      if (!request.dryRun) throw error;
      keysProblem = describeError(error);
    }
  }
  const plan: RestorePlan = {
    source: source.name,
    kind: source.kind,
    at: at.toISOString(),
    backup: { artifactKey: m.artifactKey, startedAt: m.startedAt, sizeBytes: m.sizeBytes, sha256: m.sha256, tier: m.tier, compression: m.compression },
    dataLossWindowSeconds: Math.round((at.getTime() - backup.entry.startedAt.getTime()) / 1000),
    target: targetText,
    steps: [
      `check that ${targetText} answers`,
      `stream s3://${job.config.vault.bucket}/${m.artifactKey} (${m.sizeBytes} bytes) and check its SHA-256 and contents${keys ? `, decrypted with the age identity from ${keys.from}` : ""}, before touching the target${keysProblem ? ` (it cannot yet: ${keysProblem})` : ""}`,
      source.kind === "postgres"
        ? `refuse the database if it holds any user object and the server if it lacks roles the backup needs (unless --create-roles, --no-owner or --no-privileges), create the database if it does not exist, then pg_restore with owners and privileges: in parallel from a scratch file whose SHA-256 was checked first, or streamed in one transaction`
        : source.kind === "redis"
          ? `refuse the target if it holds keys, then RESTORE every key with its expiry`
          : source.kind === "files"
            ? `refuse the target directory unless it is new or empty, then unpack every entry beside it, check every file's SHA-256, and move it into place`
            : `refuse the target prefix if it holds objects, then copy every object of the index`,
    ],
  };
  if (request.dryRun) {
    job.output.log({ level: "info", event: "restore.plan", message: `Dry run: would restore ${source.name} from ${m.artifactKey} into ${targetText}.`, source: source.name, plan });
    return { plan, dryRun: true };
  }
  const clock = Date.now();
  job.output.log({ level: "info", event: "restore.started", message: `Restoring ${source.name} from ${m.artifactKey} into ${targetText}.`, source: source.name });
  let detail: string;
  let postgres: PostgresRestoreReport | undefined;
  try {
    if (source.kind === "postgres") ({ detail, postgres } = await restorePostgres(job, backup, parseDatabaseUrl(request.target), { ...request.grants, ...(request.jobs !== undefined ? { jobs: request.jobs } : {}) }));
    else if (source.kind === "redis") detail = await restoreRedis(job, backup, parseRedisUrl(request.target));
    else if (source.kind === "files") detail = await restoreFiles(job, backup, request.target);
    else detail = await restoreObjects(job, source, backup, request.target);
  } catch (error) {
    const failure = new JobError(`Restore of ${source.name} into ${targetText} failed: ${describeError(error)}.`, { cause: error });
    job.output.log({ level: "error", event: "restore.failed", message: failure.message, source: source.name });
    throw failure;
  }
  const durationSeconds = (Date.now() - clock) / 1000;
  job.output.log({
    level: "info",
    event: "restore.succeeded",
    message: `Restored ${source.name} into ${targetText} in ${durationSeconds.toFixed(1)} s; data-loss window ${plan.dataLossWindowSeconds} s.`,
    source: source.name,
    durationSeconds,
    dataLossWindowSeconds: plan.dataLossWindowSeconds,
    ...(postgres ? { postgres } : {}),
  });
  return { plan, dryRun: false, durationSeconds, detail, ...(postgres ? { postgres } : {}) };
}

async function restoreFiles(job: JobContext, backup: CompleteBackup, target: string): Promise<string> {
  const listed = backup.manifest.files;
  if (!listed) throw new JobError(`The manifest of ${backup.artifact.key} lists no files.`);
  const dir = await prepareFilesTarget(target);
  const pin = await checkBeforeRestore(job, backup);
  let restored: { entries: number; files: number; bytes: number } | undefined;
  const read = await readArtifactThroughGate(job, backup, pin, async (decoded) => {
    restored = await extractFilesArchive(decoded, listed, dir);
  }, () => undefined);
  if (!read.ok) throw read.error;
  return `restored ${restored!.entries} entries (${restored!.files} files, ${restored!.bytes} bytes, every SHA-256 checked) into ${dir}`;
}

async function restoreRedis(job: JobContext, backup: CompleteBackup, target: RedisEndpoint): Promise<string> {
  if (backup.manifest.contentsNotInspected) {
    throw new JobError(`${backup.artifact.key} was stored without its contents being inspected (${backup.manifest.contentsNotInspected.reason}), so this Lifeboat cannot restore it key by key.`, {
      hint: "Upgrade Lifeboat, or decompress the artifact and start a server of the version that wrote it with the file as its dump.rdb.",
    });
  }
  const probe = await RespClient.connect(target);
  try {
    await probe.call(["PING"]);
  } finally {
    probe.close();
  }
  // A target URL naming a database (redis://host:6379/15) takes every key into that one database.
  const single = target.db !== undefined;
  const populated = (backup.manifest.tables ?? []).filter((t) => t.rows > 0);
  if (single && populated.length > 1) {
    throw new JobError(`The backup ${backup.artifact.key} holds keys in ${populated.length} databases (${populated.map((t) => t.name).join(", ")}); restoring them into the one database ${describeRedis(target)} names would merge them.`, { hint: "Restore into a server (a redis:// URL without a database) so each key keeps its database." });
  }
  const pin = await checkBeforeRestore(job, backup);
  const client = await RespClient.connect(target);
  let restored = 0;
  try {
    const keyspace = String(await client.call(["INFO", "keyspace"]));
    const occupied = new RegExp(`^db${single ? target.db : "\\d+"}:keys=[1-9]`, "m");
    if (occupied.test(keyspace)) throw new JobError(`The target ${describeRedis(target)} already holds keys (${keyspace.split("\n").filter((l) => l.startsWith("db")).join(", ").trim()}).`, { hint: "Restore into an empty Redis; Lifeboat never mixes a backup into existing data." });
    let db = single ? target.db! : -1;
    const pending: Promise<unknown>[] = [];
    const read = await readArtifactThroughGate(job, backup, pin, async (decoded) => {
      const reader = new ByteReader();
      const parsing = readRdb(reader, async (key) => {
        if (!single && key.db !== db) {
          await client.call(["SELECT", String(key.db)]);
          db = key.db;
        }
        const args = ["RESTORE", key.key, String(key.expiresAt), key.payload, "REPLACE", ...(key.expiresAt ? ["ABSTTL"] : [])];
        await client.room();
        pending.push(client.send(args));
        if (pending.length >= 1000) await settle(pending.splice(0));
        restored++;
      });
      for await (const chunk of decoded) await reader.feed(chunk as Buffer);
      reader.end();
      const summary = await parsing;
      await settle(pending.splice(0));
      for (const code of summary.functions) await client.call(["FUNCTION", "LOAD", "REPLACE", code]);
    }, () => client.close());
    if (!read.ok) throw read.error;
  } finally {
    client.close();
  }
  return `restored ${restored} keys into ${describeRedis(target)}`;
}

async function settle(replies: Promise<unknown>[]): Promise<void> {
  const results = await Promise.all(replies);
  const failed = results.find((r) => typeof r === "object" && r !== null && "message" in r && !(r instanceof Buffer) && !Array.isArray(r));
  if (failed) throw new JobError(`The target refused RESTORE: ${(failed as { message: string }).message}`);
}

async function restoreObjects(job: JobContext, source: ObjectsSourceConfig, backup: CompleteBackup, target: string): Promise<string> {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(target);
  if (!match) throw new InputError(`--target (${JSON.stringify(target)}) must be an s3://bucket or s3://bucket/prefix URL.`);
  const [, bucket, rawPrefix = ""] = match;
  const prefix = rawPrefix && !rawPrefix.endsWith("/") ? `${rawPrefix}/` : rawPrefix;
  const to: S3Client = await sourceClient(source, job.config.sources.indexOf(source), job.env, job.config.vault.maxAttempts);
  let existing;
  try {
    existing = await to.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
  } catch (error) {
    throw new JobError(`The target s3://${bucket}/${prefix} cannot be listed: ${describeError(error)}.`, { cause: error });
  }
  await checkBeforeRestore(job, backup);
  if ((existing.KeyCount ?? 0) > 0) throw new JobError(`The target s3://${bucket}/${prefix} already holds objects.`, { hint: "Restore into an empty bucket or prefix." });
  const tools = toolPaths(job.config);
  const keys = backup.manifest.encryption ? identitiesFor(backup.manifest, await jobAgeIdentities(job)) : undefined;
  const read = await readArtifact(job.vault, job.config.vault.bucket, backup, tools.zstd, readObjectsIndex, {}, keys);
  if (!read.decoded.ok) throw read.decoded.error;
  const index = read.decoded.value.index ?? [];
  for (const entry of index) {
    if (entry.copy !== objectCopyKeyFor(source.name, entry, backup.manifest.encryption?.recipients)) {
      throw new JobError(`The index entry for ${entry.key} points at ${entry.copy}, which is not its copy's key.`);
    }
    const got = await job.vault.send(new GetObjectCommand({ Bucket: job.config.vault.bucket, Key: entry.copy }));
    const digest = new DigestStream();
    if (keys) {
      const decrypt = startDecryptor(keys, `The copy of ${entry.key} (${entry.copy})`);
      pipeline(got.Body as Readable, decrypt.input, () => undefined);
      pipeline(decrypt.output, digest, () => undefined);
    } else pipeline(got.Body as Readable, digest, () => undefined);
    const contentType = keys ? "application/octet-stream" : (got.ContentType ?? "application/octet-stream");
    await putVaultObject(to, { bucket, key: `${prefix}${entry.key}`, body: digest, contentType, partSize: (job.config.vault.partSizeMiB ?? 16) * MIB, queueSize: 1 });
    if (entry.sha256 && digest.sha256 !== entry.sha256) throw new JobError(`The copy of ${entry.key} (${entry.copy}) does not match the SHA-256 recorded when it was copied.`);
  }
  return `restored ${index.length} objects into s3://${bucket}/${prefix}`;
}
