import { describe, expect, it } from "vitest";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import * as s3 from "@pulumi/aws/s3";
import type * as pulumi from "@pulumi/pulumi";
import { type EstatePosture, LifeboatValidationError } from "@lifeboat/constructs/core";
import { DisasterRecoveryEstate, type DisasterRecoveryEstateArgs } from "@lifeboat/constructs/pulumi/aws";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf, policyOf, record } from "./support";

const imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0";

function estateArgs(): DisasterRecoveryEstateArgs {
  const db = new rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 20, manageMasterUserPassword: true, username: "admin" });
  const cache = new elasticache.ReplicationGroup("cache", { description: "cache", engine: "redis", nodeType: "cache.t4g.small" });
  const uploads = new s3.Bucket("uploads", {});
  return {
    objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y" }, drRegion: "us-west-2" },
    sources: [
      { name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50 },
      { name: "cache", kind: "redis", engine: "elasticache", replicationGroup: cache, rpo: "24h", restoreAfter: ["postgres-main"] },
      { name: "uploads", kind: "objects", engine: "s3", bucket: uploads },
    ],
    alerts: { emails: ["oncall@example.com"] },
    jobs: { code: { imageUri }, vpc: { subnetIds: ["subnet-a"], securityGroupIds: ["sg-jobs"], routes: { endpoints: ["s3", "secretsmanager"] } } },
  };
}

const resolve = <T>(output: pulumi.Output<T>) => new Promise<T>((done) => output.apply(done));

