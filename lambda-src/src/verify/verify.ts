import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { backupFreshnessLimitMinutes, backupStamp, JOB_METRICS, objectCopiesPrefix, type SourceConfig, type VerifyChecks } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { findSources, toolPaths, type JobContext } from "../context";
import { clientForRestoreInto, pgRestoreForListing } from "../postgres/tools";
import { drillAgeMinutes } from "../drill/records";
import { describeConnection, serverConnection, sourceConnection, withDatabase } from "../postgres/connection";
import { missingRoles } from "../postgres/roles";
import { countRows, dropDatabase, prepareTarget, startPgRestore } from "../postgres/target";
import { readArtifact } from "../s3/artifact";
import { AGE_IDENTITY_ENV, AGE_IDENTITY_FILE_ENV, ageCiphertextSizer, jobAgeIdentities, type AgeIdentities } from "../support/age";
import { catalogSource, listObjects, sizeMismatch, type CompleteBackup, type SourceCatalog } from "../s3/catalog";
import { replicaClient } from "../s3/client";
import { describeError, JobError } from "../support/errors";
import { readDecoded, tableDifferences, type DecodedContents } from "./decoded-checks";

/** The outcome of one check. `skip` means the check does not apply yet (no previous backup, say). */
export interface CheckResult {
  readonly check: "freshness" | "completeness" | "integrity" | "consistency" | "restorability" | "test-restore" | "replica";
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
  /** Keys of the backups or artifacts concerned. */
  readonly keys?: readonly string[];
}

/** Verification of one source. */
export interface SourceReport {
  readonly source: string;
  readonly kind: SourceConfig["kind"];
  readonly ok: boolean;
  /** Which checks ran: every one, or only the replica's (`sources[i].verify.checks`). */
  readonly checked: VerifyChecks;
  readonly completeBackups: number;
  readonly newest?: { readonly artifactKey: string; readonly startedAt: string; readonly ageMinutes: number; readonly sizeBytes: number; readonly tier: string };
  readonly missedRuns: number;
  readonly incompleteBackups: number;
  readonly checks: readonly CheckResult[];
}

/** The structured report of a verification run. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly sources: readonly SourceReport[];
}

const DEFAULT_TOLERANCE = 0.1;

/**
 * Verifies each source's backups (all configured sources when `names` is empty): freshness against
 * the RPO, completeness, integrity (size and SHA-256 streamed from the vault), consistency of size
 * with the previous backup, restorability (the archive reads; optionally a test restore), and the
 * replica; a source with `verify.checks: "replica-only"` gets the replica check only. Emits
 * BackupAgeMinutes, VerifyFailed, MissedRuns and IncompleteBackups per source (a replica-only
 * source's from the vault's listing and its replica check), logs each failure, and returns the
 * report; {@link runVerify} throws when anything failed.
 */
export async function verifySources(job: JobContext, names: readonly string[] = []): Promise<VerifyReport> {
  const sources = names.length ? findSources(job.config, names) : job.config.sources;
  const reports: SourceReport[] = [];
  for (const source of sources) {
    const report = await verifySource(job, source);
    reports.push(report);
    // The drill staleness alarm reads this: a metric alarm cannot look back a month for a success.
    const drillAge = await drillAgeMinutes(job, source.name).catch((error: unknown) => {
      job.output.log({ level: "warn", event: "verify.drill-records", message: `${source.name}: the drill records could not be read: ${describeError(error)}.`, source: source.name });
      return undefined;
    });
    job.output.metrics(source.name, {
      ...(drillAge !== undefined ? { [JOB_METRICS.drillAgeMinutes]: drillAge } : {}),
      ...(report.newest ? { [JOB_METRICS.backupAgeMinutes]: report.newest.ageMinutes } : {}),
      [JOB_METRICS.verifyFailed]: report.ok ? 0 : 1,
      [JOB_METRICS.missedRuns]: report.missedRuns,
      [JOB_METRICS.incompleteBackups]: report.incompleteBackups,
    });
    for (const c of report.checks.filter((c) => c.status === "fail")) {
      job.output.log({ level: "error", event: "verify.failed", message: `${source.name}: ${c.check} failed: ${c.detail}`, source: source.name, check: c.check, ...(c.keys ? { keys: c.keys } : {}) });
    }
    job.output.log({ level: report.ok ? "info" : "error", event: "verify.source", message: `${source.name}: ${report.ok ? "every check passed" : "verification failed"}.`, source: source.name, checks: report.checks.map((c) => `${c.check}:${c.status}`).join(" ") });
  }
  return { ok: reports.every((r) => r.ok), checkedAt: job.now().toISOString(), sources: reports };
}

