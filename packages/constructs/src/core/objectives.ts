import { checkRegion } from "./aws/aws-names";
import { Duration, type DurationInput, plural } from "./duration";
import { describeMinutes } from "./posture";
import { Problems } from "./errors";
import { checkRetention, DEFAULT_RETENTION, type Retention, type RetentionArgs } from "./retention";
import { checkSourceName } from "./vault-layout";

/**
 * What the business asks of its backups, declared once for the whole estate. Everything else
 * (schedules, retention days, alarm thresholds, restore order) is derived from it.
 *
 * @example
 * const objectives: ObjectivesArgs = {
 *   rpo: "1h",
 *   rto: "4h",
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" },
 *   drRegion: "us-west-2",
 * };
 */
export interface ObjectivesArgs {
  /** Recovery point objective: the most data, in time, the business accepts to lose. */
  readonly rpo: DurationInput;
  /** Recovery time objective: how long restoring service may take. */
  readonly rto: DurationInput;
  /**
   * How long backups are kept, per tier.
   * @default - dailies 35 days, weeklies 90 days, monthlies 365 days
   */
  readonly retention?: RetentionArgs;
  /** The disaster-recovery region: where every off-site copy lives. */
  readonly drRegion: string;
  /**
   * The primary region, to refuse a DR region equal to it before anything is created.
   * @default - the `aws:region` config when the engine layer can read it
   */
  readonly primaryRegion?: string;
}

/**
 * How a source is run, which decides what native protection it has:
 * - `rds-instance`, `aurora-cluster`: automated backups with point-in-time recovery (PITR);
 * - `elasticache`: one automatic snapshot a day, and no replication commands (so no logical dump);
 * - `self-managed`: only what Lifeboat's jobs copy (a PostgreSQL or Redis server reachable by host);
 * - `s3`: a bucket, copied incrementally by the objects job.
 */
export type SourceEngine = "rds-instance" | "aurora-cluster" | "elasticache" | "self-managed" | "s3" | DigitalOceanEngine;

/**
 * DigitalOcean engines:
 * - `do-managed`: a managed database cluster (PostgreSQL with 7 days of daily backups and PITR; Valkey
 *   with no restorable native copy), dumped by the jobs;
 * - `spaces`: a Spaces bucket, copied incrementally by the objects job;
 * - `droplet`: a directory on a droplet, protected by the droplet's own backups (`backupPolicy`).
 */
export type DigitalOceanEngine = "do-managed" | "spaces" | "droplet";

/** DigitalOcean keeps a managed PostgreSQL or MySQL cluster's daily backups and PITR this long; it cannot be changed. */
export const DO_NATIVE_BACKUP_DAYS = 7;

/** One data source to protect, as the planner sees it (engine resources are the engine layer's). */
export interface SourceObjectives {
  /** The source's name: the first segment of its keys in the vault, a metric dimension, part of resource names. */
  readonly name: string;
  readonly kind: "postgres" | "redis" | "objects";
  readonly engine: SourceEngine;
  /** @default - the estate's RPO */
  readonly rpo?: DurationInput;
  /** @default - the estate's RTO */
  readonly rto?: DurationInput;
  /**
   * The data's size, which drives the restore-time estimate.
   * @default 10
   */
  readonly sizeGiB?: number;
  /**
   * Sources that must be restored before this one (a cache after its database).
   * @default - none
   */
  readonly restoreAfter?: readonly string[];
  /**
   * Run the logical backup this often instead of the interval derived from the RPO. For sources with
   * point-in-time recovery the derived interval is daily: PITR meets the RPO, the dump is the portable,
   * off-site copy.
   * @default - derived
   */
  readonly logicalInterval?: DurationInput;
}

