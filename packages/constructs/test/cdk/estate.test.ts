import type { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as rds from "aws-cdk-lib/aws-rds";
import * as s3 from "aws-cdk-lib/aws-s3";
import { describe, expect, it } from "vitest";
import { DisasterRecoveryEstate, type DisasterRecoveryEstateProps } from "@lifeboat/constructs/cdk";
import { all, newStack, only, privateDatabase, templateOf } from "./support";

/** An estate with an RDS PostgreSQL source and an uploads bucket, as the example declares it. */
function estate(stack: Stack, overrides: Partial<DisasterRecoveryEstateProps> = {}): DisasterRecoveryEstate {
  const { vpc, db } = privateDatabase(stack);
  const uploads = new s3.Bucket(stack, "Uploads");
  const repository = new ecr.Repository(stack, "Jobs");
  const securityGroup = new ec2.SecurityGroup(stack, "JobsSg", { vpc });
  return new DisasterRecoveryEstate(stack, "Estate", {
    objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, drRegion: "us-west-2" },
    sources: [
      { name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50 },
      { name: "uploads", kind: "objects", engine: "s3", bucket: uploads },
    ],
    alerts: { emails: ["oncall@example.com"] },
    jobs: { code: { repository, tag: "0.1.0" }, vpc: { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [securityGroup], routes: { endpoints: ["s3", "secretsmanager"] } } },
    ...overrides,
  });
}