/** Verifies, then throws a {@link JobError} naming every failed check if any failed. */
export async function runVerify(job: JobContext, names: readonly string[] = []): Promise<VerifyReport> {
  const report = await verifySources(job, names);
  if (!report.ok) throw new VerifyFailedError(report);
  return report;
}

/** Verification found problems; carries the full report. */
export class VerifyFailedError extends JobError {
  constructor(readonly report: VerifyReport) {
    const failed = report.sources.flatMap((s) => s.checks.filter((c) => c.status === "fail").map((c) => `${s.source} ${c.check}: ${c.detail}`));
    super(`Verification failed (${failed.length} checks):\n  - ${failed.join("\n  - ")}`);
    this.name = "VerifyFailedError";
  }
}

async function verifySource(job: JobContext, source: SourceConfig): Promise<SourceReport> {
  const checks: CheckResult[] = [];
  const now = job.now();
  const checked: VerifyChecks = source.verify?.checks ?? "all";
  let catalog: SourceCatalog;
  try {
    catalog = await catalogSource(job.vault, job.config.vault.bucket, source.name, job.config.vault.tiers);
  } catch (error) {
    checks.push({ check: checked === "replica-only" ? "replica" : "completeness", status: "fail", detail: `the vault could not be listed: ${describeError(error)}` });
    return { source: source.name, kind: source.kind, ok: false, checked, completeBackups: 0, missedRuns: 0, incompleteBackups: 0, checks };
  }
  const { complete, incomplete } = catalog;
  const newest = complete[complete.length - 1];
  const interval = source.intervalMinutes ?? source.rpoMinutes;
  const ageMinutes = newest ? Math.max(0, (now.getTime() - newest.entry.startedAt.getTime()) / 60_000) : 0;
  const missedRuns = newest ? Math.floor(ageMinutes / interval) : 0;
  const newestInfo: SourceReport["newest"] = newest
    ? { artifactKey: newest.artifact.key, startedAt: newest.manifest.startedAt, ageMinutes: Math.round(ageMinutes * 10) / 10, sizeBytes: newest.manifest.sizeBytes, tier: newest.manifest.tier }
    : undefined;

  if (checked === "replica-only") {
    // The primary copy is verified elsewhere (a Fargate task); the listing still gives the age the freshness alarm watches.
    checks.push(
      job.config.vault.replica
        ? await checkReplica(job, complete, now)
        : { check: "replica", status: "fail", detail: `${source.name} is to be verified in the replica only, but the configuration has no \`vault.replica\`` },
    );
    return { source: source.name, kind: source.kind, ok: checks.every((c) => c.status !== "fail"), checked, completeBackups: complete.length, ...(newestInfo ? { newest: newestInfo } : {}), missedRuns, incompleteBackups: incomplete.length, checks };
  }

  // Freshness.
  if (!newest) {
    checks.push({ check: "freshness", status: "fail", detail: `there is no complete backup of ${source.name} in s3://${job.config.vault.bucket}/${source.name}/` });
  } else {
    const limit = backupFreshnessLimitMinutes(source);
    const fresh = ageMinutes <= limit;
    checks.push({
      check: "freshness",
      status: fresh ? "pass" : "fail",
      detail: `the newest complete backup started ${ageMinutes.toFixed(1)} minutes ago (RPO ${source.rpoMinutes} minutes${limit > source.rpoMinutes ? `; a backup every ${interval} minutes is late after ${limit}` : ""})${missedRuns ? `; ${missedRuns} scheduled runs missed since` : ""}`,
      keys: [newest.artifact.key],
    });
  }

  // Completeness.
  checks.push(
    incomplete.length === 0
      ? { check: "completeness", status: "pass", detail: `${complete.length} complete backups, none incomplete` }
      : {
          check: "completeness",
          status: "fail",
          detail: `${incomplete.length} incomplete: ${incomplete.map((i) => i.reason).join("; ")}`,
          keys: incomplete.map((i) => i.entry.artifact?.key ?? i.entry.manifestObject!.key),
        },
  );

  // Integrity: sizes of every complete backup from the listing; SHA-256 of the newest few by streaming.
  const sizeMismatches = complete.filter((b) => sizeMismatch(b));
  const toHash = complete.slice(-(job.config.verify?.checksumBackups ?? 1)).reverse();
  const hashFailures: string[] = [];
  let decodedNewest: { backup: CompleteBackup; result: { ok: true; value: DecodedContents } | { ok: false; error: Error } } | undefined;
  const tools = toolPaths(job.config);
  // Encrypted backups are checked by their ciphertext's size and SHA-256 without a key; their
  // contents are read only when this job holds an identity.
  let keys: AgeIdentities | undefined;
  let keysProblem: string | undefined;
  if (complete.some((b) => b.manifest.encryption)) keys = await jobAgeIdentities(job).catch((error: unknown) => void (keysProblem = describeError(error)));
  for (const backup of toHash) {
    if (backup.artifact.size !== backup.manifest.sizeBytes) continue;
    try {
      const pgRestore = backup.manifest.kind === "postgres" && (!backup.manifest.encryption || keys) ? await pgRestoreForListing(job, backup.manifest) : tools.pgRestore;
      const read = await readArtifact(job.vault, job.config.vault.bucket, backup, tools.zstd, (decoded) => readDecoded(backup.manifest, decoded, pgRestore), {}, keys);
      if (read.sha256 !== backup.manifest.sha256) hashFailures.push(`${backup.artifact.key}: SHA-256 is ${read.sha256}, the manifest says ${backup.manifest.sha256}`);
      if (backup === newest) decodedNewest = { backup, result: read.decoded };
    } catch (error) {
      hashFailures.push(`${backup.artifact.key}: ${describeError(error)}`);
    }
  }
  if (complete.length === 0) checks.push({ check: "integrity", status: "skip", detail: "no complete backup to check" });
  else if (sizeMismatches.length || hashFailures.length) {
    checks.push({
      check: "integrity",
      status: "fail",
      detail: [...sizeMismatches.map((b) => `${b.artifact.key}: ${sizeMismatch(b)}`), ...hashFailures].join("; "),
      keys: [...sizeMismatches.map((b) => b.artifact.key), ...hashFailures.map((f) => f.split(":")[0]!)],
    });
  } else {
    checks.push({ check: "integrity", status: "pass", detail: `sizes match for ${complete.length} backups; SHA-256 recomputed and matching for ${toHash.length}` });
  }

  // Consistency: size against the previous complete backup.
  const tolerance = job.config.verify?.sizeTolerance ?? DEFAULT_TOLERANCE;
  const previous = complete[complete.length - 2];
  if (!newest || !previous) checks.push({ check: "consistency", status: "skip", detail: "fewer than two complete backups to compare" });
  else {
    const change = previous.manifest.sizeBytes === 0 ? (newest.manifest.sizeBytes === 0 ? 0 : Infinity) : newest.manifest.sizeBytes / previous.manifest.sizeBytes - 1;
    const within = Math.abs(change) <= tolerance;
    checks.push({
      check: "consistency",
      status: within ? "pass" : "fail",
      detail: `the newest backup is ${newest.manifest.sizeBytes} bytes, ${(change * 100).toFixed(1)}% against the previous (${previous.manifest.sizeBytes} bytes); allowed ±${(tolerance * 100).toFixed(0)}%`,
      keys: [newest.artifact.key, previous.artifact.key],
    });
  }

  // Restorability of the newest.
  if (!newest) checks.push({ check: "restorability", status: "skip", detail: "no complete backup" });
  else if (newest.manifest.encryption && !keys && decodedNewest) {
    checks.push(
      keysProblem
        ? { check: "restorability", status: "fail", detail: `${newest.artifact.key} is encrypted, and ${keysProblem}`, keys: [newest.artifact.key] }
        : {
            check: "restorability",
            status: "skip",
            detail: `${newest.artifact.key} is encrypted to age recipients ${newest.manifest.encryption.recipients.join(", ")}: its ciphertext's size and SHA-256 were checked, its contents were not inspected (no identity given; set ${AGE_IDENTITY_ENV} or ${AGE_IDENTITY_FILE_ENV} where verification may decrypt)`,
            keys: [newest.artifact.key],
          },
    );
  } else if (!decodedNewest) checks.push({ check: "restorability", status: "fail", detail: `${newest.artifact.key} could not be read (see integrity)`, keys: [newest.artifact.key] });
  else if (!decodedNewest.result.ok) checks.push({ check: "restorability", status: "fail", detail: `${newest.artifact.key} does not read: ${describeError(decodedNewest.result.error)}`, keys: [newest.artifact.key] });
  else {
    const contents = decodedNewest.result.value;
    const problems = [...(contents.tables && newest.manifest.tables ? tableDifferences(newest.manifest.tables, contents.tables) : []), ...(contents.index ? await missingCopies(job, source.name, contents.index, newest.manifest.encryption?.recipients) : [])];
    checks.push(
      problems.length
        ? { check: "restorability", status: "fail", detail: `${newest.artifact.key}: ${problems.slice(0, 10).join("; ")}`, keys: [newest.artifact.key] }
        : { check: "restorability", status: "pass", detail: `${newest.artifact.key}: ${contents.detail}${contents.tables ? ", and its row counts match the manifest" : ""}`, keys: [newest.artifact.key] },
    );
  }

  if (job.config.verify?.testRestore && source.kind === "postgres") {
    checks.push(
      newest?.manifest.encryption && !keys
        ? { check: "test-restore", status: keysProblem ? "fail" : "skip", detail: `${newest.artifact.key} is encrypted and ${keysProblem ?? "no identity was given"}, so it was not test-restored`, keys: [newest.artifact.key] }
        : await testRestore(job, source, newest, keys),
    );
  }
  if (job.config.vault.replica) checks.push(await checkReplica(job, complete, now));

  return {
    source: source.name,
    kind: source.kind,
    ok: checks.every((c) => c.status !== "fail"),
    checked,
    completeBackups: complete.length,
    ...(newestInfo ? { newest: newestInfo } : {}),
    missedRuns,
    incompleteBackups: incomplete.length,
    checks,
  };
}

