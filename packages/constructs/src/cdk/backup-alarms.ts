import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { AWS_BACKUP_FAILURE_PATTERN, backupAlarmSpecs, type BackupAlarmsDesignArgs } from "../core";
import { cloudWatchAlarm } from "./cloudwatch-alarm";
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

/** Properties of {@link BackupAlarms}: core's {@link BackupAlarmsDesignArgs}, with the topic and vaults as constructs. */
export interface BackupAlarmsProps extends Omit<BackupAlarmsDesignArgs<string>, "topic" | "replicatedVaults" | "jobs"> {
  /** Where every alarm and failure event goes: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
  /** Jobs whose errors, throttles and dead letters raise alarms. @default - none */
  readonly jobs?: readonly WatchedJob[];
  /** Replicated vaults whose replication failures and latency raise alarms. @default - none */
  readonly replicatedVaults?: readonly ReplicatedBackupVault[];
  /** Send AWS Backup job, copy and restore failures (EventBridge) to the topic. @default false */
  readonly awsBackupFailures?: boolean;
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
    const specs = backupAlarmSpecs<string>(
      {
        ...props,
        replicatedVaults: (props?.replicatedVaults ?? []).map((v) => ({ vaultName: v.vaultName, sourceBucket: v.primary.bucketName, destinationBucket: v.replicaBucketName, ruleId: v.plan.rule.id })),
      },
      `BackupAlarms "${id}"`,
    );
    super(scope, id);
    this.topicArn = props.topic instanceof AlertTopic ? props.topic.topicArn : props.topic;
    this.alarms = specs.map((spec) => ({ id: spec.id, ...(spec.source ? { source: spec.source } : {}), description: spec.description, alarm: cloudWatchAlarm(this, spec, this.topicArn) }));

    if (props.awsBackupFailures) {
      this.backupFailureRule = new events.CfnRule(this, "AwsBackupFailures", {
        description: "Lifeboat: AWS Backup jobs, copies and restores that did not succeed",
        eventPattern: AWS_BACKUP_FAILURE_PATTERN,
        state: "ENABLED",
        targets: [{ id: "alert-topic", arn: this.topicArn }],
      });
    }
  }
}