/** Restore-time estimate model; conservative on purpose, and replaced by drill measurements. */
export const RESTORE_MODEL: Readonly<Record<string, { readonly fixedMinutes: number; readonly minutesPerGiB: number; readonly label: string }>> = {
  "postgres:logical": { fixedMinutes: 10, minutesPerGiB: 4, label: "pg_restore of the newest dump into a new database" },
  "postgres:rds-pitr": { fixedMinutes: 30, minutesPerGiB: 0.5, label: "RDS point-in-time restore to a new instance" },
  "postgres:aurora-pitr": { fixedMinutes: 20, minutesPerGiB: 0.1, label: "Aurora point-in-time restore to a new cluster" },
  "redis:logical": { fixedMinutes: 5, minutesPerGiB: 1, label: "loading the newest RDB snapshot into a new server" },
  "redis:snapshot": { fixedMinutes: 20, minutesPerGiB: 2, label: "creating a replication group from the newest snapshot" },
  "objects:logical": { fixedMinutes: 5, minutesPerGiB: 0.5, label: "copying the newest object set back from the vault" },
  "postgres:do-pitr": { fixedMinutes: 30, minutesPerGiB: 1, label: "DigitalOcean point-in-time restore into a new cluster" },
  "objects:droplet-backup": { fixedMinutes: 15, minutesPerGiB: 1, label: "creating a droplet from its newest DigitalOcean backup" },
};

/** Logical backup intervals the planner picks from (minutes); all divide a day evenly. */
export const BACKUP_INTERVALS: readonly number[] = [15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];
/** The Lambda limit, and the longest a logical backup is allowed to run. */
export const JOB_TIMEOUT_MINUTES = 15;
/** RDS restores to within about five minutes of any time in the retention window. */
export const PITR_GRANULARITY_MINUTES = 5;
/** ElastiCache takes one automatic snapshot a day. */
export const SNAPSHOT_INTERVAL_MINUTES = 1440;
/** RDS and ElastiCache keep automated backups 1 to 35 days. */
export const MAX_NATIVE_RETENTION_DAYS = 35;

/** How long RDS, Aurora and ElastiCache keep automated backups under `retention`: the daily tier, at most 35 days. */
export function nativeRetentionDays(retention: Retention): number {
  return Math.min(MAX_NATIVE_RETENTION_DAYS, retention.tiers.daily);
}

/**
 * The automated-backup retention a database needs to meet these objectives, as a duration for
 * `rdsInstanceBackupArgs`, `auroraClusterBackupArgs` or `elastiCacheBackupArgs`.
 *
 * @example
 * new rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 50, ...rdsInstanceBackupArgs("db", { key, retention: databaseBackupRetention(objectives) }) });
 */
export function databaseBackupRetention(objectives: Pick<ObjectivesArgs, "retention">): string {
  const problems = new Problems();
  const retention = checkRetention(objectives.retention ?? DEFAULT_RETENTION, "objectives.retention", problems);
  problems.throwIfAny("databaseBackupRetention(objectives)");
  return `${nativeRetentionDays(retention as Retention)}d`;
}

/** The schedule of one scheduled job: an EventBridge Scheduler expression and its interval. */
export interface JobSchedule {
  /** `rate(30 minutes)`, `rate(1 day)`: EventBridge Scheduler syntax. */
  readonly expression: string;
  readonly intervalMinutes: number;
}

