import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { AWS_BACKUP_FAILURE_PATTERN, backupAlarmSpecs, type BackupAlarmsArguments, type WatchedJob as CoreWatchedJob } from "../core";
import { cloudWatchAlarm } from "./cloudwatch-alarm";
import { AlertTopic } from "./alert-topic";
import type { ReplicatedBackupVault } from "./replicated-backup-vault";

/** A job the alarms watch: core's {@link CoreWatchedJob} with CDK values. */
export type WatchedJob = CoreWatchedJob<string>;

/** Properties of {@link BackupAlarms}: core's {@link BackupAlarmsArguments} (documented and defaulted there), with the topic and vaults as constructs. */
export interface BackupAlarmsProps extends BackupAlarmsArguments<string, AlertTopic | string, ReplicatedBackupVault> {}

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
