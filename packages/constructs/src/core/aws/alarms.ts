import { JOB_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE } from "../job-config";
import type { FreshnessAlarm } from "../objectives";
import { Problems } from "../errors";
import { REPLICATION_TIME_MINUTES } from "./replication";

/** What a CloudWatch alarm does when its metric has no data for a period. */
export type TreatMissingData = "missing" | "ignore" | "breaching" | "notBreaching";
export type ComparisonOperator = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
export type AlarmStatistic = "Maximum" | "Sum" | "Average" | "Minimum";

/** What every alarm has, whether it reads one metric or an expression. */
interface AlarmSpecBase<N> {
  /** Short, stable role of the alarm: part of its resource name. */
  readonly id: string;
  /** The source the alarm watches, when it watches one. */
  readonly source?: string;
  readonly description: string;
  /** Why missing data is treated so, when it is not obvious: appended to the alarm's description, where on-call reads it. */
  readonly missingDataReason?: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: N;
  readonly comparison: ComparisonOperator;
  /**
   * What a period without data means. `breaching` where silence is the failure (a job that stopped
   * reporting), `notBreaching` where silence is normal (no errors, an empty queue), `missing` where
   * the last state is the best estimate.
   */
  readonly treatMissingData: TreatMissingData;
}

/** One metric an alarm reads. */
export interface AlarmMetricSpec<V = string> {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, V>>;
  readonly statistic: AlarmStatistic;
  readonly periodSeconds: number;
}

/** An alarm on one metric. */
export interface MetricAlarmSpec<V = string, N = number> extends AlarmSpecBase<N>, AlarmMetricSpec<V> {
  readonly math?: undefined;
}

/** An alarm on metric math: the metrics by id, then the expression that returns data. */
export interface MathAlarmSpec<V = string, N = number> extends AlarmSpecBase<N> {
  readonly math: {
    readonly id: string;
    readonly expression: string;
    readonly label: string;
    readonly periodSeconds: number;
    readonly metrics: readonly (AlarmMetricSpec<V> & { readonly id: string })[];
  };
}

/**
 * One CloudWatch alarm, independent of any engine: Lifeboat's only alarm model, which each front end
 * renders with one translator. `V` is the type of dimension values and `N` of the threshold: plain
 * values here, Pulumi Inputs or CDK tokens in the engine layers.
 */
export type AlarmSpec<V = string, N = number> = MetricAlarmSpec<V, N> | MathAlarmSpec<V, N>;

/**
 * An alarm designed before the resource it watches exists (a health check, an instance): its
 * dimension values, and a threshold that depends on a deploy-time value, are filled in by {@link bindAlarm}.
 */
export type UnboundAlarmSpec = AlarmSpec<undefined, number | undefined>;

/** Fills every dimension of `spec` with `dimensionValue` (the id of the watched resource), and the threshold when it was left open. */
export function bindAlarm<V, N = number>(spec: UnboundAlarmSpec, dimensionValue: V, threshold?: N): AlarmSpec<V, N | number> {
  const bind = (dimensions: Readonly<Record<string, undefined>>) => Object.fromEntries(Object.keys(dimensions).map((k) => [k, dimensionValue])) as Record<string, V>;
  const t = threshold ?? spec.threshold;
  if (t === undefined) throw new Error(`Alarm "${spec.id}" has no threshold: its design leaves it to deploy time, so bindAlarm needs one.`);
  if (spec.math) {
    return { ...spec, threshold: t, math: { ...spec.math, metrics: spec.math.metrics.map((m) => ({ ...m, dimensions: bind(m.dimensions) })) } };
  }
  return { ...spec, threshold: t, dimensions: bind(spec.dimensions) };
}

/** The alarm's description as shown to on-call: what fired, then why missing data counts as it does. */
export function alarmDescription(spec: AlarmSpec<unknown, unknown>): string {
  return spec.missingDataReason ? `${spec.description} Missing data: ${spec.missingDataReason}` : spec.description;
}