/** Copies an objects index refers to that are missing from the vault or have another size (encrypted: the ciphertext's). */
async function missingCopies(job: JobContext, source: string, index: readonly { key: string; copy: string; size: number }[], recipients?: readonly string[]): Promise<string[]> {
  const stored = new Map<string, number>();
  for await (const o of listObjects(job.vault, job.config.vault.bucket, objectCopiesPrefix(source))) stored.set(o.key, o.size);
  const size = recipients ? await ageCiphertextSizer(recipients) : (bytes: number) => bytes;
  return index.filter((e) => stored.get(e.copy) !== size(e.size)).map((e) => `the copy of ${e.key} (${e.copy}) is ${stored.has(e.copy) ? `${stored.get(e.copy)} bytes, not ${size(e.size)}` : "missing"}`);
}

/** Restores the newest backup into a scratch database, compares row counts with the manifest, drops it. */
async function testRestore(job: JobContext, source: Extract<SourceConfig, { kind: "postgres" }>, newest: CompleteBackup | undefined, keys: AgeIdentities | undefined): Promise<CheckResult> {
  if (!newest) return { check: "test-restore", status: "skip", detail: "no complete backup" };
  const tools = toolPaths(job.config);
  const scratchServer = job.config.verify?.scratch;
  const base = scratchServer ? await serverConnection(scratchServer, "postgres", "verify.scratch", job.env) : await sourceConnection(source, job.config.sources.indexOf(source), job.env);
  const scratch = withDatabase(base, `lifeboat_verify_${backupStamp(job.now()).toLowerCase()}`);
  try {
    const client = await clientForRestoreInto(job, newest.manifest, scratch);
    await prepareTarget(tools.psql, scratch, job.env);
    // Owners and privileges too when the scratch server has every role the backup needs.
    const roles = newest.manifest.roles;
    const missing = roles ? await missingRoles(tools.psql, scratch, [...new Set([...roles.owners, ...roles.grantees])], job.env) : [];
    const grants = { owners: !!roles && missing.length === 0, privileges: !!roles && missing.length === 0 };
    const restore = startPgRestore(client.pgRestore, scratch, grants, job.env);
    const read = await readArtifact(job.vault, job.config.vault.bucket, newest, tools.zstd, async (decoded: Readable) => {
      await new Promise<void>((resolve, reject) => pipeline(decoded, restore.stdin, (e) => (e ? reject(e) : resolve())));
      await restore.exited;
    }, {}, keys);
    if (!read.decoded.ok) throw read.decoded.error;
    const counted = await countRows(tools.psql, scratch, job.env);
    const problems = tableDifferences(newest.manifest.tables ?? [], counted);
    return problems.length
      ? { check: "test-restore", status: "fail", detail: `restored into ${describeConnection(scratch)}, but ${problems.slice(0, 10).join("; ")}`, keys: [newest.artifact.key] }
      : {
          check: "test-restore",
          status: "pass",
          detail: `restored into a scratch database ${grants.owners ? "with owners and privileges" : `without owners and privileges (${roles ? `the scratch server lacks ${missing.join(", ")}` : "the backup predates role capture"})`}; ${counted.length} tables' row counts match the manifest`,
          keys: [newest.artifact.key],
        };
  } catch (error) {
    return { check: "test-restore", status: "fail", detail: `restoring ${newest.artifact.key} into ${describeConnection(scratch)} failed: ${describeError(error)}`, keys: [newest.artifact.key] };
  } finally {
    await dropDatabase(tools.psql, scratch, job.env).catch(() => undefined);
  }
}

