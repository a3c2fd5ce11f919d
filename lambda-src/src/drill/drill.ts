import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  backupStamp,
  DEFAULT_DRILL_OBJECTS_PREFIX,
  drillDatabaseName,
  drillDirectoryName,
  drillRecordKey,
  DRILL_RECORD_SCHEMA_VERSION,
  JOB_METRICS,
  type DrillCheck,
  type DrillRecord,
  type FilesSourceConfig,
  type ObjectsSourceConfig,
  type PostgresSourceConfig,
  type RedisSourceConfig,
  type SourceConfig,
} from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { findSource, toolPaths, type JobContext } from "../context";
import { sourceClient } from "../objects/source";
import { describeConnection, psqlRows, serverConnection, sourceConnection, withDatabase, type PgConnection } from "../postgres/connection";
import { countRows, dropDatabase } from "../postgres/target";
import { sourceEndpoint } from "../redis/endpoint";
import { describeRedis, RespClient, type RedisEndpoint } from "../redis/resp";
import { runRestore } from "../restore/restore";
import { catalogSource, type CompleteBackup } from "../s3/catalog";
import { putVaultObject } from "../s3/upload";
import { describeError, JobError } from "../support/errors";
import { tableDifferences } from "../verify/decoded-checks";

/** What a drill did: its record and where the record is. */
export interface DrillResult {
  readonly record: DrillRecord;
  readonly recordKey: string;
}

/** A drill failed (restore, a check or the cleanup); its record is written and carried here. */
export class DrillFailedError extends JobError {
  constructor(readonly result: DrillResult) {
    const failed = result.record.checks.filter((c) => c.status === "fail").map((c) => `${c.check}${c.name ? ` (${c.name})` : ""}: ${c.detail}`);
    super(`The restore drill of ${result.record.source} failed${result.record.error ? `: ${result.record.error}` : ""}${failed.length ? `\n  - ${failed.join("\n  - ")}` : ""}\nRecord: ${result.recordKey}`);
    this.name = "DrillFailedError";
  }
}

/**
 * A scratch target: the restore's `--target`, and what the drill needs to check it, find it empty
 * beforehand and remove it afterwards. Never removes anything unless `isEmpty` said it was empty.
 */
interface Scratch {
  /** The target URL handed to the restore (may carry a password, registered for redaction). */
  readonly target: string;
  /** For records and messages: no credentials. */
  readonly description: string;
  /** Why the scratch target cannot be used, or undefined when it is new or empty. */
  occupied(): Promise<string | undefined>;
  /** Row counts (or keys, or objects) of the restored copy against the backup's manifest. */
  countCheck(backup: CompleteBackup): Promise<DrillCheck>;
  /** The configured smoke queries. */
  smokeChecks(): Promise<DrillCheck[]>;
  /** Removes everything the drill wrote. */
  remove(): Promise<void>;
  /** Why the scratch target is not gone yet, or undefined when it is gone. */
  leftovers(): Promise<string | undefined>;
}

/**
 * Runs a restore drill of one source: restores its newest complete backup into a scratch target,
 * checks the copy (row counts against the manifest, smoke queries), measures the restore's duration
 * and the data-loss window (the drill's start minus the backup's time), removes the scratch target
 * whatever happened, writes `drills/<source>/<stamp>.json` to the vault, and emits DrillSucceeded,
 * DrillFailed, DrillRestoreSeconds and DrillDataLossMinutes. Throws {@link DrillFailedError} after
 * writing the record when anything failed.
 */
