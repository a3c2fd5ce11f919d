import type { MetricAlarmSpec } from "./aws/alarms";
import { DEFAULT_DRILL_EVERY, MAX_DRILL_EVERY_DAYS, MIN_DRILL_EVERY_DAYS } from "./drill";
import { drillRecordsPrefix } from "./drill-record";
import type { PolicyStatement } from "./aws/iam";
import { jobRoleStatements, type JobResources } from "./aws/job-permissions";
import type { VaultArns } from "./aws/vault-policies";
import type { DrillRecord } from "./drill-record";
import { checkJobRuntime, chooseJobRuntime, newestThroughput, type JobPlacement, type JobRuntime } from "./job-runtime";
import type { BackupManifest } from "./manifest";
import type { SourceKind } from "./vault-layout";
import { checkDays, type DurationInput } from "./duration";
import { Problems } from "./errors";
import { JOB_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE } from "./job-config";
import { rateExpression, type JobSchedule } from "./objectives";

/** A day of grace after a drill is due before "no drill succeeded within its period" alarms: a retried or late run still counts. */
export const DRILL_GRACE_MINUTES = 1440;

/** The restore drill of one source as the estate schedules and watches it. */
export interface DrillPlan {
  readonly source: string;
  /** The drill job's EventBridge Scheduler schedule: monthly by default. */
  readonly schedule: JobSchedule;
  /** The source's RTO: a drill whose restore took longer alarms. */
  readonly rtoMinutes: number;
  /** Drill failed; no drill succeeded within its period (and a day of grace); a restore took longer than the RTO. */
  readonly alarms: readonly MetricAlarmSpec[];
}

/** The drill schedule and alarms of one source. `every` is validated here (1 to 92 days). */
export function planDrill(source: string, rtoMinutes: number, every: DurationInput | undefined, problems: Problems, argument = "drill.every"): DrillPlan | undefined {
  const days = checkDays(every ?? DEFAULT_DRILL_EVERY, argument, problems, {
    min: MIN_DRILL_EVERY_DAYS,
    max: MAX_DRILL_EVERY_DAYS,
    why: 'a drill restores a whole copy, and one older than a quarter proves little about today\'s data; "30d" is monthly',
  });
  if (days === undefined) return undefined;
  const everyMinutes = days * 1440;
  return { source, schedule: { expression: rateExpression(everyMinutes), intervalMinutes: everyMinutes }, rtoMinutes, alarms: drillAlarmSpecs(source, everyMinutes, rtoMinutes) };
}

/**
 * The three alarms of a source's drills. A drill runs monthly and emits its metrics once, so the
 * failure and restore-time alarms look at a day and treat silence as normal; the staleness alarm
 * reads `DrillAgeMinutes`, which verification emits on every run from the newest drill record
 * (a metric alarm cannot look back a month).
 */
export function drillAlarmSpecs(source: string, everyMinutes: number, rtoMinutes: number): MetricAlarmSpec[] {
  const base = {
    source,
    namespace: METRIC_NAMESPACE,
    dimensions: { [METRIC_DIMENSION]: source },
    statistic: "Maximum" as const,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching" as const,
  };
  const staleAfter = everyMinutes + DRILL_GRACE_MINUTES;
  return [
    {
      ...base,
      id: `${source}-drill-failed`,
      description: `Lifeboat: the restore drill of ${source} failed (restore, a check, or the scratch cleanup); its record in drills/${source}/ says which.`,
      metricName: JOB_METRICS.drillFailed,
      periodSeconds: 86_400,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
    },
    {
      ...base,
      id: `${source}-drill-stale`,
      description: `Lifeboat: no restore drill of ${source} has succeeded for more than ${Math.round(staleAfter / 1440)} days (drills are scheduled every ${everyMinutes / 1440} days); the RTO is unproven.`,
      metricName: JOB_METRICS.drillAgeMinutes,
      periodSeconds: 3600,
      threshold: staleAfter,
      comparison: "GreaterThanThreshold",
    },
    {
      ...base,
      id: `${source}-drill-slow`,
      description: `Lifeboat: a restore drill of ${source} took longer than its RTO (${rtoMinutes} minutes); the objective does not hold as measured.`,
      metricName: JOB_METRICS.drillRestoreSeconds,
      periodSeconds: 86_400,
      threshold: rtoMinutes * 60,
      comparison: "GreaterThanThreshold",
    },
  ];
}

/**
 * The drill job's role: read the source's backups, write its drill records (never delete, never
 * another prefix), and, for an objects drill, write and delete under the scratch bucket's prefix
 * (the drill removes what it restored). Secrets, logs, queue and network as every job.
 */
export function drillRoleStatements(vault: VaultArns, source: string, job: JobResources, scratch?: { readonly bucketArn: string; readonly prefix: string }): PolicyStatement[] {
  const records = drillRecordsPrefix(source);
  const extra: PolicyStatement[] = [
    { Sid: "WriteDrillRecords", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${vault.bucketArn}/${records}*`] },
    { Sid: "EncryptDrillRecords", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [vault.keyArn], Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } },
  ];
  if (scratch) {
    extra.push(
      { Sid: "RestoreIntoScratch", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [`${scratch.bucketArn}/${scratch.prefix}*`] },
      { Sid: "ListScratch", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [scratch.bucketArn], Condition: { StringLike: { "s3:prefix": [`${scratch.prefix}*`] } } },
    );
  }
  return jobRoleStatements({ mode: "read", vault, prefix: `${source}/` }, job, extra);
}

/** What decides one source's drill and where its jobs run. */
export interface SourceJobsInput {
  readonly name: string;
  readonly kind: SourceKind;
  readonly sizeGiB: number;
  readonly rtoMinutes: number;
  /** @default "30d" */
  readonly drillEvery?: DurationInput;
  /** Force every job of the source to one runtime. @default - chosen from the expected duration */
  readonly runtime?: JobRuntime;
  /** Drill records and backup manifests read from the vault, for measured throughput. @default - none */
  readonly measured?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] };
}

/** A source's drill plan and where its backup, verification and drill run (in that order). */
export interface SourceJobsPlan {
  readonly drill: DrillPlan;
  readonly placements: readonly JobPlacement[];
}

/** Plans the drill of a source with a logical backup and places its backup, verification and drill jobs. Problems are recorded under `at`. */
export function planSourceJobs(input: SourceJobsInput, problems: Problems, at: string): SourceJobsPlan | undefined {
  checkJobRuntime(input.runtime, `${at}.runtime`, problems);
  const drill = planDrill(input.name, input.rtoMinutes, input.drillEvery, problems, `${at}.drillEvery`);
  if (!drill) return undefined;
  const placements = (["backup", "verify", "drill"] as const).map((job) =>
    chooseJobRuntime({
      source: input.name,
      kind: input.kind,
      job,
      sizeGiB: input.sizeGiB,
      ...(input.runtime === "lambda" || input.runtime === "fargate" ? { force: input.runtime } : {}),
      ...(input.measured ? { measured: newestThroughput(job, input.measured) } : {}),
    }),
  );
  return { drill, placements };
}
