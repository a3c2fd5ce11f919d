import { JOB_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE } from "../job-config";
import type { FreshnessAlarm } from "../objectives";
import { REPLICATION_TIME_MINUTES } from "./replication";

/**
 * One CloudWatch alarm, independent of any engine. `V` is the type of dimension values: plain
 * strings here, Pulumi Inputs or CDK tokens in the engine layers.
 */
export interface AlarmSpec<V = string> {
  /** Short, stable role of the alarm: part of its resource name. */
  readonly id: string;
  /** The source the alarm watches, when it watches one. */
  readonly source?: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, V>>;
  readonly statistic: "Maximum" | "Sum" | "Average" | "Minimum";
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  /**
   * What a period without data means. `breaching` where silence is the failure (a job that stopped
   * reporting), `notBreaching` where silence is normal (no errors, an empty queue).
   */
  readonly treatMissingData: "breaching" | "notBreaching";
}

/**
 * The newest complete backup of `source` is older than the threshold, or verification stopped
 * reporting (missing data counts as breaching).
 */
export function freshnessAlarmSpec(source: string, freshness: FreshnessAlarm): AlarmSpec {
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
export function verifyFailedAlarmSpec(source: string, periodSeconds: number): AlarmSpec {
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
export function jobAlarmSpecs<V>(id: string, functionName: V, source?: string): AlarmSpec<V>[] {
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
export function deadLetterAlarmSpec<V>(id: string, queueName: V, source?: string): AlarmSpec<V> {
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
export function replicationAlarmSpecs<V>(id: string, sourceBucket: V, destinationBucket: V, ruleId: string): AlarmSpec<V>[] {
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