/** The alarms of {@link backupAlarmSpecs}: what a {@link BackupAlarms} component watches. */
export interface BackupAlarmsDesignArgs<V> {
  /** Whether a topic was given: alarms nobody receives protect nothing. */
  readonly topic: unknown;
  /** Sources with logical backups and their freshness alarm (from `planEstate`). @default - none */
  readonly sources?: readonly { readonly name: string; readonly freshness: FreshnessAlarm }[];
  /**
   * The verification job's interval in seconds, for the verify-failed alarms.
   * @default - each source's freshness period
   */
  readonly verifyPeriodSeconds?: number;
  /** Jobs whose errors, throttles and dead letters raise alarms. @default - none */
  readonly jobs?: readonly { readonly id: string; readonly functionName: V; readonly deadLetterQueueName: V; readonly source?: string }[];
  /** Replicated vaults whose replication failures and latency raise alarms. @default - none */
  readonly replicatedVaults?: readonly { readonly vaultName: string; readonly sourceBucket: V; readonly destinationBucket: V; readonly ruleId: string }[];
  /** Further alarms designed in core, such as a source's drill alarms (`drillAlarmSpecs`). @default - none */
  readonly extraAlarms?: readonly AlarmSpec<V>[];
}

/**
 * Validates a backup estate's alarms and designs them: per source the freshness and verify-failed
 * alarms, per job its errors, throttles and dead letters, the extra alarms, then per replicated
 * vault its replication failures and latency. Every problem is reported in one error.
 */
export function backupAlarmSpecs<V>(args: BackupAlarmsDesignArgs<V>, subject: string): AlarmSpec<V>[] {
  const problems = new Problems();
  if (args.topic === undefined) problems.add("topic", undefined, "is required: alarms nobody receives protect nothing. Pass an AlertTopic or a topic ARN.");
  const ids = new Set<string>();
  for (const [i, job] of (args.jobs ?? []).entries()) {
    if (ids.has(job.id)) problems.add(`jobs[${i}].id`, job.id, "is used twice; each job needs its own id (it names the job's alarms).");
    ids.add(job.id);
  }
  const v = args.verifyPeriodSeconds;
  if (v !== undefined && (!Number.isInteger(v) || v < 60 || v % 60 !== 0 || v > 86_400)) {
    problems.add("verifyPeriodSeconds", v, "must be a whole number of minutes, in seconds, from 60 to 86,400 (CloudWatch alarm periods).");
  }
  problems.throwIfAny(subject);
  const specs: AlarmSpec<V>[] = [];
  for (const source of args.sources ?? []) {
    specs.push(freshnessAlarmSpec(source.name, source.freshness) as unknown as AlarmSpec<V>);
    specs.push(verifyFailedAlarmSpec(source.name, v ?? source.freshness.periodSeconds) as unknown as AlarmSpec<V>);
  }
  for (const job of args.jobs ?? []) {
    specs.push(...jobAlarmSpecs(job.id, job.functionName, job.source));
    specs.push(deadLetterAlarmSpec(job.id, job.deadLetterQueueName, job.source));
  }
  specs.push(...(args.extraAlarms ?? []));
  for (const vault of args.replicatedVaults ?? []) {
    specs.push(...replicationAlarmSpecs<V>(vault.vaultName, vault.sourceBucket, vault.destinationBucket, vault.ruleId));
  }
  return specs;
}

/**
 * The newest complete backup of `source` is older than the threshold, or verification stopped
 * reporting (missing data counts as breaching).
 */
export function freshnessAlarmSpec(source: string, freshness: FreshnessAlarm): MetricAlarmSpec {
  return {
    id: `${source}-backup-age`,
    source,
    description: `Lifeboat: the newest complete backup of ${source} is older than ${freshness.thresholdMinutes} minutes, or verification stopped reporting. Data written since then is at risk.`,
    namespace: METRIC_NAMESPACE,
    metricName: JOB_METRICS.backupAgeMinutes,
    dimensions: { [METRIC_DIMENSION]: source },
    statistic: "Maximum",
    periodSeconds: freshness.periodSeconds,
    evaluationPeriods: freshness.evaluationPeriods,
    datapointsToAlarm: freshness.datapointsToAlarm,
    threshold: freshness.thresholdMinutes,
    comparison: "GreaterThanThreshold",
    treatMissingData: "breaching",
  };
}

