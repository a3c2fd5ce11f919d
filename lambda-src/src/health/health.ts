import {
  backupFreshnessLimitMinutes,
  type DrillWatch,
  type HealthReason,
  type HealthResponse,
  type SourceConfig,
  type SourceHealth,
} from "@lifeboat/constructs/core";
import { readFile } from "node:fs/promises";
import type { JobContext } from "../context";
import { drillHistory, type DrillHistory } from "../drill/records";
import { newestBackup } from "../s3/catalog";
import { describeError } from "../support/errors";
import type { VerifyReport } from "../verify/verify";

/** What the vault held for one source when it was last read, or why it could not be read. */
export type VaultSourceState =
  | { readonly newest?: { readonly artifactKey: string; readonly startedAt: Date }; readonly newerIncomplete: readonly { readonly startedAt: Date; readonly reason: string; readonly broken?: true }[] }
  | { readonly error: string };

/** One watched source's drill records as last read, or why they could not be read. */
export type DrillState = DrillHistory | { readonly error: string };

/** The vault as the health endpoint last read it. */
export interface VaultState {
  readonly readAt: Date;
  readonly sources: ReadonlyMap<string, VaultSourceState>;
  /** Per watched source, its drill records. @default - none (drills not watched) */
  readonly drills?: ReadonlyMap<string, DrillState>;
}

/** The verification report file as read: its content, or why there is none to trust. */
export type ReportState = { readonly report: VerifyReport & { readonly writtenAt?: string } } | { readonly missing: string } | { readonly unreadable: string };

/** What judging needs besides the vault and the report. */
export interface HealthJudgement {
  /** The report's file; without it verification is not judged. @default - none */
  readonly reportFile?: string;
  /** @default - no limit */
  readonly reportMaxAgeMinutes?: number;
  /** The restore drills to judge (`--drills-file`). @default - none (drills not judged) */
  readonly drillWatches?: readonly DrillWatch[];
  /** Since when a never-drilled source counts as waiting for its first drill: the endpoint's start. @default - now (never stale) */
  readonly watchingSince?: Date;
}

/**
 * Reads each configured source's newest complete backup (and newer incomplete ones), and each watched
 * source's drill records, one source's failure not hiding the others.
 */
export async function readVaultState(job: JobContext, drillWatches: readonly DrillWatch[] = []): Promise<VaultState> {
  const readAt = job.now();
  const sources = new Map<string, VaultSourceState>();
  const drills = new Map<string, DrillState>();
  await Promise.all([
    ...drillWatches.map(async ({ source }) => {
      try {
        drills.set(source, await drillHistory(job, source));
      } catch (error) {
        drills.set(source, { error: describeError(error) });
      }
    }),
    ...job.config.sources.map(async (source) => {
      try {
        const { newest, newerIncomplete } = await newestBackup(job.vault, job.config.vault.bucket, source.name, job.config.vault.tiers);
        sources.set(source.name, {
          ...(newest ? { newest: { artifactKey: newest.artifact.key, startedAt: newest.entry.startedAt } } : {}),
          newerIncomplete: newerIncomplete.map((i) => ({ startedAt: i.entry.startedAt, reason: i.reason, ...(i.broken ? { broken: i.broken } : {}) })),
        });
      } catch (error) {
        sources.set(source.name, { error: describeError(error) });
      }
    }),
  ]);
  return { readAt, sources, ...(drillWatches.length > 0 ? { drills } : {}) };
}

/** Reads the verification report written by `lifeboat verify --report-file`. */
export async function readReportState(file: string): Promise<ReportState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { missing: `${file} does not exist: no verification has finished since the runner started` } : { unreadable: `${file} cannot be read: ${describeError(error)}` };
  }
  try {
    const report = JSON.parse(text) as VerifyReport & { writtenAt?: string };
    if (typeof report !== "object" || report === null || !Array.isArray(report.sources) || Number.isNaN(Date.parse(report.writtenAt ?? report.checkedAt))) return { unreadable: `${file} is not a verification report (no sources or no time)` };
    return { report };
  } catch (error) {
    return { unreadable: `${file} is not JSON: ${(error as Error).message}` };
  }
}