describe("CDK DisasterRecoveryEstate", () => {
  it("schedules a backup job per logical source and one verification, at the intervals the plan derives", () => {
    const { stack } = newStack();
    const built = estate(stack);
    const schedules = all(templateOf(stack), "AWS::Scheduler::Schedule").map((s) => s.Properties);
    expect(Object.keys(built.backupJobs).sort()).toEqual(["postgres-main", "uploads"]);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual([built.plan.verify?.expression, ...built.plan.sources.flatMap((s) => (s.logical ? [s.logical.expression] : []))].sort());
    for (const s of schedules) expect(s).toMatchObject({ ScheduleExpressionTimezone: "UTC", FlexibleTimeWindow: { Mode: "OFF" }, Target: { RetryPolicy: { MaximumRetryAttempts: 3 } } });
  });

  it("gives each backup job a role that writes only its own prefix and never deletes", () => {
    const { stack } = newStack();
    estate(stack);
    const roles = all(templateOf(stack), "AWS::IAM::Role").filter((r) => JSON.stringify(r.Properties.Description ?? "").includes("Lifeboat backup of postgres-main"));
    expect(roles).toHaveLength(1);
    const statements = roles[0]?.Properties.Policies[0].PolicyDocument.Statement as { Sid: string; Action: string | string[]; Resource: unknown }[];
    const write = statements.find((s) => s.Sid === "WriteBackups");
    expect([write?.Action].flat()).toEqual(["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]);
    expect(JSON.stringify(write?.Resource)).toContain("/postgres-main/*");
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.includes("Delete") && a.startsWith("s3:"))).toEqual([]);
    expect(statements.map((s) => s.Sid)).toContain("ManageNetworkInterfaces");
  });

  it("alarms on freshness with missing data breaching and sends every alarm and its OK to the topic", () => {
    const { stack } = newStack();
    const built = estate(stack);
    const alarms = all(templateOf(stack), "AWS::CloudWatch::Alarm").map((a) => a.Properties);
    const freshness = alarms.find((a) => a.MetricName === "BackupAgeMinutes" && JSON.stringify(a.Dimensions).includes("postgres-main"));
    const planned = built.plan.sources.find((s) => s.name === "postgres-main")?.freshness;
    expect(freshness).toMatchObject({ Namespace: "Lifeboat", Threshold: planned?.thresholdMinutes, Period: planned?.periodSeconds, TreatMissingData: "breaching", ComparisonOperator: "GreaterThanThreshold" });
    for (const a of alarms) {
      expect(a.AlarmActions).toHaveLength(1);
      expect(a.OKActions).toEqual(a.AlarmActions);
    }
    expect(alarms.map((a) => a.MetricName)).toEqual(expect.arrayContaining(["OperationsFailedReplication", "ReplicationLatency", "Errors", "Throttles", "ApproximateNumberOfMessagesVisible", "VerifyFailed"]));
  });

  it("replicates the RDS instance's automated backups to the DR region with a key there", () => {
    const { app, stack } = newStack();
    estate(stack);
    const db = only(templateOf(stack), "AWS::RDS::DBInstance").Properties;
    expect(db).toMatchObject({ AutomaticBackupReplicationRegion: "us-west-2", AutomaticBackupReplicationRetentionPeriod: 35, BackupRetentionPeriod: 35, DeletionProtection: true, CopyTagsToSnapshot: true, StorageEncrypted: true });
    expect(db.AutomaticBackupReplicationKmsKeyId).toBeDefined();
    const dr = app.node.findChild("Primary-dr-us-west-2") as Stack;
    expect(all(templateOf(dr), "AWS::KMS::Key").length).toBeGreaterThanOrEqual(3);
  });

  it("backs the RDS source up with AWS Backup too, copying every recovery point to a locked vault in the DR region", () => {
    const { app, stack } = newStack();
    const built = estate(stack);
    const plan = only(templateOf(stack), "AWS::Backup::BackupPlan").Properties.BackupPlan;
    expect(plan.BackupPlanRule.map((r: { RuleName: string }) => r.RuleName)).toEqual(built.awsBackup?.rules.map((r) => r.name));
    for (const rule of plan.BackupPlanRule) expect(rule.CopyActions).toHaveLength(1);
    const dr = app.node.findChild("Primary-dr-us-west-2") as Stack;
    const drVault = only(templateOf(dr), "AWS::Backup::BackupVault");
    expect(drVault.Properties.LockConfiguration).toBeDefined();
    expect(drVault.DeletionPolicy).toBe("Retain");
    expect(all(templateOf(stack), "AWS::Backup::RestoreTestingPlan")).toHaveLength(1);
  });

  it("reports the same posture as its plan: objectives, restore order, copies per source and alarms", () => {
    const { stack } = newStack();
    const built = estate(stack);
    const posture = built.posture();
    expect(posture.objectives).toEqual({ rpoMinutes: 60, rtoMinutes: 240, primaryRegion: "us-east-1", drRegion: "us-west-2" });
    expect(posture.restoreOrder).toEqual(built.plan.restoreOrder);
    const postgres = posture.sources.find((s) => s.name === "postgres-main");
    expect(postgres?.copies.map((c) => c.what)).toEqual([
      "RDS automated backups (point-in-time recovery)",
      "RDS automated backups replicated to the DR region",
      "AWS Backup recovery points",
      "AWS Backup copies in the DR region",
      "pg_dump archive in the vault",
      "pg_dump archive in the replica vault",
    ]);
    expect(postgres?.alarms.map((a) => a.id)).toContain("postgres-main-backup-age");
    expect(built.runbook()).toContain("postgres-main");
  });

  it("protects an Aurora cluster and a self-managed Redis like the Pulumi estate: jobs in the VPC, the cluster in AWS Backup", () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, "AppVpc", { availabilityZones: ["us-east-1a", "us-east-1b"], natGateways: 0, subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const cluster = new rds.DatabaseCluster(stack, "Orders", {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2("writer"),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      preferredMaintenanceWindow: "sun:05:00-sun:06:00",
    });
    const built = new DisasterRecoveryEstate(stack, "Estate", {
      objectives: { rpo: "1h", rto: "4h", drRegion: "us-west-2" },
      sources: [
        { name: "orders", kind: "postgres", engine: "aurora-cluster", cluster, database: "orders", sizeGiB: 2 },
        { name: "sessions", kind: "redis", engine: "self-managed", host: "redis.internal", sizeGiB: 1, drill: false },
      ],
      alerts: {},
      jobs: { code: { repository: new ecr.Repository(stack, "Jobs"), tag: "0.1.0" }, vpc: { vpc, securityGroups: [new ec2.SecurityGroup(stack, "JobsSg", { vpc })], routes: { endpoints: ["s3", "secretsmanager"] } } },
    });
    const template = templateOf(stack);
    const functions = Object.fromEntries(all(template, "AWS::Lambda::Function").map((f) => [f.Properties.Description, f.Properties.VpcConfig !== undefined]));
    const selection = only(template, "AWS::Backup::BackupSelection").Properties.BackupSelection;

    expect(functions["Lifeboat backup of orders (postgres)"]).toBe(true);
    expect(functions["Lifeboat backup of sessions (redis)"]).toBe(true);
    expect(Object.entries(functions).find(([d]) => d.startsWith("Lifeboat verification"))?.[1]).toBe(false);
    expect(JSON.stringify(selection.Resources)).toContain("Orders");
    expect(built.design.awsBackup?.maintenanceWindows).toEqual(["sun:05:00-sun:06:00"]);
    const sources = built.jobConfigs["lifeboat.json"].sources;
    expect(sources.map((s) => `${s.name} ${s.kind}`)).toEqual(["orders postgres", "sessions redis"]);
    expect(sources[0]).toMatchObject({ database: "orders", sslMode: "require" });
    expect(sources[1]).toMatchObject({ host: "redis.internal", port: 6379, tls: false });
    expect(built.posture().sources.map((s) => s.engine)).toEqual(["aurora-cluster", "self-managed"]);
  });

  it("refuses a private RDS source with no jobs.vpc, naming the argument and the fix, before creating anything", () => {
    const { stack } = newStack();

    expect(() => estate(stack, { jobs: { code: { repository: new ecr.Repository(stack, "Jobs2"), tag: "1" } } })).toThrow(/`jobs.vpc` \(not set\) is required: `sources\[0\]` \("postgres-main", rds-instance\) is reachable only inside its VPC/);
  });

  it("refuses verification in a VPC whose S3 endpoint cannot reach the DR region's replica", () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, "Other", { availabilityZones: ["us-east-1a"], natGateways: 0, subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const jobs = { code: { repository: new ecr.Repository(stack, "Jobs2"), tag: "1" }, vpc: { vpc, securityGroups: [], routes: { endpoints: ["s3" as const, "secretsmanager" as const] }, everyJob: true } };

    expect(() => estate(stack, { jobs })).toThrow(/leaves the job verify no route to s3 in us-west-2/);
  });

  it("refuses an AWS Backup start that reaches into the database's maintenance window read from its props", () => {
    const { stack } = newStack();

    expect(() => estate(stack, { awsBackup: { backupTime: "04:30" } })).toThrow(/`awsBackup.backupTime` \("04:30"\) with a start window of 1 hour lets the/);
  });
});
