import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import {
  type AlarmSpec,
  AWS_BACKUP_FAILURE_PATTERN,
  deadLetterAlarmSpec,
  type FreshnessAlarm,
  freshnessAlarmSpec,
  jobAlarmSpecs,
  Problems,
  replicationAlarmSpecs,
  verifyFailedAlarmSpec,
} from "../../core";
import { AlertTopic } from "./alert-topic";
import type { ReplicatedBackupVault } from "./replicated-backup-vault";

/** A job the alarms watch: its function and its dead-letter queue. */
export interface WatchedJob {
  /** A short name for the job, used in alarm names (`postgres-main-backup`). */
  readonly id: string;
  readonly functionName: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
  /** The source the job serves, when it serves one. */
  readonly source?: string;
}

/** Arguments of {@link BackupAlarms}. */
export interface BackupAlarmsArgs {
  /** Where every alarm and failure event goes: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | pulumi.Input<string>;
  /**
   * Sources with logical backups and their freshness alarm (from `planEstate`): the newest complete
   * backup older than the threshold, missing data counting as breaching.
   * @default - none
   */
  readonly sources?: readonly { readonly name: string; readonly freshness: FreshnessAlarm }[];
  /**
   * The verification job's interval in seconds, for the verify-failed alarms.
   * @default - each source's freshness period
   */
  readonly verifyPeriodSeconds?: number;
  /** Jobs whose errors, throttles and dead letters raise alarms. @default - none */
  readonly jobs?: readonly WatchedJob[];
  /** Replicated vaults whose replication failures and latency raise alarms. @default - none */
  readonly replicatedVaults?: readonly ReplicatedBackupVault[];
  /** Send AWS Backup job, copy and restore failures (EventBridge) to the topic. @default false */
  readonly awsBackupFailures?: boolean;
  /** Further alarms designed in core, such as a source's drill alarms (`drillAlarmSpecs`) or a Fargate job's dead letters. @default - none */
  readonly extraAlarms?: readonly AlarmSpec<pulumi.Input<string>>[];
}

/** An alarm as created, for the posture and the runbook. */
export interface CreatedAlarm {
  readonly id: string;
  readonly source?: string;
  readonly description: string;
  readonly alarm: cloudwatch.MetricAlarm;
}

/**
 * Every alarm a backup estate needs, sent to one topic (and `OK` when they clear):
 * - backup age above the freshness threshold per source, missing data breaching (a stopped
 *   verification is as alarming as a late backup);
 * - verification failed, per source;
 * - job errors and throttles, and a dead-letter queue that is not empty, per job;
 * - replication failures and latency beyond 15 minutes, per replicated vault;
 * - AWS Backup backup, copy and restore jobs that failed, through an EventBridge rule.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *
 * @example
 * new BackupAlarms("alarms", {
 *   topic: alerts,
 *   sources: plan.sources.flatMap((s) => (s.freshness ? [{ name: s.name, freshness: s.freshness }] : [])),
 *   jobs: [{ id: "postgres-main-backup", functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.name, source: "postgres-main" }],
 *   replicatedVaults: [vault],
 *   awsBackupFailures: true,
 * });
 */
export class BackupAlarms extends pulumi.ComponentResource {
  readonly alarms: readonly CreatedAlarm[];
  readonly topicArn: pulumi.Output<string>;
  readonly backupFailureRule?: cloudwatch.EventRule;

  constructor(name: string, args: BackupAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    if (args.topic === undefined) problems.add("topic", undefined, "is required: alarms nobody receives protect nothing. Pass an AlertTopic or a topic ARN.");
    const ids = new Set<string>();
    for (const [i, job] of (args.jobs ?? []).entries()) {
      if (ids.has(job.id)) problems.add(`jobs[${i}].id`, job.id, "is used twice; each job needs its own id (it names the job's alarms).");
      ids.add(job.id);
    }
    if (args.verifyPeriodSeconds !== undefined && (!Number.isInteger(args.verifyPeriodSeconds) || args.verifyPeriodSeconds < 60 || args.verifyPeriodSeconds % 60 !== 0 || args.verifyPeriodSeconds > 86_400)) {
      problems.add("verifyPeriodSeconds", args.verifyPeriodSeconds, "must be a whole number of minutes, in seconds, from 60 to 86,400 (CloudWatch alarm periods).");
    }
    problems.throwIfAny(`BackupAlarms "${name}"`);
    super("lifeboat:aws:BackupAlarms", name, {}, opts);

    this.topicArn = args.topic instanceof AlertTopic ? args.topic.arn : pulumi.output(args.topic);
    const specs: AlarmSpec<pulumi.Input<string>>[] = [];
    for (const source of args.sources ?? []) {
      specs.push(freshnessAlarmSpec(source.name, source.freshness));
      specs.push(verifyFailedAlarmSpec(source.name, args.verifyPeriodSeconds ?? source.freshness.periodSeconds));
    }
    for (const job of args.jobs ?? []) {
      specs.push(...jobAlarmSpecs(job.id, job.functionName, job.source));
      specs.push(deadLetterAlarmSpec(job.id, job.deadLetterQueueName, job.source));
    }
    specs.push(...(args.extraAlarms ?? []));
    for (const vault of args.replicatedVaults ?? []) {
      specs.push(...replicationAlarmSpecs<pulumi.Input<string>>(vault.vaultName, vault.primary.bucketName, vault.replica.bucketName, vault.plan.rule.id));
    }

    this.alarms = specs.map((spec) => ({
      id: spec.id,
      ...(spec.source ? { source: spec.source } : {}),
      description: spec.description,
      alarm: new cloudwatch.MetricAlarm(
        `${name}-${spec.id}`,
        {
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.periodSeconds,
          evaluationPeriods: spec.evaluationPeriods,
          datapointsToAlarm: spec.datapointsToAlarm,
          threshold: spec.threshold,
          comparisonOperator: spec.comparison,
          treatMissingData: spec.treatMissingData,
          alarmActions: [this.topicArn],
          okActions: [this.topicArn],
        },
        { parent: this },
      ),
    }));

    if (args.awsBackupFailures) {
      this.backupFailureRule = new cloudwatch.EventRule(
        `${name}-aws-backup-failures`,
        { description: "Lifeboat: AWS Backup jobs, copies and restores that did not succeed", eventPattern: JSON.stringify(AWS_BACKUP_FAILURE_PATTERN) },
        { parent: this },
      );
      new cloudwatch.EventTarget(`${name}-aws-backup-failures-to-topic`, { rule: this.backupFailureRule.name, arn: this.topicArn }, { parent: this });
    }
    this.registerOutputs({ alarmCount: this.alarms.length });
  }
}