/** The freshness alarm of a source: the newest complete backup is older than the threshold. */
export interface FreshnessAlarm {
  readonly thresholdMinutes: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** One recovery method and what it achieves by configuration. */
export interface RecoveryMethod {
  readonly method: "pitr" | "logical" | "snapshot";
  readonly rpoMinutes: number;
  readonly rtoMinutes: number;
  readonly description: string;
}

/** Everything decided for one source. */
export interface SourcePlan {
  readonly name: string;
  readonly kind: SourceObjectives["kind"];
  readonly engine: SourceEngine;
  readonly objective: { readonly rpoMinutes: number; readonly rtoMinutes: number };
  /** The logical backup job's schedule, when the source has one. */
  readonly logical?: JobSchedule;
  /** Whether the RPO needs native point-in-time recovery because a logical dump cannot meet it. */
  readonly needsPitr: boolean;
  /** Native retention in days for RDS, Aurora and ElastiCache automated backups. */
  readonly nativeRetentionDays?: number;
  /** The recovery methods, best first: the first is what the achieved RPO and RTO come from. */
  readonly methods: readonly RecoveryMethod[];
  readonly achieved: { readonly rpoMinutes: number; readonly rtoMinutes: number };
  /** Position in the restore order, from 1. */
  readonly restoreOrder: number;
  readonly restoreAfter: readonly string[];
  readonly freshness?: FreshnessAlarm;
  readonly sizeGiB: number;
  /** Why the planner chose what it chose, for the runbook. */
  readonly notes: readonly string[];
}

/** The plan of a whole estate. */
export interface EstatePlan {
  readonly rpoMinutes: number;
  readonly rtoMinutes: number;
  readonly retention: Retention;
  readonly drRegion: string;
  readonly sources: readonly SourcePlan[];
  /** Source names in the order to restore them. */
  readonly restoreOrder: readonly string[];
  /** The verification job's schedule (one job checks every source with a logical backup). */
  readonly verify?: JobSchedule;
  /** The longest chain of restores that must happen one after another, in minutes. */
  readonly estateRtoMinutes: number;
}

/** `rate(30 minutes)`, `rate(1 hour)`, `rate(1 day)`. */
export function rateExpression(minutes: number): string {
  if (minutes % 1440 === 0) return `rate(${plural(minutes / 1440, "day")})`;
  if (minutes % 60 === 0) return `rate(${plural(minutes / 60, "hour")})`;
  return `rate(${plural(minutes, "minute")})`;
}

function schedule(minutes: number): JobSchedule {
  return { expression: rateExpression(minutes), intervalMinutes: minutes };
}

/** The longest standard interval not above `limit` minutes; `undefined` when even the shortest is. */
function intervalAtMost(limit: number): number | undefined {
  return [...BACKUP_INTERVALS].reverse().find((i) => i <= limit);
}

const minutesText = describeMinutes;

const KINDS_BY_ENGINE: Record<SourceEngine, readonly SourceObjectives["kind"][]> = {
  "rds-instance": ["postgres"],
  "aurora-cluster": ["postgres"],
  elasticache: ["redis"],
  "self-managed": ["postgres", "redis"],
  s3: ["objects"],
  "do-managed": ["postgres", "redis"],
  spaces: ["objects"],
  droplet: ["objects"],
};

/**
 * Turns objectives and sources into a plan, or throws every objective that cannot be met, each
 * saying why and what would meet it.
 *
 * - A logical backup runs at the longest standard interval whose interval plus the job's 15-minute
 *   window fits in the RPO, so the newest complete backup is never older than the RPO. Where no
 *   interval fits, the source needs point-in-time recovery: RDS and Aurora have it; a self-managed
 *   server does not, which is an error.
 * - RDS and Aurora meet the RPO with PITR (about 5 minutes); their logical dump runs daily as the
 *   portable, off-site copy for the vault's tiers.
 * - ElastiCache snapshots are daily: an RPO under a day on ElastiCache is an error.
 * - Native retention is the daily tier, at most 35 days (older points live in the vault's tiers).
 * - The restore-time estimate follows {@link RESTORE_MODEL}; an estimate above the RTO is an error.
 * - Verification runs at the longest standard interval within a quarter of the shortest RPO (at
 *   least 15 minutes, at most 6 hours); the freshness alarm fires when two periods in a row see the
 *   newest backup older than the source's threshold or see no report at all.
 */
export function planEstate(
  objectives: ObjectivesArgs,
  sources: readonly SourceObjectives[],
  subject: string,
  /** How region names are checked: AWS codes unless the provider's own (DigitalOcean slugs). */
  regionCheck: (region: unknown, argument: string, problems: Problems) => boolean = checkRegion,
): EstatePlan {
  const problems = new Problems();
  const rpo = Duration.check(objectives?.rpo, "objectives.rpo", problems);
  const rto = Duration.check(objectives?.rto, "objectives.rto", problems);
  if (rpo && rpo.minutes < 1) problems.add("objectives.rpo", rpo, "must be at least 1 minute.");
  if (rto && rto.minutes < 1) problems.add("objectives.rto", rto, "must be at least 1 minute.");
  const retention = checkRetention(objectives?.retention ?? DEFAULT_RETENTION, "objectives.retention", problems);
  const drRegion = objectives?.drRegion;
  if (regionCheck(drRegion, "objectives.drRegion", problems) && objectives.primaryRegion !== undefined && drRegion === objectives.primaryRegion) {
    problems.add("objectives.drRegion", drRegion, `must differ from the primary region (${objectives.primaryRegion}): a copy in the same region does not survive a regional outage.`);
  }
  if (!Array.isArray(sources) || sources.length === 0) problems.add("sources", sources, "must list at least one source to protect.");

  const names = new Set<string>();
  const planned: SourcePlan[] = [];
  (sources ?? []).forEach((source, i) => {
    const at = `sources[${i}]`;
    if (checkSourceName(source?.name, `${at}.name`, problems)) {
      if (names.has(source.name)) problems.add(`${at}.name`, source.name, "is already used by another source; names are key prefixes and must be unique.");
      names.add(source.name);
    }
    if (!KINDS_BY_ENGINE[source?.engine]?.includes(source?.kind)) {
      const allowed = Object.entries(KINDS_BY_ENGINE).filter(([, kinds]) => kinds.includes(source?.kind)).map(([e]) => e);
      problems.add(`${at}.engine`, source?.engine, `is not an engine for a ${String(source?.kind)} source; use ${allowed.length ? allowed.join(" or ") : "a kind of postgres, redis or objects"}.`);
      return;
    }
    if (!rpo || !rto || !retention) return;
    const plan = planSource(source, at, { rpo, rto, retention }, problems);
    if (plan) planned.push(plan);
  });

  const ordered = restoreOrder(planned, problems);
  const withOrder = planned.map((p) => ({ ...p, restoreOrder: ordered.indexOf(p.name) + 1 }));
  const estateRtoMinutes = criticalPath(withOrder);
  if (rto && withOrder.length === planned.length && estateRtoMinutes > rto.minutes) {
    problems.add("objectives.rto", rto, `cannot be met: restores that must follow one another (${longestChain(withOrder).join(" → ")}) are estimated at ${minutesText(estateRtoMinutes)}. Raise the RTO, restore in parallel (drop restoreAfter), or use faster recovery methods.`);
  }
  problems.throwIfAny(subject);

  const logicalSources = withOrder.filter((p) => p.logical);
  const shortestJudged = Math.min(...logicalSources.map(judgedAgainstMinutes));
  const verifyMinutes = Math.min(360, Math.max(15, intervalAtMost(shortestJudged / 4) ?? 15));
  const sourcesOut = withOrder.map((p) => (p.logical ? { ...p, freshness: freshnessAlarm(p, verifyMinutes) } : p));
  return {
    rpoMinutes: (rpo as Duration).minutes,
    rtoMinutes: (rto as Duration).minutes,
    retention: retention as Retention,
    drRegion: drRegion as string,
    sources: sourcesOut,
    restoreOrder: ordered,
    ...(logicalSources.length > 0 ? { verify: schedule(verifyMinutes) } : {}),
    estateRtoMinutes,
  };
}

function planSource(
  source: SourceObjectives,
  at: string,
  estate: { rpo: Duration; rto: Duration; retention: Retention },
  problems: Problems,
): SourcePlan | undefined {
  const before = problems.all.length;
  const rpo = source.rpo === undefined ? estate.rpo : Duration.check(source.rpo, `${at}.rpo`, problems);
  const rto = source.rto === undefined ? estate.rto : Duration.check(source.rto, `${at}.rto`, problems);
  const sizeGiB = source.sizeGiB ?? 10;
  if (typeof sizeGiB !== "number" || !(sizeGiB > 0)) problems.add(`${at}.sizeGiB`, source.sizeGiB, "must be a positive number of GiB.");
  if (!rpo || !rto || problems.all.length > before) return undefined;

  const notes: string[] = [];
  const methods: RecoveryMethod[] = [];
  const estimate = (model: string) => {
    const m = RESTORE_MODEL[model] as (typeof RESTORE_MODEL)[string];
    return { minutes: Math.ceil(m.fixedMinutes + m.minutesPerGiB * sizeGiB), label: m.label };
  };
  const hasPitr = source.engine === "rds-instance" || source.engine === "aurora-cluster" || (source.engine === "do-managed" && source.kind === "postgres");
  const nativeDays =
    source.engine === "do-managed"
      ? source.kind === "postgres"
        ? DO_NATIVE_BACKUP_DAYS
        : undefined
      : source.engine === "s3" || source.engine === "self-managed" || source.engine === "spaces" || source.engine === "droplet"
        ? undefined
        : nativeRetentionDays(estate.retention);
  if (source.engine === "do-managed" && source.kind === "postgres") {
    notes.push(`DigitalOcean keeps daily backups and point-in-time recovery for ${DO_NATIVE_BACKUP_DAYS} days (fixed) and restores only into a new cluster; the vault's tiers keep the older restore points, on a schedule you control.`);
  } else if (nativeDays !== undefined && estate.retention.tiers.daily > MAX_NATIVE_RETENTION_DAYS) {
    notes.push(`Native backups keep ${MAX_NATIVE_RETENTION_DAYS} days (the AWS maximum); older restore points come from the vault's tiers.`);
  }

  const derived = intervalAtMost(rpo.minutes - JOB_TIMEOUT_MINUTES);
  const needsPitr = derived === undefined;
  let logical: JobSchedule | undefined;

  if (source.engine === "droplet") {
    if (rpo.minutes < SNAPSHOT_INTERVAL_MINUTES) {
      problems.add(`${at}.rpo`, rpo, `cannot be met by droplet backups, which run at most once a day. Set this source's rpo to "24h" or more, or keep the data in a Spaces bucket or a managed database instead of on the droplet's disk.`);
      return undefined;
    }
    const e = estimate("objects:droplet-backup");
    methods.push({ method: "snapshot", rpoMinutes: SNAPSHOT_INTERVAL_MINUTES, rtoMinutes: e.minutes, description: e.label });
  } else if (source.engine === "elasticache") {
    if (rpo.minutes < SNAPSHOT_INTERVAL_MINUTES) {
      problems.add(
        `${at}.rpo`,
        rpo,
        `cannot be met by ElastiCache, which snapshots once a day and refuses the replication commands a logical dump needs. Set this source's rpo to "24h" if the cache can be rebuilt from its database, or run Redis yourself (engine "self-managed").`,
      );
      return undefined;
    }
    const e = estimate("redis:snapshot");
    methods.push({ method: "snapshot", rpoMinutes: SNAPSHOT_INTERVAL_MINUTES, rtoMinutes: e.minutes, description: e.label });
  } else {
    if (source.logicalInterval !== undefined) {
      const chosen = Duration.check(source.logicalInterval, `${at}.logicalInterval`, problems);
      if (!chosen) return undefined;
      if (!BACKUP_INTERVALS.includes(chosen.minutes)) {
        problems.add(`${at}.logicalInterval`, chosen, `must be one of ${BACKUP_INTERVALS.map((m) => minutesText(m)).join(", ")}: intervals that divide a day keep tiers regular.`);
        return undefined;
      }
      logical = schedule(chosen.minutes);
    } else if (hasPitr) {
      logical = schedule(1440);
      notes.push("Point-in-time recovery meets the RPO; the daily logical dump is the portable copy kept in the vault's tiers and the DR region.");
    } else if (needsPitr) {
      problems.add(
        `${at}.rpo`,
        rpo,
        `cannot be met by logical dumps alone: a dump every ${minutesText(BACKUP_INTERVALS[0] as number)} that may take up to ${minutesText(JOB_TIMEOUT_MINUTES)} leaves up to ${minutesText((BACKUP_INTERVALS[0] as number) + JOB_TIMEOUT_MINUTES)} of data at risk. Raise the rpo to at least "${(BACKUP_INTERVALS[0] as number) + JOB_TIMEOUT_MINUTES}m", or move the database to RDS or Aurora (engine "rds-instance" or "aurora-cluster") for point-in-time recovery.`,
      );
      return undefined;
    } else {
      logical = schedule(derived as number);
    }
    if (!hasPitr && logical.intervalMinutes + JOB_TIMEOUT_MINUTES > rpo.minutes) {
      problems.add(`${at}.logicalInterval`, Duration.minutes(logical.intervalMinutes), `plus the job's ${minutesText(JOB_TIMEOUT_MINUTES)} window exceeds the rpo (${rpo.describe()}): shorten the interval.`);
      return undefined;
    }
    if (hasPitr) {
      const e = estimate(source.engine === "rds-instance" ? "postgres:rds-pitr" : source.engine === "do-managed" ? "postgres:do-pitr" : "postgres:aurora-pitr");
      methods.push({ method: "pitr", rpoMinutes: PITR_GRANULARITY_MINUTES, rtoMinutes: e.minutes, description: e.label });
    }
    const e = estimate(`${source.kind}:logical`);
    methods.push({ method: "logical", rpoMinutes: logical.intervalMinutes + JOB_TIMEOUT_MINUTES, rtoMinutes: e.minutes, description: e.label });
  }

  const best = methods[0] as RecoveryMethod;
  if (best.rtoMinutes > rto.minutes) {
    problems.add(`${at}.rto`, rto, `cannot be met: ${best.description} of ${sizeGiB} GiB is estimated at ${minutesText(best.rtoMinutes)}. Raise the rto, or use a faster recovery method (RDS or Aurora point-in-time recovery).`);
    return undefined;
  }
  return {
    name: source.name,
    kind: source.kind,
    engine: source.engine,
    objective: { rpoMinutes: rpo.minutes, rtoMinutes: rto.minutes },
    ...(logical ? { logical } : {}),
    needsPitr,
    ...(nativeDays !== undefined ? { nativeRetentionDays: nativeDays } : {}),
    methods,
    achieved: { rpoMinutes: best.rpoMinutes, rtoMinutes: best.rtoMinutes },
    restoreOrder: 0,
    restoreAfter: source.restoreAfter ?? [],
    sizeGiB,
    notes,
  };
}

/**
 * The age a source's newest logical backup is judged against: the RPO when the logical backups are
 * what meets it; otherwise (PITR meets it) the dump's own interval plus its window.
 */
function judgedAgainstMinutes(plan: SourcePlan): number {
  const logical = plan.logical as JobSchedule;
  return plan.methods[0]?.method === "logical" ? plan.objective.rpoMinutes : logical.intervalMinutes + JOB_TIMEOUT_MINUTES;
}

/** The freshness alarm of a source with a logical backup, checked at every verification. */
function freshnessAlarm(plan: SourcePlan, verifyMinutes: number): FreshnessAlarm {
  const slack = plan.methods[0]?.method === "logical" ? 0 : verifyMinutes;
  return { thresholdMinutes: judgedAgainstMinutes(plan) + slack, periodSeconds: verifyMinutes * 60, evaluationPeriods: 2, datapointsToAlarm: 2 };
}

/** Orders sources so each comes after those it must follow; databases before caches before objects otherwise. */
function restoreOrder(plans: readonly SourcePlan[], problems: Problems): string[] {
  const rank = { postgres: 0, redis: 1, objects: 2 } as const;
  const byName = new Map(plans.map((p) => [p.name, p]));
  plans.forEach((p) => {
    for (const dep of p.restoreAfter) {
      if (!byName.has(dep)) problems.add(`sources[${plans.indexOf(p)}].restoreAfter`, dep, `names no source; sources are ${[...byName.keys()].join(", ")}.`);
    }
  });
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (p: SourcePlan, path: string[]) => {
    if (order.includes(p.name)) return;
    if (visiting.has(p.name)) {
      problems.add("sources.restoreAfter", [...path, p.name].join(" → "), "is a cycle: no source in it could be restored first. Remove one restoreAfter.");
      return;
    }
    visiting.add(p.name);
    for (const dep of p.restoreAfter) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, p.name]);
    }
    visiting.delete(p.name);
    order.push(p.name);
  };
  [...plans].sort((a, b) => rank[a.kind] - rank[b.kind]).forEach((p) => visit(p, []));
  return order;
}