export async function runDrill(job: JobContext, name: string): Promise<DrillResult> {
  const source = findSource(job.config, name);
  const startedAt = job.now();
  const stamp = backupStamp(startedAt);
  const checks: DrillCheck[] = [];
  let error: string | undefined;
  let backup: CompleteBackup | undefined;
  let restoreSeconds: number | undefined;
  let description = "(not prepared)";
  job.output.log({ level: "info", event: "drill.started", message: `Restore drill of ${source.name} (${source.kind}).`, source: source.name });

  let scratch: Scratch | undefined;
  let owned = false;
  try {
    scratch = await scratchFor(job, source, stamp);
    description = scratch.description;
    const { complete } = await catalogSource(job.vault, job.config.vault.bucket, source.name, job.config.vault.tiers);
    backup = complete[complete.length - 1];
    if (!backup) throw new JobError(`There is no complete backup of ${source.name} to drill.`, { hint: "Run a backup first." });
    const occupied = await scratch.occupied();
    if (occupied) throw new JobError(`The scratch target ${scratch.description} ${occupied}; the drill left it untouched.`, { hint: "Empty it or declare another scratch target in `drill.scratch`." });
    owned = true;
    try {
      const restored = await runRestore(job, { source: source.name, at: backupStamp(backup.entry.startedAt), target: scratch.target });
      restoreSeconds = restored.durationSeconds;
      checks.push({ check: "restore", status: "pass", detail: `${backup.artifact.key} restored into ${scratch.description} in ${restored.durationSeconds?.toFixed(1)} s` });
    } catch (e) {
      checks.push({ check: "restore", status: "fail", detail: describeError(e) });
      throw e;
    }
    checks.push(await scratch.countCheck(backup));
    checks.push(...(await scratch.smokeChecks()));
  } catch (e) {
    error = describeError(e);
  } finally {
    if (scratch && owned) checks.push(await cleanUp(scratch));
  }

  const finishedAt = job.now();
  const failed = error !== undefined || checks.some((c) => c.status === "fail");
  const dataLossMinutes = backup ? Math.round(((startedAt.getTime() - backup.entry.startedAt.getTime()) / 60_000) * 10) / 10 : undefined;
  const m = backup?.manifest;
  const record: DrillRecord = {
    schemaVersion: DRILL_RECORD_SCHEMA_VERSION,
    source: source.name,
    kind: source.kind,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    outcome: failed ? "failed" : "succeeded",
    ...(m ? { backup: { artifactKey: m.artifactKey, startedAt: m.startedAt, sizeBytes: m.sizeBytes, sha256: m.sha256, tier: m.tier } } : {}),
    scratch: description,
    ...(restoreSeconds !== undefined ? { restoreSeconds: Math.round(restoreSeconds * 1000) / 1000 } : {}),
    ...(dataLossMinutes !== undefined ? { dataLossMinutes } : {}),
    ...(restoreSeconds && m ? { restoreBytesPerSecond: Math.round(m.sizeBytes / restoreSeconds) } : {}),
    checks,
    ...(error !== undefined ? { error } : failed ? { error: "a check failed" } : {}),
  };
  const recordKey = drillRecordKey(source.name, startedAt);
  const vault = job.config.vault;
  await putVaultObject(job.vault, {
    bucket: vault.bucket,
    key: recordKey,
    body: Buffer.from(`${JSON.stringify(record, null, 2)}\n`),
    contentType: "application/json",
    metadata: { "lifeboat-source": source.name, "lifeboat-drill-outcome": record.outcome },
    ...(vault.kmsKeyArn ? { kmsKeyArn: vault.kmsKeyArn } : {}),
  });
  job.output.metrics(source.name, {
    [JOB_METRICS.drillSucceeded]: failed ? 0 : 1,
    [JOB_METRICS.drillFailed]: failed ? 1 : 0,
    ...(restoreSeconds !== undefined ? { [JOB_METRICS.drillRestoreSeconds]: record.restoreSeconds } : {}),
    ...(dataLossMinutes !== undefined ? { [JOB_METRICS.drillDataLossMinutes]: dataLossMinutes } : {}),
  });
  const result = { record, recordKey };
  if (failed) {
    const failure = new DrillFailedError(result);
    job.output.log({ level: "error", event: "drill.failed", message: failure.message, source: source.name, recordKey });
    throw failure;
  }
  job.output.log({
    level: "info",
    event: "drill.succeeded",
    message: `Drill of ${source.name}: restored in ${record.restoreSeconds} s, data-loss window ${dataLossMinutes} minutes; record ${recordKey}.`,
    source: source.name,
    restoreSeconds: record.restoreSeconds,
    dataLossMinutes,
    recordKey,
  });
  return result;
}

async function cleanUp(scratch: Scratch): Promise<DrillCheck> {
  try {
    await scratch.remove();
    const left = await scratch.leftovers();
    return left ? { check: "cleanup", status: "fail", detail: `${scratch.description} ${left} after the cleanup; remove it by hand` } : { check: "cleanup", status: "pass", detail: `${scratch.description} removed` };
  } catch (error) {
    return { check: "cleanup", status: "fail", detail: `removing ${scratch.description} failed: ${describeError(error)}; remove it by hand` };
  }
}

