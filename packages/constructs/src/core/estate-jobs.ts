import { checkDrillSettings, type DrillSettings } from "./drill";
import { planSourceJobs, type DrillPlan } from "./drill-plan";
import type { DrillRecord } from "./drill-record";
import type { Problems } from "./errors";
import { LAMBDA_LIMIT_MINUTES, type JobPlacement, type JobRuntime } from "./job-runtime";
import type { BackupManifest } from "./manifest";
import { type EstatePlan, JOB_TIMEOUT_MINUTES } from "./objectives";
import { describeEvery, describeMinutes } from "./posture";
import { Duration } from "./duration";

/** What the estate declares about one source's jobs besides its objectives. */
export interface SourceJobsDeclaration {
  readonly name: string;
  /** The drill's scratch target, smoke queries and interval. @default - PostgreSQL: a scratch database on the source's server, monthly; Redis and objects: no drill until `scratch` is declared */
  readonly drill?: DrillSettings | false;
  /** Run the source's jobs on one runtime whatever their expected duration. @default - chosen per job from the expected duration */
  readonly runtime?: JobRuntime;
}

/** The estate's decisions about one source's jobs. */
export interface SourceJobsDesign {
  readonly source: string;
  /** Where its backup runs (and why). */
  readonly backup: JobPlacement;
  /**
   * Where its verification runs (and why): the estate's verification function, or a Fargate task
   * (`<source>-verify`) that verifies the primary copy while the function checks the replica.
   */
  readonly verify: JobPlacement;
  /** Its drill and where it runs, when it is drilled. @default - none (see `notes`) */
  readonly drill?: { readonly plan: DrillPlan; readonly placement: JobPlacement; readonly settings?: DrillSettings };
  /** Why a job is not where its estimate says, or why there is no drill. */
  readonly notes: readonly string[];
}

/**
 * Decides, per source with a logical backup, where its backup and verification run, whether and how
 * often it is drilled and where the drill runs. A job goes to Fargate when its expected duration is over Lambda's
 * budget and the estate can run Fargate tasks (`fargate`: a cluster, private subnets and the jobs
 * image); otherwise it stays on Lambda (a backup, a verification) or is not scheduled (a drill, which would be killed
 * at 15 minutes), and a note says what to declare. Redis and objects drills need a declared scratch
 * target. Problems (a bad interval or runtime) are recorded under `sources[i]`.
 */
export function designEstateJobs(
  plan: EstatePlan,
  declared: readonly SourceJobsDeclaration[],
  options: { readonly fargate: boolean; readonly drills: boolean; readonly records?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] } },
  problems: Problems,
): SourceJobsDesign[] {
  const out: SourceJobsDesign[] = [];
  plan.sources.forEach((s) => {
    if (!s.logical) return;
    const at = `sources[${declared.findIndex((d) => d.name === s.name)}]`;
    const d = declared.find((x) => x.name === s.name);
    const settings = d?.drill === false ? undefined : d?.drill;
    // The interval is checked with the schedule below; everything else here.
    if (settings !== undefined) checkDrillSettings({ ...settings, every: undefined }, s.kind, `${at}.drill`, problems);
    const measured = options.records ? { drills: (options.records.drills ?? []).filter((r) => r.source === s.name), backups: (options.records.backups ?? []).filter((m) => m.source === s.name) } : undefined;
    const jobs = planSourceJobs({ name: s.name, kind: s.kind, sizeGiB: s.sizeGiB, rtoMinutes: s.objective.rtoMinutes, ...(settings?.every ? { drillEvery: settings.every } : {}), ...(d?.runtime ? { runtime: d.runtime } : {}), ...(measured ? { measured } : {}) }, problems, at);
    if (!jobs) return;
    const [backupWanted, verifyWanted, drillWanted] = jobs.placements as [JobPlacement, JobPlacement, JobPlacement];
    const notes: string[] = [];
    checkBackupDuration(s, backupWanted, at, problems);
    const fallBack = (p: JobPlacement): JobPlacement => ({ ...p, runtime: "lambda", reason: `${p.reason}; stays on Lambda because the estate runs no Fargate tasks (declare \`jobs.fargate\`)` });
    const backup = backupWanted.runtime === "fargate" && !options.fargate ? fallBack(backupWanted) : backupWanted;
    if (backup !== backupWanted) notes.push(`The backup is ${backupWanted.reason.split(",")[0]}: over Lambda's budget. Declare \`jobs.fargate\` so it runs as a Fargate task before it outgrows 15 minutes.`);
    const verify = verifyPlacement(s.name, verifyWanted, options.fargate);
    if (verifyWanted.runtime === "fargate" && !options.fargate) notes.push(`Verifying ${s.name} reads its newest backup whole: ${verifyWanted.reason.split(" (")[0]}, over Lambda's budget, and the verification function is stopped at ${LAMBDA_LIMIT_MINUTES} minutes. Declare \`jobs.fargate\` so a Fargate task verifies it, or run \`lifeboat verify --source ${s.name}\` where it has time.`);
    let drill: SourceJobsDesign["drill"];
    if (!options.drills || d?.drill === false) notes.push("Restore drills are turned off for this source: its RTO stays an estimate.");
    else if (s.kind !== "postgres" && !settings?.scratch) notes.push(`No restore drill: a ${s.kind} drill needs a declared scratch target (\`drill.scratch\`); its RTO stays an estimate.`);
    else if (drillWanted.runtime === "fargate" && !options.fargate) notes.push(`No restore drill: it is ${drillWanted.reason.split(",")[0]}, too long for Lambda. Declare \`jobs.fargate\` to drill it as a Fargate task; its RTO stays an estimate.`);
    else drill = { plan: jobs.drill, placement: drillWanted, ...(settings ? { settings } : {}) };
    out.push({ source: s.name, backup, verify, ...(drill ? { drill } : {}), notes });
  });
  return out;
}

