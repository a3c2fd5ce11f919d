import { chooseRestorePath, restoreJobs, type ManifestRoles, type RestoreGrants, type RestorePath } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { toolPaths, type JobContext } from "../context";
import { checkReachable, describeConnection, libpqEnv, withDatabase, type PgConnection } from "../postgres/connection";
import { createRoles, missingRoles, parseRoleStatements } from "../postgres/roles";
import { dropDatabase, pgRestoreArgs, prepareTarget, startPgRestore, type GrantFlags } from "../postgres/target";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { readArtifact } from "../s3/artifact";
import { decryptBuffer, identitiesFor, jobAgeIdentities } from "../support/age";
import { hasZstd } from "../support/compression";
import { DigestStream } from "../support/streams";
import { SoftTee } from "../support/tee";
import { readSmallObject, type CompleteBackup } from "../s3/catalog";
import { describeError, JobError } from "../support/errors";
import { runTool, toolEnvironment, ToolProcess } from "../support/process";
import { checkBeforeRestore, readArtifactThroughGate } from "./checked-read";
import { clientForRestoreInto } from "../postgres/tools";
import { checkScratchArchive } from "./scratch-archive";
import { pipeline as pipe } from "node:stream";

/** What a PostgreSQL restore did, besides the data. */
export interface PostgresRestoreReport {
  /** `parallel`: pg_restore -j from a verified scratch file; `stream`: piped in one transaction. */
  readonly path: RestorePath;
  /** Why that path. */
  readonly pathReason: string;
  /** pg_restore workers (1 when streaming). */
  readonly jobs: number;
  /** Whether each object's owner was restored. */
  readonly owners: boolean;
  /** Whether GRANTs and default privileges were restored. */
  readonly privileges: boolean;
  /** Roles created on the target server from the backup (`--create-roles`), without passwords. */
  readonly rolesCreated: readonly string[];
  /** What was not restored, and why. */
  readonly notRestored: readonly string[];
  readonly createdDatabase: boolean;
  /**
   * Seconds spent before the target was written to (checks, download, checksum), and writing it; on
   * the parallel path, the part of `checks` spent downloading (hashing and decompressing into the
   * scratch file) and reading the file back (its checks and data offsets).
   */
  readonly seconds: { readonly checks: number; readonly restore: number; readonly download?: number; readonly readBack?: number };
}

/** What the target needs, decided before anything is written. */
interface RolePlan {
  readonly grants: GrantFlags;
  readonly create: readonly string[];
  readonly script?: string;
  readonly notRestored: string[];
}

const quoteName = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);

/** Which roles the restore needs, which it will create, and what it will leave out; throws if roles are missing. */
async function planRoles(job: JobContext, backup: CompleteBackup, target: PgConnection, options: RestoreGrants): Promise<RolePlan> {
  const tools = toolPaths(job.config);
  const roles: ManifestRoles | undefined = backup.manifest.roles;
  const wanted = { owners: options.owners ?? true, privileges: options.privileges ?? true };
  const notRestored: string[] = [];
  if (!roles) {
    if (wanted.owners || wanted.privileges) notRestored.push("owners and privileges: the backup predates role capture, so the roles it needs are not known; every object belongs to the connecting user");
    return { grants: { owners: false, privileges: false }, create: [], notRestored };
  }
  if (!wanted.owners) notRestored.push("owners (--no-owner): every object belongs to the connecting user");
  if (!wanted.privileges) notRestored.push("privileges (--no-privileges): no GRANT or default privilege was restored");
  const why = new Map<string, string[]>();
  const need = (names: readonly string[], reason: string) => names.forEach((n) => why.set(n, [...(why.get(n) ?? []), reason]));
  if (wanted.owners) need(roles.owners, "owns objects");
  if (wanted.privileges) need(roles.grantees, "holds privileges");
  need(roles.policies, "is named by row-level security policies");
  const missing = await missingRoles(tools.psql, target, [...why.keys()], job.env);
  const create = options.createRoles ? await missingRoles(tools.psql, target, roles.captured, job.env) : [];
  const stillMissing = missing.filter((name) => !create.includes(name));
  if (stillMissing.length) {
    const creatable = stillMissing.filter((name) => roles.captured.includes(name));
    const fixes = [
      ...(creatable.length && !options.createRoles ? [`--create-roles recreates ${creatable.map(quoteName).join(", ")} from the backup (without passwords)`] : []),
      "create the roles on the target server yourself",
      ...(wanted.owners && stillMissing.some((n) => why.get(n)!.includes("owns objects")) ? ["restore without owners (--no-owner)"] : []),
      ...(wanted.privileges && stillMissing.some((n) => why.get(n)!.includes("holds privileges")) ? ["restore without privileges (--no-privileges)"] : []),
    ];
    throw new JobError(
      `The target server ${describeConnection(withDatabase(target, "postgres"))} lacks ${stillMissing.length} roles the backup needs: ${stillMissing.map((n) => `${quoteName(n)} (${why.get(n)!.join(", ")})`).join("; ")}. Nothing was written.`,
      { hint: `Either ${fixes.join("; or ")}.` },
    );
  }
  const script = create.length ? await readRolesScript(job, backup) : undefined;
  if (script) {
    const inScript = new Set(parseRoleStatements(script).map((s) => s.roles[0]!));
    const absent = create.filter((name) => !inScript.has(name));
    if (absent.length) throw new JobError(`The roles companion of ${backup.artifact.key} does not define ${absent.join(", ")}. Nothing was written.`, { hint: "Create those roles yourself." });
  }
  return { grants: wanted, create, ...(script !== undefined ? { script } : {}), notRestored };
}

