import { describe, expect, it } from "vitest";
import { AlertTopic, BackupAlarms, ReplicatedBackupVault } from "@lifeboat/constructs/pulumi/aws";
import type { LifeboatValidationError } from "@lifeboat/constructs/core";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf, record } from "./support";

const freshness = { thresholdMinutes: 60, periodSeconds: 900, evaluationPeriods: 2, datapointsToAlarm: 2 };
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("BackupAlarms", () => {
  it("alarms when the newest backup is older than the RPO, counting silence as a breach", async () => {
    const rec = await record(() => {
      const topic = new AlertTopic("alerts");
      new BackupAlarms("alarms", { topic, sources: [{ name: "postgres-main", freshness }] });
    });
    const topicArn = rec.get("aws:sns/topic:Topic", "alerts-topic").outputs.arn;

    expect(rec.get(ALARM, "alarms-postgres-main-backup-age").inputs).toMatchObject({
      namespace: "Lifeboat",
      metricName: "BackupAgeMinutes",
      dimensions: { Source: "postgres-main" },
      statistic: "Maximum",
      period: 900,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 60,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [topicArn],
      okActions: [topicArn],
    });
    expect(rec.get(ALARM, "alarms-postgres-main-verify-failed").inputs).toMatchObject({
      metricName: "VerifyFailed",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("alarms on a job's errors, throttles and dead letters, where silence is normal", async () => {
    const rec = await record(
      () => new BackupAlarms("alarms", { topic: "arn:aws:sns:us-east-1:123456789012:alerts", jobs: [{ id: "pg-backup", functionName: "pg-fn", deadLetterQueueName: "pg-dlq" }] }),
    );

    expect(rec.get(ALARM, "alarms-pg-backup-errors").inputs).toMatchObject({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "pg-fn" }, statistic: "Sum", threshold: 1, treatMissingData: "notBreaching" });
    expect(rec.get(ALARM, "alarms-pg-backup-throttles").inputs).toMatchObject({ metricName: "Throttles", dimensions: { FunctionName: "pg-fn" } });
    expect(rec.get(ALARM, "alarms-pg-backup-dead-letters").inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "pg-dlq" },
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"],
    });
  });

  it("alarms on replication failures and on latency beyond Replication Time Control's 15 minutes", async () => {
    const rec = await record(() => {
      const vault = new ReplicatedBackupVault("backups", { replica: { region: "us-west-2" } });
      new BackupAlarms("alarms", { topic: "arn:aws:sns:us-east-1:123456789012:alerts", replicatedVaults: [vault] });
    });
    const dimensions = {
      SourceBucket: rec.get("aws:s3/bucket:Bucket", "backups-primary-bucket").outputs.bucket,
      DestinationBucket: rec.get("aws:s3/bucket:Bucket", "backups-replica-bucket").outputs.bucket,
      RuleId: "replicate-everything",
    };

    expect(rec.get(ALARM, "alarms-backups-replication-failures").inputs).toMatchObject({ namespace: "AWS/S3", metricName: "OperationsFailedReplication", dimensions, statistic: "Sum", threshold: 1 });
    expect(rec.get(ALARM, "alarms-backups-replication-latency").inputs).toMatchObject({ metricName: "ReplicationLatency", dimensions, statistic: "Maximum", threshold: 900, comparisonOperator: "GreaterThanThreshold" });
  });

  it("sends failed, aborted and expired AWS Backup jobs to the topic through EventBridge", async () => {
    const rec = await record(() => new BackupAlarms("alarms", { topic: "arn:aws:sns:us-east-1:123456789012:alerts", awsBackupFailures: true }));
    const rule = rec.get("aws:cloudwatch/eventRule:EventRule", "alarms-aws-backup-failures");

    expect(JSON.parse(rule.inputs.eventPattern as string)).toEqual({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
      detail: { $or: [{ state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] }, { status: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] }] },
    });
    expect(rec.get("aws:cloudwatch/eventTarget:EventTarget", "alarms-aws-backup-failures-to-topic").inputs).toMatchObject({
      rule: rule.outputs.name,
      arn: "arn:aws:sns:us-east-1:123456789012:alerts",
    });
  });

  it.each([
    ["no topic", { topic: undefined as unknown as string }, "topic", "not set"],
    ["two jobs with one id", { topic: "t", jobs: [{ id: "a", functionName: "f", deadLetterQueueName: "q" }, { id: "a", functionName: "g", deadLetterQueueName: "r" }] }, "jobs[1].id", '"a"'],
    ["a period CloudWatch does not accept", { topic: "t", verifyPeriodSeconds: 90 }, "verifyPeriodSeconds", "90"],
  ])("refuses %s before creating anything", async (_what, args, argument, value) => {
    const recorder = new Recorder();

    const error = errorOf(() => new BackupAlarms("alarms", args)) as LifeboatValidationError;

    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    await recorder.settle();
    expect(recorder.resources).toEqual([]);
  });
});