/** The newest backup old enough to have been replicated must be in the replica vault, with its manifest. */
async function checkReplica(job: JobContext, complete: readonly CompleteBackup[], now: Date): Promise<CheckResult> {
  const replica = job.config.vault.replica!;
  const client: S3Client = replicaClient(job.config.vault)!;
  const lagMinutes = job.config.verify?.replicaLagMinutes ?? 15;
  const due = [...complete].reverse().find((b) => now.getTime() - Date.parse(b.manifest.finishedAt) >= lagMinutes * 60_000);
  if (!due) return { check: "replica", status: "skip", detail: `no backup is older than the replication window (${lagMinutes} minutes) yet` };
  const missing: string[] = [];
  for (const key of [due.artifact.key, ...(due.manifest.companions ?? []).map((c) => c.key), due.entry.manifestObject!.key]) {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: replica.bucket, Key: key }));
      if (key === due.artifact.key && head.ContentLength !== due.manifest.sizeBytes) missing.push(`${key} is ${head.ContentLength} bytes in the replica, not ${due.manifest.sizeBytes}`);
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      missing.push(status === 404 ? `${key} is not in s3://${replica.bucket}` : `${key}: ${describeError(error)}`);
    }
  }
  return missing.length
    ? { check: "replica", status: "fail", detail: missing.join("; "), keys: [due.artifact.key] }
    : { check: "replica", status: "pass", detail: `${due.artifact.key} and its manifest are in s3://${replica.bucket}`, keys: [due.artifact.key] };
}
