import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { AWS_BACKUP_FAILURE_PATTERN, backupAlarmSpecs, type BackupAlarmsArguments, type WatchedJob as CoreWatchedJob } from "../../core";
import { metricAlarm } from "./metric-alarm";
import { AlertTopic } from "./alert-topic";
import type { ReplicatedBackupVault } from "./replicated-backup-vault";

/** A job the alarms watch: core's {@link CoreWatchedJob} with Pulumi values. */
export type WatchedJob = CoreWatchedJob<pulumi.Input<string>>;

/** Arguments of {@link BackupAlarms}: core's {@link BackupAlarmsArguments} (documented and defaulted there), with the topic and vaults as components. */
export interface BackupAlarmsArgs extends BackupAlarmsArguments<pulumi.Input<string>, AlertTopic | pulumi.Input<string>, ReplicatedBackupVault> {}

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
    const specs = backupAlarmSpecs<pulumi.Input<string>>(
      {
        ...args,
        replicatedVaults: (args?.replicatedVaults ?? []).map((v) => ({ vaultName: v.vaultName, sourceBucket: v.primary.bucketName, destinationBucket: v.replica.bucketName, ruleId: v.plan.rule.id })),
      },
      `BackupAlarms "${name}"`,
    );
    super("lifeboat:aws:BackupAlarms", name, {}, opts);

    this.topicArn = args.topic instanceof AlertTopic ? args.topic.arn : pulumi.output(args.topic);
    this.alarms = specs.map((spec) => ({
      id: spec.id,
      ...(spec.source ? { source: spec.source } : {}),
      description: spec.description,
      alarm: metricAlarm(name, spec, { topicArn: this.topicArn }, this),
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