function scratchFor(job: JobContext, source: SourceConfig, stamp: string): Promise<Scratch> {
  const index = job.config.sources.indexOf(source);
  if (source.kind === "postgres") return postgresScratch(job, source, index, stamp);
  if (source.kind === "redis") return redisScratch(job, source, index);
  if (source.kind === "files") return filesScratch(job, source, stamp);
  return objectsScratch(job, source, index, stamp);
}

const url = (protocol: string, user: string | undefined, password: string | undefined, host: string, port: number, path: string) =>
  `${protocol}://${user !== undefined || password !== undefined ? `${encodeURIComponent(user ?? "")}${password !== undefined ? `:${encodeURIComponent(password)}` : ""}@` : ""}${host.includes(":") ? `[${host}]` : host}:${port}/${path}`;

async function postgresScratch(job: JobContext, source: PostgresSourceConfig, index: number, stamp: string): Promise<Scratch> {
  const tools = toolPaths(job.config);
  const settings = source.drill;
  const server = settings?.scratch?.host
    ? await serverConnection({ host: settings.scratch.host, ...settings.scratch }, "postgres", `sources[${index}].drill.scratch`, job.env)
    : await sourceConnection(source, index, job.env);
  const c: PgConnection = withDatabase(server, drillDatabaseName(stamp));
  const maintenance = withDatabase(c, "postgres");
  const exists = async () => (await psqlRows(tools.psql, maintenance, `SELECT 1 FROM pg_database WHERE datname = '${c.database}'`, job.env)).length > 0;
  return {
    target: `${url("postgres", c.username, c.password, c.host, c.port, c.database)}${c.sslMode ? `?sslmode=${c.sslMode}` : ""}`,
    description: describeConnection(c),
    occupied: async () => ((await exists()) ? "already exists" : undefined),
    async countCheck(backup) {
      const problems = tableDifferences(backup.manifest.tables ?? [], await countRows(tools.psql, c, job.env));
      return problems.length
        ? { check: "row-counts", status: "fail", detail: problems.slice(0, 10).join("; ") }
        : { check: "row-counts", status: "pass", detail: `${backup.manifest.tables?.length ?? 0} tables' row counts match the manifest` };
    },
    async smokeChecks() {
      const out: DrillCheck[] = [];
      for (const q of settings?.smokeQueries ?? []) {
        const name = q.name ?? q.sql;
        const bounds = `${q.min !== undefined ? `at least ${q.min}` : ""}${q.min !== undefined && q.max !== undefined ? " and " : ""}${q.max !== undefined ? `at most ${q.max}` : ""}`;
        try {
          // Read-only: the scratch copy is disposable, but a smoke query should not be what changes it.
          const rows = await psqlRows(tools.psql, c, q.sql, { ...job.env, PGOPTIONS: "-c default_transaction_read_only=on" });
          const value = rows.length === 1 && rows[0]!.length === 1 ? Number(rows[0]![0]) : Number.NaN;
          if (!Number.isFinite(value)) out.push({ check: "smoke", name, status: "fail", detail: `returned ${JSON.stringify(rows.slice(0, 3))}, not one number` });
          else if ((q.min !== undefined && value < q.min) || (q.max !== undefined && value > q.max)) out.push({ check: "smoke", name, status: "fail", detail: `returned ${value}; expected ${bounds}` });
          else out.push({ check: "smoke", name, status: "pass", detail: `returned ${value} (${bounds})` });
        } catch (error) {
          out.push({ check: "smoke", name, status: "fail", detail: describeError(error) });
        }
      }
      return out;
    },
    remove: () => dropDatabase(tools.psql, c, job.env),
    leftovers: async () => ((await exists()) ? "still exists" : undefined),
  };
}