/** The verification function checks the replica of a source verified on Fargate: why, for the posture. */
export const REPLICA_CHECK_REASON =
  "the estate's verification function, outside the VPC, checks its replica in the DR region (a VPC endpoint serves only its own region) and reports the newest backup's age at every verification, so the freshness alarm keeps its period";

/**
 * Where one source's verification runs: the estate's verification function while its estimate is
 * within Lambda's budget (or the estate runs no Fargate tasks); else a Fargate task of its own that
 * verifies the primary copy, the function keeping the replica check ({@link REPLICA_CHECK_REASON}).
 */
function verifyPlacement(source: string, wanted: JobPlacement, fargate: boolean): JobPlacement {
  if (wanted.runtime === "lambda") return { ...wanted, reason: `${wanted.reason}; in the estate's verification function, which verifies every such source in turn` };
  if (!fargate) return { ...wanted, runtime: "lambda", reason: `${wanted.reason}; runs on Lambda all the same, in the estate's verification function, because the estate runs no Fargate tasks (declare \`jobs.fargate\`)` };
  return { ...wanted, reason: `${wanted.reason}; the Fargate task ${source}-verify verifies the primary copy, and ${REPLICA_CHECK_REASON}` };
}

/**
 * The plan gives a logical backup {@link JOB_TIMEOUT_MINUTES} to finish (Lambda's limit); a backup
 * expected to take longer (on Fargate) leaves its interval plus its duration of data at risk. When
 * the logical backup is what meets the RPO (no point-in-time recovery) and that exceeds the RPO, the
 * objective cannot be met, and the estate is refused rather than promise it.
 */
function checkBackupDuration(source: EstatePlan["sources"][number], backup: JobPlacement, at: string, problems: Problems): void {
  if (source.methods[0]?.method !== "logical" || !source.logical || backup.expectedMinutes <= JOB_TIMEOUT_MINUTES) return;
  const atRisk = source.logical.intervalMinutes + Math.ceil(backup.expectedMinutes);
  if (atRisk <= source.objective.rpoMinutes) return;
  problems.add(
    `${at}.rpo`,
    Duration.minutes(source.objective.rpoMinutes),
    `cannot be met: a backup every ${describeMinutes(source.logical.intervalMinutes)} is expected to take ${describeMinutes(Math.ceil(backup.expectedMinutes))} (${backup.basis === "measured" ? "at its measured throughput" : "from its declared size at an assumed throughput"}), which leaves up to ${describeMinutes(atRisk)} of data at risk. Raise the rpo to at least "${atRisk}m", move the database to RDS or Aurora (engine "rds-instance" or "aurora-cluster") for point-in-time recovery, or, once backups are measured faster, pass them in \`records\`.`,
  );
}

/** Where each of a source's jobs runs, as the posture lists them: backup, verification, and the drill when there is one. */
export function jobPlacementsOf(design: SourceJobsDesign): JobPlacement[] {
  return [design.backup, design.verify, ...(design.drill ? [design.drill.placement] : [])];
}

/** The posture's line for a drill: `every 30 days`. */
export function describeDrillEvery(plan: DrillPlan): string {
  return describeEvery(plan.schedule.intervalMinutes);
}
