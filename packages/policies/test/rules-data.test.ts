import { describe, expect, it } from "vitest";
import {
  cloudwatchAlarmActions,
  dynamodbPointInTimeRecovery,
  elasticacheSnapshotRetention,
  kmsKeyDeletionWindow,
  kmsKeyRotation,
  logGroupRetention,
  rdsBackupRetention,
  rdsCrossRegionBackup,
  rdsDeletionProtection,
  rdsFinalSnapshot,
  rdsStorageEncrypted,
  snsTopicEncrypted,
} from "../src";
import { onStack, onTemplate, summary } from "./fixtures/judge";
import { compliantStack, res, withProps, without } from "./fixtures/pulumi-stack";
import { compliantTemplate, withCfn } from "./fixtures/template";

const stack = compliantStack();
const template = compliantTemplate();

describe("kms-key-rotation", () => {
  it("passes keys with rotation on", () => {
    expect(onStack(kmsKeyRotation, stack)).toEqual([]);
    expect(onTemplate(kmsKeyRotation, template)).toEqual([]);
  });
  it("fails a symmetric key without rotation, in a stack and a template", () => {
    expect(summary(onStack(kmsKeyRotation, withProps(stack, "vault-key", (p) => ({ ...p, enableKeyRotation: false }))))).toEqual(["vault-key: Automatic key rotation is off."]);
    expect(onTemplate(kmsKeyRotation, withCfn(template, "VaultKey", ({ EnableKeyRotation: _, ...p }) => p))[0]?.resource).toBe("VaultKey");
  });
  it("skips asymmetric keys, which cannot rotate", () => {
    expect(onStack(kmsKeyRotation, withProps(stack, "vault-key", (p) => ({ ...p, enableKeyRotation: false, customerMasterKeySpec: "RSA_2048" })))).toEqual([]);
  });
});

describe("kms-key-deletion-window", () => {
  it("passes 30 days and an unset window (KMS waits 30)", () => {
    expect(onStack(kmsKeyDeletionWindow, stack)).toEqual([]);
    expect(onStack(kmsKeyDeletionWindow, withProps(stack, "vault-key", ({ deletionWindowInDays: _, ...p }) => p))).toEqual([]);
    expect(onTemplate(kmsKeyDeletionWindow, template)).toEqual([]);
  });
  it("fails a 7-day window, and honours a lower threshold", () => {
    const short = withProps(stack, "vault-key", (p) => ({ ...p, deletionWindowInDays: 7 }));
    expect(summary(onStack(kmsKeyDeletionWindow, short))).toEqual(["vault-key: The deletion window is 7 days, less than the required 30 days."]);
    expect(onStack(kmsKeyDeletionWindow, short, { kmsDeletionWindowDays: 7 })).toEqual([]);
    expect(onTemplate(kmsKeyDeletionWindow, withCfn(template, "VaultKey", (p) => ({ ...p, PendingWindowInDays: 10 })))[0]?.actual).toBe(10);
  });
});

describe("rds-backup-retention", () => {
  it("passes 14 and 7 days", () => {
    expect(onStack(rdsBackupRetention, stack)).toEqual([]);
    expect(onTemplate(rdsBackupRetention, template)).toEqual([]);
  });
  it.each([
    ["0 (backups disabled)", 0, "Automated backups are disabled (retention 0)."],
    ["3 days", 3, "Automated backups are kept 3 days, less than the required 7 days."],
  ])("fails an instance keeping %s", (_, days, message) => {
    expect(summary(onStack(rdsBackupRetention, withProps(stack, "main-db", (p) => ({ ...p, backupRetentionPeriod: days }))))).toEqual([`main-db: ${message}`]);
  });
  it("fails 0 even when the threshold is lowered to 1", () => {
    expect(onStack(rdsBackupRetention, withProps(stack, "aurora", (p) => ({ ...p, backupRetentionPeriod: 0 })), { rdsBackupRetentionDays: 1 })).toHaveLength(1);
  });
  it("fails an unset retention (RDS keeps 1 day), and skips read replicas", () => {
    expect(summary(onStack(rdsBackupRetention, withProps(stack, "aurora", ({ backupRetentionPeriod: _, ...p }) => p)))).toEqual(["aurora: Automated backups are kept 1 day (the default), less than the required 7 days."]);
    expect(onStack(rdsBackupRetention, withProps(stack, "main-db", (p) => ({ ...p, backupRetentionPeriod: 0, replicateSourceDb: "source-db" })))).toEqual([]);
  });
  it("fails template databases keeping too little", () => {
    expect(onTemplate(rdsBackupRetention, withCfn(template, "Cluster", ({ BackupRetentionPeriod: _, ...p }) => p)).map((f) => f.resource)).toEqual(["Cluster"]);
    expect(onTemplate(rdsBackupRetention, withCfn(template, "Database", (p) => ({ ...p, BackupRetentionPeriod: 0 })))[0]?.actual).toBe(0);
  });
});