describe("DisasterRecoveryEstate", () => {
  it("schedules a backup job per source with a logical backup, at the interval its plan derives", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const schedules = Object.fromEntries(rec.ofType("aws:scheduler/schedule:Schedule").map((s) => [s.name, s.inputs.scheduleExpression]));

    expect(schedules).toEqual({
      "prod-postgres-main-backup-schedule": "rate(1 day)", // PITR meets the RPO; the dump is the portable copy
      "prod-uploads-backup-schedule": "rate(30 minutes)", // 30 minutes + a 15-minute window within the 1-hour RPO
      "prod-verify-schedule": "rate(15 minutes)",
    });
    expect(rec.ofType("lifeboat:aws:BackupJob").map((j) => j.name)).toEqual(["prod-postgres-main-backup", "prod-uploads-backup"]);
  });

  it("points the PostgreSQL job at the instance, its managed secret and the key that encrypts it", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const db = rec.get("aws:rds/instance:Instance", "db");
    const secret = (db.outputs.masterUserSecrets as Array<{ secretArn: string }>)[0]!.secretArn;
    const fn = rec.get("aws:lambda/function:Function", "prod-postgres-main-backup-function");
    const source = JSON.parse((fn.inputs.environment as any).variables.LIFEBOAT_CONFIG).sources[0];
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "prod-postgres-main-backup-policy"));

    expect(source).toEqual({ name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: db.outputs.address, port: 5432, database: "app", sslMode: "require", credentials: { secretArn: secret }, intervalMinutes: 1440 });
    expect(policy.Statement.find((s) => s.Sid === "ReadCredentials")?.Resource).toEqual([secret]);
    expect(fn.inputs.vpcConfig).toEqual({ subnetIds: ["subnet-a"], securityGroupIds: ["sg-jobs"] });
  });

  it("keeps backups in a vault replicated to the DR region with the objectives' retention", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const rules = rec.get("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-vault-replica-lifecycle").inputs.rules as Array<{ id: string; expiration?: { days: number } }>;

    expect(rec.get("pulumi:providers:aws", "prod-vault-replica-provider").inputs.region).toBe("us-west-2");
    expect(rules.slice(0, 3).map((r) => [r.id, r.expiration?.days])).toEqual([
      ["tier-daily", 35],
      ["tier-weekly", 90],
      ["tier-monthly", 365],
    ]);
  });

  it("alarms on each logical source's freshness against its threshold", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));

    expect(rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", "prod-alarms-uploads-backup-age").inputs).toMatchObject({ threshold: 60, period: 900, treatMissingData: "breaching" });
    // A daily dump behind PITR is judged by its own interval: a day, its window and one verification.
    expect(rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", "prod-alarms-postgres-main-backup-age").inputs).toMatchObject({ threshold: 1440 + 15 + 15 });
    expect(rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").some((a) => a.name.includes("cache-backup"))).toBe(false);
  });

  it("reports per source the RPO and RTO achieved against the objectives, its copies, alarms and restore commands", async () => {
    let estate: DisasterRecoveryEstate | undefined;
    const rec = await record(() => {
      estate = new DisasterRecoveryEstate("prod", estateArgs());
    });
    const posture = await resolve(estate!.posture);
    const byName = Object.fromEntries(posture.sources.map((s) => [s.name, s])) as Record<string, EstatePosture["sources"][number]>;
    const vaultBucket = rec.get("aws:s3/bucket:Bucket", "prod-vault-primary-bucket").outputs.bucket;

    expect(posture.objectives).toEqual({ rpoMinutes: 60, rtoMinutes: 240, primaryRegion: "us-east-1", drRegion: "us-west-2" });
    expect(posture.restoreOrder).toEqual(["postgres-main", "cache", "uploads"]);
    expect(byName["postgres-main"]!.achieved).toEqual({ rpoMinutes: 5, rtoMinutes: 55 });
    expect(byName["postgres-main"]!.meetsObjectives).toBe(true);
    expect(byName["uploads"]!.copies.map((c) => [c.where, c.region])).toEqual([
      [`s3://${vaultBucket}/uploads/`, "us-east-1"],
      [`s3://${rec.get("aws:s3/bucket:Bucket", "prod-vault-replica-bucket").outputs.bucket}/uploads/`, "us-west-2"],
    ]);
    expect(byName["uploads"]!.alarms.map((a) => a.id).sort()).toEqual(["uploads-backup-age", "uploads-backup-dead-letters", "uploads-backup-errors", "uploads-backup-throttles", "uploads-verify-failed"]);
    expect(byName["uploads"]!.alarms[0]!.name).toBe(rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", `prod-alarms-${byName["uploads"]!.alarms[0]!.id}`).outputs.name);
    expect(byName["postgres-main"]!.restore.map((c) => c.command).join("\n")).toContain(
      `aws rds restore-db-instance-to-point-in-time --region us-east-1 --source-db-instance-identifier ${rec.get("aws:rds/instance:Instance", "db").outputs.identifier}`,
    );
    expect(byName["cache"]!.restore.map((c) => c.command).join("\n")).toContain("aws elasticache create-replication-group");
    expect(byName["uploads"]!.restore.map((c) => c.command)).toContain(
      `LIFEBOAT_CONFIG_FILE=lifeboat.json lifeboat restore --source uploads --at latest --target s3://${rec.get("aws:s3/bucket:Bucket", "uploads").outputs.bucket}`,
    );
    expect(posture.alerts.emails).toEqual(["oncall@example.com"]);
  });

  it("replicates the RDS instance's automated backups to the DR region and copies AWS Backup recovery points there", async () => {
    let estate: DisasterRecoveryEstate | undefined;
    const rec = await record(() => {
      estate = new DisasterRecoveryEstate("prod", estateArgs());
    });
    const replication = rec.get("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "prod-postgres-main-database-backup-replication");
    const drProvider = rec.ofType("pulumi:providers:aws").find((p) => p.urn === replication.provider);
    const plan = rec.get("aws:backup/plan:Plan", "prod-aws-backup-plan");
    const selection = rec.get("aws:backup/selection:Selection", "prod-aws-backup-selection-resources");
    const posture = await resolve(estate!.posture);
    const pg = posture.sources.find((s) => s.name === "postgres-main")!;

    expect(replication.inputs).toMatchObject({ sourceDbInstanceArn: rec.get("aws:rds/instance:Instance", "db").outputs.arn, retentionPeriod: 35 });
    expect(drProvider?.inputs.region).toBe("us-west-2");
    expect(selection.inputs.resources).toEqual([rec.get("aws:rds/instance:Instance", "db").outputs.arn]);
    expect((plan.inputs.rules as Array<{ copyActions: Array<{ destinationVaultArn: string }> }>)[0]!.copyActions[0]!.destinationVaultArn).toMatch(/^arn:aws:backup:us-west-2:/);
    expect(rec.get("aws:cloudwatch/eventRule:EventRule", "prod-alarms-aws-backup-failures")).toBeDefined();
    expect(pg.copies.map((c) => [c.what, c.region])).toEqual([
      ["RDS automated backups (point-in-time recovery)", "us-east-1"],
      ["RDS automated backups replicated to the DR region", "us-west-2"],
      ["AWS Backup recovery points", "us-east-1"],
      ["AWS Backup copies in the DR region", "us-west-2"],
      ["pg_dump archive in the vault", "us-east-1"],
      ["pg_dump archive in the replica vault", "us-west-2"],
    ]);
    expect(pg.restore.map((c) => c.command).join("\n")).toMatch(/--region us-west-2 --source-db-instance-automated-backups-arn arn:aws:rds:us-west-2:123456789012:auto-backup:ab-/);
  });

  it("adds no AWS Backup plan when told not to, and none for an estate without RDS or Aurora", async () => {
    const off = await record(() => new DisasterRecoveryEstate("prod", { ...estateArgs(), awsBackup: false }));
    const withoutRds = await record(() => {
      const args = estateArgs();
      new DisasterRecoveryEstate("prod", { ...args, sources: args.sources.filter((s) => s.engine !== "rds-instance").map((s) => ({ ...s, restoreAfter: [] })) });
    });

    expect(off.ofType("lifeboat:aws:AwsBackupPlan")).toEqual([]);
    expect(withoutRds.ofType("lifeboat:aws:AwsBackupPlan")).toEqual([]);
    expect(withoutRds.ofType("aws:cloudwatch/eventRule:EventRule")).toEqual([]);
  });

  it("writes a runbook with each source's restore commands, the alarms and a diagram", async () => {
    let estate: DisasterRecoveryEstate | undefined;
    await record(() => {
      estate = new DisasterRecoveryEstate("prod", estateArgs());
    });
    const runbook = await resolve(estate!.runbook);

    expect(runbook).toMatch(/^# Disaster-recovery runbook: prod/);
    expect(runbook).toContain("lifeboat restore --source uploads --at latest");
    expect(runbook).toContain("lifeboat restore --source postgres-main --at latest --target postgresql://<user>@<restored-host>:5432/app");
    expect(runbook).toContain("aws elasticache create-replication-group");
    expect(runbook).toContain("## Drill checklist");
    expect(runbook).toContain("```mermaid\nflowchart LR");
    expect(runbook).toContain("`lifeboat.json`:");
  });

  it("refuses objectives it cannot meet before creating anything", async () => {
    const recorder = new Recorder();
    const args = estateArgs();

    const error = errorOf(() => new DisasterRecoveryEstate("prod", { ...args, sources: args.sources.map((s) => (s.name === "cache" ? { ...s, rpo: "1h" } : s)) })) as LifeboatValidationError;
    await recorder.settle();

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.message).toMatch(/^DisasterRecoveryEstate "prod": 1 problem in the arguments:/);
    expect(error.problems[0]).toMatchObject({ argument: "sources[1].rpo", value: "1 hour" });
    expect(recorder.resources.map((r) => r.type)).toContain("aws:rds/instance:Instance"); // the user's own resources register
    expect(recorder.resources.filter((r) => r.type.startsWith("lifeboat:") || r.name.startsWith("prod-"))).toEqual([]);
  });

  it("refuses a bad monitor with the estate's own problems, before creating anything", async () => {
    const recorder = new Recorder();
    const args = estateArgs();

    // The estate is in eu-west-1, so its topic cannot take the health check alarm, which lives in us-east-1.
    const error = errorOf(
      () =>
        new DisasterRecoveryEstate("prod", {
          ...args,
          objectives: { ...args.objectives, primaryRegion: "eu-west-1" },
          monitor: { healthCheck: { fqdn: "https://app.example.com" }, database: { instance: "orders", maxConnections: 0, allocatedStorageGiB: 50 } },
        }),
    ) as LifeboatValidationError;
    await recorder.settle();

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.message).toMatch(/^DisasterRecoveryEstate "prod": 3 problems in the arguments:/);
    expect(error.problems.map((p) => p.argument)).toEqual(["monitor.healthCheck.fqdn", "monitor.database.maxConnections", "monitor.topic"]);
    expect(error.message).toContain("Pass monitor.healthCheckTopic");
    expect(recorder.resources.filter((r) => r.type.startsWith("lifeboat:") || r.name.startsWith("prod-"))).toEqual([]);
  });
});