/** The backup's roles companion, checked against its manifest. */
async function readRolesScript(job: JobContext, backup: CompleteBackup): Promise<string> {
  const companion = backup.manifest.companions?.find((c) => c.role === "roles");
  if (!companion) throw new JobError(`The backup ${backup.artifact.key} has no roles companion to create roles from. Nothing was written.`, { hint: "Create the roles yourself, or restore without --create-roles." });
  const body = await readSmallObject(job.vault, job.config.vault.bucket, companion.key);
  const sha256 = createHash("sha256").update(body).digest("hex");
  if (body.length !== companion.sizeBytes || sha256 !== companion.sha256) {
    throw new JobError(`The roles companion ${companion.key} is corrupt: ${body.length} bytes with SHA-256 ${sha256}, but the manifest says ${companion.sizeBytes} bytes with ${companion.sha256}. The target was not touched.`, {
      hint: "Restore an earlier backup with --at, or create the roles yourself and restore without --create-roles.",
    });
  }
  if (!backup.manifest.encryption) return body.toString("utf8");
  const keys = identitiesFor(backup.manifest, await jobAgeIdentities(job));
  return (await decryptBuffer(body, keys, `The roles companion ${companion.key}`)).toString("utf8");
}

/** Bytes free for this user under `dir`, or undefined when it cannot be used. */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Restores a PostgreSQL backup into `target`. Before anything is written: the target answers and
 * is new or empty, every role the backup needs exists there (or is created with `createRoles`),
 * and the artifact's SHA-256 matches its manifest. Then the archive goes into pg_restore, with
 * owners and privileges unless turned off: in parallel from a scratch file written (and hashed)
 * while downloading, or streamed in one transaction when that cannot be done.
 */
