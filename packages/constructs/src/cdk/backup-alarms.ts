import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
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
} from "../core";
import { AlertTopic } from "./alert-topic";
import type { ReplicatedBackupVault } from "./replicated-backup-vault";

/** A job the alarms watch: its function and its dead-letter queue. */
export interface WatchedJob {
  /** A short name for the job, used in alarm ids (`postgres-main-backup`). */
  readonly id: string;
  readonly functionName: string;
  readonly deadLetterQueueName: string;
  /** The source the job serves, when it serves one. @default - none */
  readonly source?: string;
}

/** Properties of {@link BackupAlarms}. */
export interface BackupAlarmsProps {
  /** Where every alarm and failure event goes: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
  /**
   * Sources with logical backups and their freshness alarm (from `planEstate`).
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
  /** Further alarms designed in core, such as a source's drill alarms (`drillAlarmSpecs`). @default - none */
  readonly extraAlarms?: readonly AlarmSpec[];
}

/** An alarm as created, for the posture and the runbook. */
export interface CreatedAlarm {
  readonly id: string;
  readonly source?: string;
  readonly description: string;
  readonly alarm: cloudwatch.CfnAlarm;
}

/**
 * Every alarm a backup estate needs, sent to one topic (and `OK` when they clear): backup age above
 * the freshness threshold per source (missing data breaching), verification failed, job errors,
 * throttles and dead letters, replication failures and latency, and AWS Backup failures through an
 * EventBridge rule. Each alarm renders one of core's alarm specs.
 *
 * @example
 * new BackupAlarms(stack, "Alarms", { topic: alerts, jobs: [{ id: "postgres-main-backup", functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.queueName }] });
 */
export class BackupAlarms extends Construct {
  readonly alarms: readonly CreatedAlarm[];
  readonly topicArn: string;
  readonly backupFailureRule?: events.CfnRule;

  constructor(scope: Construct, id: string, props: BackupAlarmsProps) {
    const problems = new Problems();
    if (props.topic === undefined) problems.add("topic", undefined, "is required: alarms nobody receives protect nothing. Pass an AlertTopic or a topic ARN.");
    const ids = new Set<string>();
    for (const [i, job] of (props.jobs ?? []).entries()) {
      if (ids.has(job.id)) problems.add(`jobs[${i}].id`, job.id, "is used twice; each job needs its own id (it names the job's alarms).");
      ids.add(job.id);
    }
    const v = props.verifyPeriodSeconds;
    if (v !== undefined && (!Number.isInteger(v) || v < 60 || v % 60 !== 0 || v > 86_400)) {
      problems.add("verifyPeriodSeconds", v, "must be a whole number of minutes, in seconds, from 60 to 86,400 (CloudWatch alarm periods).");
    }
    problems.throwIfAny(`BackupAlarms "${id}"`);
    super(scope, id);
    this.topicArn = props.topic instanceof AlertTopic ? props.topic.topicArn : props.topic;

    const specs: AlarmSpec[] = [];
    for (const source of props.sources ?? []) {
      specs.push(freshnessAlarmSpec(source.name, source.freshness));
      specs.push(verifyFailedAlarmSpec(source.name, props.verifyPeriodSeconds ?? source.freshness.periodSeconds));
    }
    for (const job of props.jobs ?? []) {
      specs.push(...jobAlarmSpecs(job.id, job.functionName, job.source));
      specs.push(deadLetterAlarmSpec(job.id, job.deadLetterQueueName, job.source));
    }
    specs.push(...(props.extraAlarms ?? []));
    for (const vault of props.replicatedVaults ?? []) {
      specs.push(...replicationAlarmSpecs(vault.vaultName, vault.primary.bucketName, vault.replicaBucketName, vault.plan.rule.id));
    }
    this.alarms = specs.map((spec) => ({ id: spec.id, ...(spec.source ? { source: spec.source } : {}), description: spec.description, alarm: this.alarmOf(spec) }));

    if (props.awsBackupFailures) {
      this.backupFailureRule = new events.CfnRule(this, "AwsBackupFailures", {
        description: "Lifeboat: AWS Backup jobs, copies and restores that did not succeed",
        eventPattern: AWS_BACKUP_FAILURE_PATTERN,
        state: "ENABLED",
        targets: [{ id: "alert-topic", arn: this.topicArn }],
      });
    }
  }

  /** One CloudWatch alarm from a core spec: an L2 metric and alarm, with the topic as alarm and OK action. */
  private alarmOf(spec: AlarmSpec): cloudwatch.CfnAlarm {
    const metric = new cloudwatch.Metric({
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensionsMap: { ...spec.dimensions },
      statistic: spec.statistic,
      period: Duration.seconds(spec.periodSeconds),
    });
    const alarm = new cloudwatch.Alarm(this, spec.id, {
      alarmDescription: spec.description,
      metric,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison as cloudwatch.ComparisonOperator,
      treatMissingData: spec.treatMissingData as cloudwatch.TreatMissingData,
    });
    const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
    cfn.alarmActions = [this.topicArn];
    cfn.okActions = [this.topicArn];
    return cfn;
  }
}