async function redisScratch(job: JobContext, source: RedisSourceConfig, index: number): Promise<Scratch> {
  const scratch = source.drill?.scratch;
  if (!scratch || (scratch.host === undefined && scratch.database === undefined)) {
    throw new JobError(`\`sources[${index}].drill.scratch\` is not set for the Redis source ${source.name}.`, {
      hint: "Declare an empty database index on the source's server ({ \"database\": 15 }) or a scratch server ({ \"host\": \"...\" }); a copy restored next to production would share its memory.",
    });
  }
  const own = await sourceEndpoint(source, index, job.env);
  const onSource = scratch.host === undefined;
  const base: RedisEndpoint = onSource ? own : await sourceEndpoint({ ...source, host: scratch.host!, port: scratch.port ?? 6379, tls: scratch.tls ?? false, credentials: scratch.credentials }, index, job.env);
  const endpoint: RedisEndpoint = { ...base, ...(scratch.database !== undefined ? { db: scratch.database } : {}) };
  const single = scratch.database !== undefined;
  const keyspace = async (): Promise<Map<number, number>> => {
    const client = await RespClient.connect(endpoint);
    try {
      const info = String(await client.call(["INFO", "keyspace"]));
      return new Map([...info.matchAll(/^db(\d+):keys=(\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    } finally {
      client.close();
    }
  };
  const keysIn = (space: Map<number, number>) => (single ? (space.get(scratch.database!) ?? 0) : [...space.values()].reduce((a, b) => a + b, 0));
  const where = single ? `database ${scratch.database}` : "the scratch server";
  return {
    target: `${url(endpoint.tls ? "rediss" : "redis", endpoint.username, endpoint.password, endpoint.host, endpoint.port, single ? String(scratch.database) : "")}`,
    description: `${describeRedis({ ...endpoint, db: undefined })}${single ? `/${scratch.database}` : ""}`,
    occupied: async () => {
      const keys = keysIn(await keyspace());
      return keys > 0 ? `holds ${keys} keys in ${where}` : undefined;
    },
    async countCheck(backup) {
      const space = await keyspace();
      const expected = backup.manifest.tables ?? [];
      const problems: string[] = [];
      if (single) {
        const total = expected.reduce((a, t) => a + t.rows, 0);
        if ((space.get(scratch.database!) ?? 0) !== total) problems.push(`database ${scratch.database} has ${space.get(scratch.database!) ?? 0} keys, the manifest says ${total}`);
      } else {
        for (const t of expected) {
          const db = Number(t.name.replace(/^db/, ""));
          if ((space.get(db) ?? 0) !== t.rows) problems.push(`${t.name} has ${space.get(db) ?? 0} keys, the manifest says ${t.rows}`);
        }
      }
      return problems.length
        ? { check: "row-counts", status: "fail", detail: `${problems.join("; ")} (keys whose expiry passed since the backup are not restored)` }
        : { check: "row-counts", status: "pass", detail: `key counts match the manifest (${expected.map((t) => `${t.name}: ${t.rows}`).join(", ") || "no keys"})` };
    },
    smokeChecks: async () => [],
    async remove() {
      const client = await RespClient.connect(endpoint);
      try {
        await client.call(single ? ["FLUSHDB"] : ["FLUSHALL"]);
      } finally {
        client.close();
      }
    },
    leftovers: async () => {
      const keys = keysIn(await keyspace());
      return keys > 0 ? `still holds ${keys} keys in ${where}` : undefined;
    },
  };
}

async function objectsScratch(job: JobContext, source: ObjectsSourceConfig, index: number, stamp: string): Promise<Scratch> {
  const scratch = source.drill?.scratch;
  if (!scratch?.bucket) {
    throw new JobError(`\`sources[${index}].drill.scratch.bucket\` is not set for the objects source ${source.name}.`, { hint: 'Declare a bucket the drill may write and delete in, such as { "bucket": "app-uploads-drill" }.' });
  }
  const bucket = scratch.bucket;
  const base = scratch.prefix ?? DEFAULT_DRILL_OBJECTS_PREFIX;
  const prefix = `${base}${base && !base.endsWith("/") ? "/" : ""}${stamp}/`;
  const client: S3Client = await sourceClient(source, index, job.env, job.config.vault.maxAttempts);
  const list = async (): Promise<{ keys: string[]; bytes: number }> => {
    const keys: string[] = [];
    let bytes = 0;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        keys.push(o.Key!);
        bytes += o.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, bytes };
  };
  return {
    target: `s3://${bucket}/${prefix}`,
    description: `s3://${bucket}/${prefix}`,
    occupied: async () => {
      const { keys } = await list();
      return keys.length ? `already holds ${keys.length} objects` : undefined;
    },
    async countCheck(backup) {
      const { keys, bytes } = await list();
      const expected = backup.manifest.objects;
      if (!expected) return { check: "row-counts", status: "skip", detail: "the manifest records no object count" };
      return keys.length === expected.count && bytes === expected.bytes
        ? { check: "row-counts", status: "pass", detail: `${keys.length} objects, ${bytes} bytes, as the manifest says` }
        : { check: "row-counts", status: "fail", detail: `${keys.length} objects of ${bytes} bytes restored; the manifest says ${expected.count} objects of ${expected.bytes} bytes` };
    },
    smokeChecks: async () => [],
    async remove() {
      for (let { keys } = await list(); keys.length; { keys } = await list()) {
        for (let i = 0; i < keys.length; i += 1000) {
          const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
          if (result.Errors?.length) throw new JobError(`deleting ${result.Errors.length} objects failed (${result.Errors[0]!.Key}: ${result.Errors[0]!.Message})`);
        }
      }
    },
    leftovers: async () => {
      const { keys } = await list();
      return keys.length ? `still holds ${keys.length} objects` : undefined;
    },
  };
}

/**
 * A files drill's scratch: `<scratch directory>/lifeboat-drill-<source>-<stamp>/restored`. The restore
 * unpacks beside its target, so inside the drill's own directory; removing that directory removes
 * whatever the restore left, whether it finished or not.
 */
async function filesScratch(job: JobContext, source: FilesSourceConfig, stamp: string): Promise<Scratch> {
  const parent = source.drill?.scratch?.directory ?? job.config.restore?.scratchDirectory ?? tmpdir();
  const root = join(parent, drillDirectoryName(source.name, stamp));
  const restored = join(root, "restored");
  const exists = async (path: string) => lstat(path).then(() => true, (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? false : Promise.reject(error)));
  return {
    target: restored,
    description: restored,
    occupied: async () => {
      if (!(await exists(root))) {
        await mkdir(root, { recursive: true, mode: 0o700 });
        return undefined;
      }
      const left = await readdir(root);
      return left.length ? `already exists and holds ${left.length} entries` : undefined;
    },
    async countCheck(backup) {
      const listed = backup.manifest.files;
      if (!listed) return { check: "files", status: "fail", detail: `the manifest of ${backup.artifact.key} lists no files` };
      const problems = await treeDifferences(restored, listed.entries);
      const files = listed.entries.filter((e) => e.type === "file");
      return problems.length
        ? { check: "files", status: "fail", detail: `${problems.slice(0, 10).join("; ")}${problems.length > 10 ? `; and ${problems.length - 10} more` : ""}` }
        : { check: "files", status: "pass", detail: `${listed.entries.length} entries restored as listed; every one of ${files.length} files (${files.reduce((a, f) => a + (f.size ?? 0), 0)} bytes) has the manifest's SHA-256` };
    },
    smokeChecks: async () => [],
    remove: () => rm(root, { recursive: true, force: true }),
    leftovers: async () => ((await exists(root)) ? "still exists" : undefined),
  };
}

/** How a restored tree differs from the manifest's entries: missing, extra, of another type or link target, or another size or SHA-256. */
async function treeDifferences(dir: string, entries: NonNullable<CompleteBackup["manifest"]["files"]>["entries"]): Promise<string[]> {
  const problems: string[] = [];
  const found = new Set<string>();
  const walk = async (relative: string): Promise<void> => {
    for (const name of await readdir(join(dir, relative))) {
      const path = relative ? `${relative}/${name}` : name;
      found.add(path);
      if ((await lstat(join(dir, path))).isDirectory()) await walk(path);
    }
  };
  await walk("");
  for (const entry of entries) {
    const at = join(dir, entry.path);
    if (!found.has(entry.path)) {
      problems.push(`${entry.path} is missing`);
      continue;
    }
    const stat = await lstat(at);
    const type = stat.isSymbolicLink() ? "symlink" : stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
    if (type !== entry.type) problems.push(`${entry.path} is a ${type}, the manifest says a ${entry.type}`);
    else if (type === "symlink" && (await readlink(at)) !== entry.target) problems.push(`${entry.path} points to ${await readlink(at)}, the manifest says ${entry.target}`);
    else if (type === "file") {
      const hash = createHash("sha256");
      await pipeline(createReadStream(at), hash);
      const sha256 = hash.digest("hex");
      if (stat.size !== entry.size || sha256 !== entry.sha256) problems.push(`${entry.path} is ${stat.size} bytes with SHA-256 ${sha256}; the manifest says ${entry.size} bytes with ${entry.sha256}`);
    }
  }
  const listed = new Set(entries.map((e) => e.path));
  for (const path of found) if (!listed.has(path)) problems.push(`${path} is not in the manifest`);
  return problems;
}
