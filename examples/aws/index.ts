import * as pulumi from "@pulumi/pulumi";
import { AlertTopic, ReplicatedBackupVault } from "@lifeboat/constructs/pulumi/aws";

// Every value has a default, so `pulumi up` works on a fresh stack; `pulumi config set` overrides.
const config = new pulumi.Config();
const replicaRegion = config.get("replicaRegion") ?? "us-west-2";
const alertEmails = config.getObject<string[]>("alertEmails") ?? [config.get("alertEmail") ?? "backups-oncall@example.com"];

// Where every backup lands: versioned, KMS-encrypted, TLS-only, tiered by the backup job's `tier`
// tag, and replicated within 15 minutes to a second region with its own key.
const vault = new ReplicatedBackupVault("backups", {
  retention: {
    daily: config.get("dailyRetention") ?? "35d",
    weekly: config.get("weeklyRetention") ?? "90d",
    monthly: config.get("monthlyRetention") ?? "365d",
    archiveAfter: config.get("archiveAfter") ?? "30d",
    archiveClass: "GLACIER_IR",
  },
  replica: { region: replicaRegion },
});

// Where alarms about backups go: an encrypted topic CloudWatch, EventBridge and AWS Backup can publish to.
const alerts = new AlertTopic("backup-alerts", { emails: alertEmails });

export const vaultBucket = vault.primary.bucketName;
export const vaultKeyArn = vault.primary.keyArn;
export const replicaBucket = vault.replica.bucketName;
export const replicaRegionName = replicaRegion;
export const alertTopicArn = alerts.arn;
export const postgresWriterPolicy = vault.primary.writerPolicyDocument("postgres-main");