/** A verification check failed for `source` (checksum, size, readability, replica...). */
export function verifyFailedAlarmSpec(source: string, periodSeconds: number): MetricAlarmSpec {
  return {
    id: `${source}-verify-failed`,
    source,
    description: `Lifeboat: verification of ${source}'s backups failed a check; the job's report in its logs names the backup and the check.`,
    namespace: METRIC_NAMESPACE,
    metricName: JOB_METRICS.verifyFailed,
    dimensions: { [METRIC_DIMENSION]: source },
    statistic: "Maximum",
    periodSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    // Silence is the freshness alarm's to report; this one fires on a failed check only.
    treatMissingData: "notBreaching",
  };
}

/** A job's function failed or was throttled. */
export function jobAlarmSpecs<V>(id: string, functionName: V, source?: string): MetricAlarmSpec<V>[] {
  const base = {
    namespace: "AWS/Lambda",
    dimensions: { FunctionName: functionName },
    statistic: "Sum" as const,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold" as const,
    treatMissingData: "notBreaching" as const,
    ...(source ? { source } : {}),
  };
  return [
    { ...base, id: `${id}-errors`, metricName: "Errors", description: `Lifeboat: the job ${id} failed; Lambda retries it, then puts the run in its dead-letter queue.` },
    { ...base, id: `${id}-throttles`, metricName: "Throttles", description: `Lifeboat: the job ${id} was throttled; runs are delayed or lost when the account's Lambda concurrency is exhausted.` },
  ];
}

/** Runs that failed for good wait in a dead-letter queue. */
export function deadLetterAlarmSpec<V>(id: string, queueName: V, source?: string): MetricAlarmSpec<V> {
  return {
    id: `${id}-dead-letters`,
    ...(source ? { source } : {}),
    description: `Lifeboat: runs of ${id} failed after every retry and wait in its dead-letter queue; read them, fix the cause, then purge.`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  };
}

/**
 * Replication to the replica vault failed, or lagged past Replication Time Control's 15 minutes.
 * Needs replication metrics on the rule (ReplicatedBackupVault turns them on).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
 */
export function replicationAlarmSpecs<V>(id: string, sourceBucket: V, destinationBucket: V, ruleId: string): MetricAlarmSpec<V>[] {
  const base = {
    namespace: "AWS/S3",
    dimensions: { SourceBucket: sourceBucket, DestinationBucket: destinationBucket, RuleId: ruleId as unknown as V },
    periodSeconds: 300,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching" as const,
  };
  return [
    {
      ...base,
      id: `${id}-replication-failures`,
      description: "Lifeboat: objects failed to replicate to the replica vault; the off-site copy is incomplete.",
      metricName: "OperationsFailedReplication",
      statistic: "Sum",
      evaluationPeriods: 1,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
    },
    {
      ...base,
      id: `${id}-replication-latency`,
      description: `Lifeboat: replication to the replica vault is later than ${REPLICATION_TIME_MINUTES} minutes; the off-site copy is behind.`,
      metricName: "ReplicationLatency",
      statistic: "Maximum",
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: REPLICATION_TIME_MINUTES * 60,
      comparison: "GreaterThanThreshold",
    },
  ];
}

const FAILED_STATES = ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"];

/**
 * The EventBridge pattern of AWS Backup jobs that did not succeed: backups, copies to the DR region
 * and restores that failed, were aborted or expired. AWS Backup reports the outcome as `state` in
 * some events and `status` in others, so both are matched.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html
 */
export const AWS_BACKUP_FAILURE_PATTERN = {
  source: ["aws.backup"],
  "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
  detail: { $or: [{ state: FAILED_STATES }, { status: FAILED_STATES }] },
} as const;
