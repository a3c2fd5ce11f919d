import { JOB_TIMEOUT_MINUTES } from "./objectives";

/**
 * The backup-health endpoint (`lifeboat health-server`): what it serves, how long it trusts what it
 * read, and when it calls the verification report stale. The runner's design and the server read
 * these constants, so the uptime check and the server cannot disagree on port or path.
 */

/** The path the health endpoint answers on; any other path is 404. */
export const HEALTH_PATH = "/healthz";
/** The port the health endpoint listens on unless told otherwise. */
export const DEFAULT_HEALTH_PORT = 8080;
/**
 * The address the health endpoint binds unless told otherwise: every interface, because the uptime
 * check probes it from outside (the runner's firewall opens only this port). Tests pass 127.0.0.1.
 */
export const DEFAULT_HEALTH_HOST = "0.0.0.0";
/**
 * How long the endpoint reuses what it read from the vault. Uptime checks probe every minute from
 * several regions; with this cache they cost one listing per source per minute at most.
 */
export const DEFAULT_HEALTH_CACHE_SECONDS = 60;
/**
 * How long, in minutes, an uptime check takes to notice a failing endpoint: DigitalOcean's checks
 * probe once a minute.
 */
export const UPTIME_PROBE_MINUTES = 1;

/** Why a source is not healthy, as the endpoint's JSON names it. */
export type HealthReasonCode =
  | "no-backup"
  | "backup-late"
  | "backup-incomplete"
  | "vault-unreachable"
  | "verify-failed"
  | "verify-report-missing"
  | "verify-report-unreadable"
  | "verify-report-stale"
  | "verify-report-lacks-source"
  | "drill-failed"
  | "drill-stale"
  | "drill-slow";

/** One reason a source fails, for people and for machines. */
export interface HealthReason {
  readonly reason: HealthReasonCode;
  readonly detail: string;
}

/** What the endpoint says about one source. */
export interface SourceHealth {
  readonly source: string;
  readonly healthy: boolean;
  readonly rpoMinutes: number;
  /** The newest complete backup. @default - none (no complete backup, or the vault could not be read) */
  readonly newest?: { readonly artifactKey: string; readonly startedAt: string; readonly ageMinutes: number };
  /** The verification report's verdict on this source. @default - none (no usable report) */
  readonly verify?: { readonly ok: boolean; readonly checkedAt: string };
  /** The newest restore drill, for a watched source. @default - none (drills not watched, or never drilled) */
  readonly drill?: { readonly drilledAt: string; readonly outcome: "succeeded" | "failed"; readonly restoreSeconds?: number; readonly lastSucceededAt?: string };
  readonly reasons: readonly HealthReason[];
}

/**
 * How the health endpoint watches one source's restore drills (`lifeboat health-server
 * --drills-file`): the same three conditions, with the same numbers, as the AWS estate's drill alarms
 * (see `drillAlarmSpecs`). A failed or slow drill fails the endpoint for `alarmWindowMinutes` after it
 * finished (as the AWS alarms look at a day), so a failed drill pages once and does not hold the
 * dead-man's switch down for a month, hiding late backups; if no drill succeeds after it, the
 * staleness condition pages again.
 */
export interface DrillWatch {
  readonly source: string;
  /** How often the drill is scheduled. */
  readonly everyMinutes: number;
  /** No successful drill for longer than this (the interval plus a day of grace) fails the endpoint. */
  readonly staleAfterMinutes: number;
  /** The source's RTO: a successful drill whose restore took longer fails the endpoint. */
  readonly rtoMinutes: number;
  /** How long a failed or slow drill keeps failing the endpoint after it finished. */
  readonly alarmWindowMinutes: number;
}

/** The endpoint's JSON body: 200 with `healthy: true`, 503 with every failing source and why. */
export interface HealthResponse {
  readonly healthy: boolean;
  readonly checkedAt: string;
  /** When the vault was last read (the endpoint caches what it read). */
  readonly vaultReadAt: string;
  readonly sources: readonly SourceHealth[];
  /** The failing sources' reasons, one line each. @default - none (healthy) */
  readonly failing?: readonly string[];
}

/**
 * The age past which a source's newest complete backup is late: its RPO, or, when the backups are
 * scheduled too sparsely to meet the RPO alone (point-in-time recovery meets it), the schedule's
 * interval plus the window a run has to finish ({@link JOB_TIMEOUT_MINUTES}), so a daily dump still
 * running is not late. Verification's freshness check and the health endpoint both judge by it.
 */
export function backupFreshnessLimitMinutes(source: { readonly rpoMinutes: number; readonly intervalMinutes?: number }): number {
  return Math.max(source.rpoMinutes, source.intervalMinutes !== undefined ? source.intervalMinutes + JOB_TIMEOUT_MINUTES : 0);
}

/**
 * The oldest a verification report may be before the endpoint fails: two verification intervals
 * (one run may fail to start, or run until the next is due) plus 5 minutes for the run itself.
 */
export function healthReportMaxAgeMinutes(verifyIntervalMinutes: number): number {
  return 2 * verifyIntervalMinutes + 5;
}

/**
 * The longest a dead-man's switch takes to page after a backup became late: the endpoint's cache,
 * one probe, and the alert's period (how long the check must fail before anyone is paged).
 */
export function deadMansSwitchDelayMinutes(alertPeriodMinutes: number, cacheSeconds = DEFAULT_HEALTH_CACHE_SECONDS): number {
  return Math.ceil(cacheSeconds / 60) + UPTIME_PROBE_MINUTES + alertPeriodMinutes;
}

/** Every way `value` (parsed JSON) is not a list of {@link DrillWatch}; empty when it is one. */
export function drillWatchProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return ["the drill watches must be a JSON list such as [{ \"source\": \"postgres-main\", \"everyMinutes\": 43200, \"staleAfterMinutes\": 44640, \"rtoMinutes\": 240, \"alarmWindowMinutes\": 1440 }]"];
  const problems: string[] = [];
  value.forEach((w: Record<string, unknown> | null, i) => {
    if (typeof w?.source !== "string" || w.source === "") problems.push(`[${i}].source (${JSON.stringify(w?.source)}) must name a source of the job configuration.`);
    for (const field of ["everyMinutes", "staleAfterMinutes", "rtoMinutes", "alarmWindowMinutes"] as const) {
      const n = w?.[field];
      if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) problems.push(`[${i}].${field} (${JSON.stringify(n)}) must be a positive number of minutes.`);
    }
  });
  return problems;
}