const minutes = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 60_000);
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Judges every configured source: its newest complete backup within the freshness limit (the RPO,
 * see {@link backupFreshnessLimitMinutes}), no backup newer than it left incomplete once its run is
 * over, the vault readable, and, when a report file is judged, a report younger than its maximum age
 * that covers the source and found it sound.
 */
export function judgeHealth(sources: readonly SourceConfig[], vault: VaultState, report: ReportState | undefined, now: Date, options: HealthJudgement = {}): HealthResponse {
  const reportTime = report && "report" in report ? new Date(report.report.writtenAt ?? report.report.checkedAt) : undefined;
  const reportAge = reportTime ? minutes(reportTime, now) : undefined;
  const judged: SourceHealth[] = sources.map((source) => {
    const reasons: HealthReason[] = [];
    const limit = backupFreshnessLimitMinutes(source);
    const state = vault.sources.get(source.name);
    let newest: SourceHealth["newest"];
    if (!state || "error" in state) {
      reasons.push({ reason: "vault-unreachable", detail: `the vault could not be listed for ${source.name}: ${state && "error" in state ? state.error : "not read yet"}` });
    } else {
      if (!state.newest) reasons.push({ reason: "no-backup", detail: `there is no complete backup of ${source.name} in the vault` });
      else {
        const age = minutes(state.newest.startedAt, now);
        newest = { artifactKey: state.newest.artifactKey, startedAt: state.newest.startedAt.toISOString(), ageMinutes: round(age) };
        if (age > limit) reasons.push({ reason: "backup-late", detail: `the newest complete backup of ${source.name} started ${round(age)} minutes ago; it is late after ${limit} minutes (RPO ${source.rpoMinutes} minutes)` });
      }
      // A run may still be going until the next is due: only a newer entry whose run is over is a failed backup.
      const runMinutes = source.intervalMinutes ?? source.rpoMinutes;
      const failed = state.newerIncomplete.filter((i) => i.broken || minutes(i.startedAt, now) > runMinutes);
      if (failed.length) reasons.push({ reason: "backup-incomplete", detail: `${failed.length} backup${failed.length === 1 ? "" : "s"} of ${source.name} newer than the newest complete one never finished or ${failed.length === 1 ? "is" : "are"} broken: ${failed.map((i) => i.reason).slice(0, 3).join("; ")}` });
    }
    let verify: SourceHealth["verify"];
    if (options.reportFile !== undefined) {
      if (!report || "missing" in report) reasons.push({ reason: "verify-report-missing", detail: report && "missing" in report ? report.missing : `${options.reportFile} was not read` });
      else if ("unreadable" in report) reasons.push({ reason: "verify-report-unreadable", detail: report.unreadable });
      else {
        const entry = report.report.sources.find((s) => s.source === source.name);
        if (options.reportMaxAgeMinutes !== undefined && reportAge! > options.reportMaxAgeMinutes) {
          reasons.push({ reason: "verify-report-stale", detail: `the last verification finished ${round(reportAge!)} minutes ago; one is expected at least every ${options.reportMaxAgeMinutes} minutes (is the verify timer running?)` });
        }
        if (!entry) reasons.push({ reason: "verify-report-lacks-source", detail: `the last verification (${reportTime!.toISOString()}) did not verify ${source.name}` });
        else {
          verify = { ok: entry.ok, checkedAt: reportTime!.toISOString() };
          if (!entry.ok) {
            const failedChecks = entry.checks.filter((c) => c.status === "fail").map((c) => `${c.check}: ${c.detail}`);
            reasons.push({ reason: "verify-failed", detail: `the last verification of ${source.name} (${reportTime!.toISOString()}) failed: ${failedChecks.slice(0, 3).join("; ") || "see the report"}` });
          }
        }
      }
    }
    const watch = options.drillWatches?.find((w) => w.source === source.name);
    const drill = watch ? judgeDrills(watch, vault.drills?.get(source.name), now, options.watchingSince ?? now, reasons) : undefined;
    return { source: source.name, healthy: reasons.length === 0, rpoMinutes: source.rpoMinutes, ...(newest ? { newest } : {}), ...(verify ? { verify } : {}), ...(drill ? { drill } : {}), reasons };
  });
  const failing = judged.flatMap((s) => s.reasons.map((r) => `${s.source}: ${r.reason}: ${r.detail}`));
  return { healthy: failing.length === 0, checkedAt: now.toISOString(), vaultReadAt: vault.readAt.toISOString(), sources: judged, ...(failing.length ? { failing } : {}) };
}