/** The minutes of the longest chain of restores that must follow one another. */
function criticalPath(plans: readonly SourcePlan[]): number {
  const chain = longestChain(plans);
  return chain.reduce((sum, name) => sum + (plans.find((p) => p.name === name)?.achieved.rtoMinutes ?? 0), 0);
}

function longestChain(plans: readonly SourcePlan[]): string[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const memo = new Map<string, string[]>();
  const chainOf = (p: SourcePlan, seen: Set<string>): string[] => {
    const cached = memo.get(p.name);
    if (cached) return cached;
    let best: string[] = [];
    let bestMinutes = -1;
    for (const dep of p.restoreAfter) {
      const d = byName.get(dep);
      if (!d || seen.has(dep)) continue;
      const c = chainOf(d, new Set([...seen, p.name]));
      const minutes = c.reduce((s, n) => s + (byName.get(n)?.achieved.rtoMinutes ?? 0), 0);
      if (minutes > bestMinutes) {
        best = c;
        bestMinutes = minutes;
      }
    }
    const result = [...best, p.name];
    memo.set(p.name, result);
    return result;
  };
  let longest: string[] = [];
  let longestMinutes = -1;
  for (const p of plans) {
    const c = chainOf(p, new Set());
    const minutes = c.reduce((s, n) => s + (byName.get(n)?.achieved.rtoMinutes ?? 0), 0);
    if (minutes > longestMinutes) {
      longest = c;
      longestMinutes = minutes;
    }
  }
  return longest;
}