export async function restorePostgres(job: JobContext, backup: CompleteBackup, target: PgConnection, options: RestoreGrants & { jobs?: number }): Promise<{ detail: string; postgres: PostgresRestoreReport }> {
  const tools = toolPaths(job.config);
  const m = backup.manifest;
  const clock = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - clock) / 1e9;
  let checkSeconds = 0;
  const scratchSeconds: { download?: number; readBack?: number } = {};
  // A target that does not answer is named before the backup is read at all.
  await checkReachable(tools.psql, withDatabase(target, "postgres"), "target server", job.env);
  /** The target's other checks: they only read, and decide which pg_restore runs and which roles are needed. */
  const inspectTarget = async () => {
    // pg_restore of the target's major when it reads the archive (postgres/tools.ts).
    const client = await clientForRestoreInto(job, m, target);
    await prepareTarget(tools.psql, target, job.env, false);
    return { client, roles: await planRoles(job, backup, target, options) };
  };
  const scratchDirectory = job.config.restore?.scratchDirectory ?? tmpdir();
  const jobs = options.jobs ?? restoreJobs(job.config.restore, availableParallelism());
  let choice = chooseRestorePath({ format: m.format, ...(m.contentBytes !== undefined ? { contentBytes: m.contentBytes } : {}), jobs, scratchDirectory, ...(await freeBytesField(scratchDirectory)) });
  // A download straight into zstd can be stopped midway, so the target's checks run while it
  // downloads (a failed check stops it); otherwise (encrypted, not zstd) they run first.
  const overlap = choice.path === "parallel" && m.compression === "zstd" && !m.encryption;
  let inspected = overlap ? undefined : await inspectTarget();
  let scratch: string | undefined;
  let created = false;
  try {
    let file: string | undefined;
    if (choice.path === "parallel") {
      scratch = await mkdtemp(join(scratchDirectory, "lifeboat-restore-"));
      file = join(scratch, "archive.dump");
      const stop = new AbortController();
      const checking = inspected ? Promise.resolve(inspected) : inspectTarget();
      checking.catch(() => stop.abort());
      const downloaded = await downloadArchive(job, backup, file, stop.signal, scratchSeconds).catch(async (error: unknown) => {
        // A check that failed stopped the download: its reason is the one to give.
        await checking;
        throw error;
      });
      inspected = await checking;
      if (downloaded.ok) await listArchive(inspected.client.pgRestore, file, backup.artifact.key);
      else {
        choice = { path: "stream", reason: `${downloaded.reason}; streaming the archive into pg_restore in one transaction` };
        await rm(scratch, { recursive: true, force: true });
        scratch = undefined;
      }
    }
    job.output.log({ level: "info", event: "restore.path", message: `Restoring ${m.source} by ${choice.path === "parallel" ? `pg_restore -j ${jobs} from a scratch file` : "streaming"}: ${choice.reason}.`, source: m.source, path: choice.path, reason: choice.reason, jobs });
    const { client, roles } = inspected!;
    const pin = choice.path === "stream" ? await checkBeforeRestore(job, backup, client.pgRestore) : undefined;

    // Everything above only read; from here on the target server is written to.
    checkSeconds = elapsed();
    created = (await prepareTarget(tools.psql, target, job.env)).created;
    await createRoles(tools.psql, target, roles.script ?? "", roles.create, job.env);
    if (choice.path === "parallel") {
      const restore = new ToolProcess("pg_restore", client.pgRestore, [...pgRestoreArgs(target, roles.grants), "--jobs", String(jobs), file!], {
        env: libpqEnv(target, job.env),
        stdout: "ignore",
        hint: "Install the PostgreSQL client or set `tools.pgRestore` to its path.",
      });
      await restore.exited.catch(async (error: Error) => {
        // Parallel restores cannot run in one transaction: take back what was written.
        const undone = created ? await dropDatabase(tools.psql, target, job.env).then(() => true, () => false) : false;
        throw new JobError(
          `${error.message} ${undone ? `The database ${target.database}, which this restore created, was dropped again.` : `The database ${target.database} now holds part of the backup: drop it (Lifeboat creates it again) before retrying.`}${roles.create.length ? ` The roles ${roles.create.join(", ")} were created and remain.` : ""}`,
          { cause: error },
        );
      });
    } else {
      const restore = startPgRestore(client.pgRestore, target, roles.grants, job.env);
      const read = await readArtifactThroughGate(job, backup, pin!, async (decoded) => {
        await new Promise<void>((resolve, reject) => pipe(decoded, restore.stdin, (e) => (e ? reject(e) : resolve())));
        await restore.exited;
      }, () => restore.kill());
      if (!read.ok) throw read.error;
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  const { roles } = inspected!;
  const postgres: PostgresRestoreReport = {
    path: choice.path,
    pathReason: choice.reason,
    jobs: choice.path === "parallel" ? jobs : 1,
    owners: roles.grants.owners,
    privileges: roles.grants.privileges,
    rolesCreated: roles.create,
    notRestored: roles.notRestored,
    createdDatabase: created,
    seconds: { checks: ms(checkSeconds), restore: ms(elapsed() - checkSeconds), ...(choice.path === "parallel" ? { download: ms(scratchSeconds.download ?? 0), readBack: ms(scratchSeconds.readBack ?? 0) } : {}) },
  };
  const what = [roles.grants.owners && "owners", roles.grants.privileges && "privileges"].filter(Boolean).join(" and ");
  const detail = `${created ? "created and " : ""}restored ${describeConnection(target)} (${m.tables?.length ?? 0} tables${what ? `, with ${what}` : ", without owners or privileges"}${roles.create.length ? `; created roles ${roles.create.join(", ")}` : ""}) by ${choice.path === "parallel" ? `pg_restore -j ${jobs} from a verified scratch file` : "streaming in one transaction"}`;
  return { detail, postgres };
}

const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

async function freeBytesField(dir: string): Promise<{ freeBytes?: number }> {
  const free = await freeBytes(dir);
  return free === undefined ? {} : { freeBytes: free };
}

/**
 * Downloads the artifact once into `file`, decompressed, hashing the stored bytes on the way; throws (touching nothing) when the checksum or the archive is wrong. Returns
 * `ok: false` with the reason when the scratch space fills up, so the restore can stream instead.
 */
async function downloadArchive(job: JobContext, backup: CompleteBackup, file: string, signal: AbortSignal, seconds: { download?: number; readBack?: number }): Promise<{ ok: true; offsetsWritten: number } | { ok: false; reason: string }> {
  const key = backup.artifact.key;
  // A matching SHA-256 of the stored bytes means the archive the backup read; zstd checks its frames
  // as it decompresses. The file is then read back (checkScratchArchive), and pg_restore --list
  // proves that this pg_restore reads its table of contents.
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  // An encrypted artifact is decrypted here first, so its plaintext passes through this process.
  const read = backup.manifest.compression === "zstd" && !backup.manifest.encryption ? await downloadThroughZstd(job, backup, file, signal) : await downloadThroughNode(job, backup, file);
  seconds.download = since();
  if (read.sizeBytes !== backup.manifest.sizeBytes || read.sha256 !== backup.manifest.sha256) {
    throw new JobError(`The backup ${key} is corrupt: ${read.sizeBytes} bytes with SHA-256 ${read.sha256}, but its manifest says ${backup.manifest.sizeBytes} bytes with ${backup.manifest.sha256}. The target was not touched.`, {
      hint: "Restore an earlier backup with --at, or from the replica vault.",
    });
  }
  if (read.error) {
    if ((read.error as NodeJS.ErrnoException).code === "ENOSPC" || /No space left/i.test(read.error.message)) return { ok: false, reason: `the scratch space filled up while downloading (${describeError(read.error)})` };
    throw new JobError(`The backup ${key} does not decode: ${describeError(read.error)}. The target was not touched.`, { hint: "Restore an earlier backup with --at." });
  }
  // What pg_restore will read, read back from the disk, and given the data offsets pg_dump could not write.
  const { offsetsWritten } = await checkScratchArchive(file, backup.manifest);
  seconds.readBack = since() - seconds.download;
  return { ok: true, offsetsWritten };
}

/** Proves that `pgRestore` reads the table of contents of the scratch file `file` (of artifact `key`). */
async function listArchive(pgRestore: string, file: string, key: string): Promise<void> {
  const list = await runTool("pg_restore --list", pgRestore, ["--list", file], toolEnvironment()).catch((error: Error) => {
    throw new JobError(`pg_restore cannot read the table of contents of ${key}: ${error.message}. The target was not touched.`, { cause: error });
  });
  if (!/^\d+;/m.test(list)) throw new JobError(`pg_restore --list read no table of contents entries from ${key}. The target was not touched.`);
}

/** What a download into a scratch file read, and why decoding failed if it did. */
interface Downloaded {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly error?: Error;
}

async function downloadThroughNode(job: JobContext, backup: CompleteBackup, file: string): Promise<Downloaded> {
  const tools = toolPaths(job.config);
  const read = await readArtifact(job.vault, job.config.vault.bucket, backup, tools.zstd, (decoded) => pipeline(decoded, createWriteStream(file, { highWaterMark: 1024 * 1024 })), {}, await jobAgeIdentities(job));
  return { sizeBytes: read.sizeBytes, sha256: read.sha256, ...(read.decoded.ok ? {} : { error: read.decoded.error }) };
}

/**
 * The stored bytes are hashed here and handed to `zstd -d -o <file>`, which writes the archive
 * itself: the decompressed bytes, several times the stored ones, never pass through this process.
 * A zstd that gives up does not stop the hash.
 */
async function downloadThroughZstd(job: JobContext, backup: CompleteBackup, file: string, signal: AbortSignal): Promise<Downloaded> {
  const tools = toolPaths(job.config);
  const bucket = job.config.vault.bucket;
  const key = backup.artifact.key;
  if (!(await hasZstd(tools.zstd))) throw new JobError(`This backup is compressed with zstd, but zstd could not be started from "${tools.zstd}". The target was not touched.`, { hint: "Install zstd or set `tools.zstd` to its path." });
  let response;
  try {
    response = await job.vault.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (error) {
    throw new JobError(`Reading s3://${bucket}/${key} failed: ${describeError(error)}.`, { cause: error });
  }
  const zstd = new ToolProcess("zstd -d", tools.zstd, ["-d", "-q", "-f", "-o", file], { env: toolEnvironment(), stdin: "pipe", stdout: "ignore" });
  zstd.stdin.on("error", () => undefined);
  const digest = new DigestStream();
  await pipeline(response.Body as Readable, digest, new SoftTee([zstd.stdin]), { signal }).catch((error: Error) => {
    zstd.kill();
    throw new JobError(`Reading s3://${bucket}/${key} failed: ${describeError(error)}.`, { cause: error });
  });
  zstd.stdin.end();
  const error = await zstd.exited.then(
    () => undefined,
    (e: Error) => e,
  );
  return { sizeBytes: digest.bytes, sha256: digest.sha256, ...(error ? { error } : {}) };
}