describe("rds-storage-encrypted", () => {
  it("passes storage encrypted with a customer key", () => {
    expect(onStack(rdsStorageEncrypted, stack)).toEqual([]);
    expect(onTemplate(rdsStorageEncrypted, template)).toEqual([]);
  });
  it.each([
    ["unencrypted storage", (p: any) => ({ ...p, storageEncrypted: false, kmsKeyId: undefined }), "Storage is not encrypted."],
    ["the aws/rds key by default", (p: any) => ({ ...p, kmsKeyId: undefined }), "Storage is encrypted with the AWS managed aws/rds key."],
    ["the aws/rds alias", (p: any) => ({ ...p, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/aws/rds" }), "Storage is encrypted with the AWS managed key arn:aws:kms:us-east-1:123456789012:alias/aws/rds."],
  ])("fails %s", (_, change, message) => {
    expect(summary(onStack(rdsStorageEncrypted, withProps(stack, "main-db", change)))).toEqual([`main-db: ${message}`]);
  });
  it("fails a template instance without StorageEncrypted", () => {
    expect(onTemplate(rdsStorageEncrypted, withCfn(template, "Database", ({ StorageEncrypted: _, KmsKeyId: __, ...p }) => p))[0]?.message).toBe("Storage is not encrypted.");
  });
});

describe("rds-deletion-protection", () => {
  it("passes deletion protection on", () => {
    expect(onStack(rdsDeletionProtection, stack)).toEqual([]);
    expect(onTemplate(rdsDeletionProtection, template)).toEqual([]);
  });
  it("fails it off or unset", () => {
    expect(summary(onStack(rdsDeletionProtection, withProps(stack, "aurora", (p) => ({ ...p, deletionProtection: false }))))).toEqual(["aurora: Deletion protection is off."]);
    expect(onTemplate(rdsDeletionProtection, withCfn(template, "Database", ({ DeletionProtection: _, ...p }) => p))[0]?.resource).toBe("Database");
  });
});

describe("rds-final-snapshot", () => {
  it("passes a kept final snapshot, and CloudFormation's default Snapshot policy", () => {
    expect(onStack(rdsFinalSnapshot, stack)).toEqual([]);
    expect(onTemplate(rdsFinalSnapshot, template)).toEqual([]);
  });
  it("fails skipFinalSnapshot and DeletionPolicy Delete", () => {
    expect(summary(onStack(rdsFinalSnapshot, withProps(stack, "main-db", (p) => ({ ...p, skipFinalSnapshot: true }))))).toEqual(["main-db: skipFinalSnapshot is true: deleting the database leaves no snapshot."]);
    expect(onTemplate(rdsFinalSnapshot, withCfn(template, "Database", (p) => p, "Delete"))[0]?.actual).toEqual({ DeletionPolicy: "Delete" });
  });
});

describe("rds-cross-region-backup", () => {
  it("is off unless required", () => {
    expect(onStack(rdsCrossRegionBackup, without(stack, "main-db-backups-dr", "plan-selection"))).toEqual([]);
  });
  it("passes replicated automated backups and an AWS Backup plan that copies to another region", () => {
    expect(onStack(rdsCrossRegionBackup, stack, { requireCrossRegionBackups: true })).toEqual([]);
    expect(onTemplate(rdsCrossRegionBackup, template, { requireCrossRegionBackups: true })).toEqual([]);
  });
  it("fails an instance whose backups stay home, and a cluster selected by no copying plan", () => {
    const home = without(stack, "main-db-backups-dr");
    expect(summary(onStack(rdsCrossRegionBackup, home, { requireCrossRegionBackups: true }))).toEqual(["main-db: No backup of this database is kept outside its region."]);
    const noCopy = withProps(stack, "plan", (p: any) => ({ ...p, rules: [{ ...p.rules[0], copyActions: [] }] }));
    expect(summary(onStack(rdsCrossRegionBackup, noCopy, { requireCrossRegionBackups: true }))).toEqual(["aurora: No backup of this database is kept outside its region."]);
  });
  it("accepts a plan that selects by tag, and fails a template whose plan copies nowhere", () => {
    const byTag = withProps(withProps(stack, "plan-selection", (p) => ({ ...p, resources: [], selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "dr" }] })), "aurora", (p) => ({ ...p, tags: { backup: "dr" } }));
    expect(onStack(rdsCrossRegionBackup, byTag, { requireCrossRegionBackups: true })).toEqual([]);
    const cfn = withCfn(template, "Plan", (p) => ({ BackupPlan: { ...p.BackupPlan, BackupPlanRule: [{ ...p.BackupPlan.BackupPlanRule[0], CopyActions: [] }] } }));
    expect(onTemplate(rdsCrossRegionBackup, cfn, { requireCrossRegionBackups: true }).map((f) => f.resource)).toEqual(["Database", "Cluster"]);
  });
});

describe("elasticache-snapshot-retention", () => {
  it("passes 7 days of snapshots and skips memcached", () => {
    expect(onStack(elasticacheSnapshotRetention, stack)).toEqual([]);
    expect(onTemplate(elasticacheSnapshotRetention, template)).toEqual([]);
    expect(onStack(elasticacheSnapshotRetention, [res("aws:elasticache/cluster:Cluster", "memcache", { engine: "memcached" })])).toEqual([]);
  });
  it("fails disabled snapshots and a short retention", () => {
    expect(summary(onStack(elasticacheSnapshotRetention, withProps(stack, "cache", ({ snapshotRetentionLimit: _, ...p }) => p)))).toEqual(["cache: Automatic snapshots are disabled."]);
    expect(summary(onStack(elasticacheSnapshotRetention, withProps(stack, "cache", (p) => ({ ...p, snapshotRetentionLimit: 2 }))))).toEqual(["cache: Snapshots are kept 2 days, less than the required 7 days."]);
    expect(onTemplate(elasticacheSnapshotRetention, withCfn(template, "Cache", (p) => ({ ...p, SnapshotRetentionLimit: 0 })))[0]?.resource).toBe("Cache");
  });
});

describe("dynamodb-point-in-time-recovery", () => {
  it("passes PITR on", () => {
    expect(onStack(dynamodbPointInTimeRecovery, stack)).toEqual([]);
    expect(onTemplate(dynamodbPointInTimeRecovery, template)).toEqual([]);
  });
  it("fails PITR off or absent", () => {
    expect(summary(onStack(dynamodbPointInTimeRecovery, withProps(stack, "jobs", (p) => ({ ...p, pointInTimeRecovery: { enabled: false } }))))).toEqual(["jobs: Point-in-time recovery is off."]);
    expect(onTemplate(dynamodbPointInTimeRecovery, withCfn(template, "Table", () => ({})))[0]?.resource).toBe("Table");
  });
});

describe("sns-topic-encrypted", () => {
  it("passes a topic with a customer key", () => {
    expect(onStack(snsTopicEncrypted, stack)).toEqual([]);
    expect(onTemplate(snsTopicEncrypted, template)).toEqual([]);
  });
  it("fails no key and the AWS managed key", () => {
    expect(summary(onStack(snsTopicEncrypted, withProps(stack, "alerts", () => ({}))))).toEqual(["alerts: The topic is not encrypted."]);
    expect(onStack(snsTopicEncrypted, withProps(stack, "alerts", () => ({ kmsMasterKeyId: "alias/aws/sns" })))[0]?.actual).toBe("alias/aws/sns");
    expect(onTemplate(snsTopicEncrypted, withCfn(template, "Topic", () => ({})))[0]?.resource).toBe("Topic");
  });
});

describe("log-group-retention", () => {
  it("passes a set retention", () => {
    expect(onStack(logGroupRetention, stack)).toEqual([]);
    expect(onTemplate(logGroupRetention, template)).toEqual([]);
  });
  it("fails logs kept forever, and a retention under the minimum", () => {
    expect(summary(onStack(logGroupRetention, withProps(stack, "backup-job-logs", () => ({}))))).toEqual(["backup-job-logs: The log group keeps events forever."]);
    expect(onStack(logGroupRetention, stack, { minimumLogRetentionDays: 180 })[0]?.actual).toBe(90);
    expect(onTemplate(logGroupRetention, withCfn(template, "Logs", () => ({ RetentionInDays: 0 })))[0]?.resource).toBe("Logs");
  });
});

describe("cloudwatch-alarm-actions", () => {
  it("passes an alarm that notifies a topic", () => {
    expect(onStack(cloudwatchAlarmActions, stack)).toEqual([]);
    expect(onTemplate(cloudwatchAlarmActions, template)).toEqual([]);
  });
  it("fails an alarm with no action or actions disabled", () => {
    expect(summary(onStack(cloudwatchAlarmActions, withProps(stack, "backup-stale", () => ({ alarmActions: [] }))))).toEqual(["backup-stale: The alarm has no alarm action: it notifies nobody."]);
    expect(onTemplate(cloudwatchAlarmActions, withCfn(template, "Alarm", (p) => ({ ...p, ActionsEnabled: false })))[0]?.message).toBe("The alarm's actions are disabled.");
  });
});