/**
 * Judges one source's restore drills as the AWS estate's three drill alarms do (the numbers come from
 * the same specs, see {@link DrillWatch}): the newest drill failed, or restored slower than the RTO,
 * within `alarmWindowMinutes` of finishing; no drill succeeded for longer than `staleAfterMinutes`
 * (counted from the first drill while none has succeeded, and from `watchingSince` while there is none).
 */
export function judgeDrills(watch: DrillWatch, state: DrillState | undefined, now: Date, watchingSince: Date, reasons: HealthReason[]): SourceHealth["drill"] {
  const name = watch.source;
  if (!state || "error" in state) {
    reasons.push({ reason: "vault-unreachable", detail: `the drill records of ${name} could not be listed: ${state && "error" in state ? state.error : "not read yet"}` });
    return undefined;
  }
  const newest = state.newest;
  const record = newest?.record;
  if (newest && !record) reasons.push({ reason: "drill-failed", detail: `the newest drill record of ${name} (${newest.at.toISOString()}) is not a drill record this version reads; run the drill again` });
  else if (record) {
    const sinceFinished = minutes(new Date(record.finishedAt), now);
    if (sinceFinished <= watch.alarmWindowMinutes) {
      if (record.outcome === "failed") {
        const failed = record.checks.filter((c) => c.status === "fail").map((c) => `${c.check}: ${c.detail}`);
        reasons.push({ reason: "drill-failed", detail: `the restore drill of ${name} on ${record.startedAt} failed: ${record.error ?? ""}${failed.length ? ` (${failed.slice(0, 3).join("; ")})` : ""}; its record is in drills/${name}/` });
      } else if (record.restoreSeconds !== undefined && record.restoreSeconds > watch.rtoMinutes * 60) {
        reasons.push({ reason: "drill-slow", detail: `the restore drill of ${name} on ${record.startedAt} took ${round(record.restoreSeconds / 60)} minutes to restore, over the RTO of ${watch.rtoMinutes} minutes` });
      }
    }
  }
  const last = state.lastSucceeded;
  const since = last ? new Date(last.startedAt) : (state.firstAt ?? watchingSince);
  const age = minutes(since, now);
  if (age > watch.staleAfterMinutes) {
    const what = last ? `the last successful restore drill of ${name} started ${round(age / 1440)} days ago` : state.firstAt ? `no restore drill of ${name} has succeeded since the first on ${since.toISOString()}` : `no restore drill of ${name} has run since the endpoint started ${round(age / 1440)} days ago`;
    reasons.push({ reason: "drill-stale", detail: `${what}; one is due every ${round(watch.everyMinutes / 1440)} days (is the drill runner's timer running?)` });
  }
  return record
    ? { drilledAt: record.startedAt, outcome: record.outcome, ...(record.restoreSeconds !== undefined ? { restoreSeconds: record.restoreSeconds } : {}), ...(last && last !== record ? { lastSucceededAt: last.startedAt } : {}) }
    : undefined;
}
