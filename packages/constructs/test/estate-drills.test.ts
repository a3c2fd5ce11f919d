import { describe, expect, it } from "vitest";
import * as rds from "@pulumi/aws/rds";
import * as s3 from "@pulumi/aws/s3";
import type * as pulumi from "@pulumi/pulumi";
import type { DrillRecord, EstatePosture, LifeboatValidationError } from "@lifeboat/constructs/core";
import { DisasterRecoveryEstate, type DisasterRecoveryEstateArgs } from "@lifeboat/constructs/pulumi/aws";
import { errorOf, policyOf, record } from "./support";

const imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0";
const vpc = { subnetIds: ["subnet-a"], securityGroupIds: ["sg-jobs"], routes: { endpoints: ["s3" as const, "secretsmanager" as const, "ecr.api" as const, "ecr.dkr" as const, "logs" as const] } };
const resolve = <T>(output: pulumi.Output<T>) => new Promise<T>((done) => output.apply(done));

function estateArgs(extra: Partial<DisasterRecoveryEstateArgs> = {}): DisasterRecoveryEstateArgs {
  const db = new rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 20, manageMasterUserPassword: true, username: "admin" });
  const uploads = new s3.Bucket("uploads", {});
  return {
    objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y" }, drRegion: "us-west-2" },
    sources: [
      { name: "big-db", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50, drill: { smokeQueries: [{ sql: "SELECT count(*) FROM orders", min: 1 }] } },
      { name: "small-db", kind: "postgres", engine: "self-managed", host: "db.internal", database: "app", credentials: { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:small-AbCdEf" }, sizeGiB: 2, rpo: "2h" },
      { name: "uploads", kind: "objects", engine: "s3", bucket: uploads, sizeGiB: 1 },
    ],
    alerts: { emails: ["oncall@example.com"] },
    jobs: { code: { imageUri }, vpc, fargate: {} },
    ...extra,
  };
}

describe("DisasterRecoveryEstate drills and Fargate jobs", () => {
  it("runs a source whose backup, verification and drill outgrow Lambda as Fargate tasks, and a small one's drill on Lambda, monthly", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const schedules = Object.fromEntries(rec.ofType("aws:scheduler/schedule:Schedule").map((s) => [s.name, s.inputs.scheduleExpression]));

    expect(rec.ofType("lifeboat:aws:FargateJob").map((j) => j.name)).toEqual(["prod-big-db-backup-task", "prod-big-db-verify-task", "prod-big-db-drill-task"]);
    expect(rec.ofType("lifeboat:aws:BackupJob").map((j) => j.name)).toEqual(["prod-small-db-backup", "prod-uploads-backup"]);
    expect(rec.ofType("lifeboat:aws:DrillJob").map((j) => j.name)).toEqual(["prod-small-db-drill"]);
    expect(schedules).toMatchObject({ "prod-big-db-backup-task-schedule": "rate(1 day)", "prod-big-db-verify-task-schedule": "rate(1 day)", "prod-big-db-drill-task-schedule": "rate(30 days)", "prod-small-db-drill-schedule": "rate(30 days)" });
    const cluster = rec.get("aws:ecs/cluster:Cluster", "prod-jobs");
    expect(rec.get("aws:scheduler/schedule:Schedule", "prod-big-db-drill-task-schedule").inputs.target).toMatchObject({ arn: cluster.outputs.arn, ecsParameters: { networkConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-jobs"], assignPublicIp: false } } });
    const [container] = JSON.parse(rec.get("aws:ecs/taskDefinition:TaskDefinition", "prod-big-db-drill-task-task").inputs.containerDefinitions as string);
    expect(container.command).toEqual(["drill", "--source", "big-db"]);
    expect(JSON.parse(container.environment[0].value).sources[0].drill).toEqual({ smokeQueries: [{ sql: "SELECT count(*) FROM orders", min: 1 }] });
  });

  it("runs its Fargate tasks and its Lambda jobs on the jobs image's architecture, x86_64 unless the code says arm64", async () => {
    const platforms = async (code: DisasterRecoveryEstateArgs["jobs"]["code"]) => {
      const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs({ jobs: { code, vpc, fargate: {} } })));
      const imageFunctions = rec.ofType("aws:lambda/function:Function").filter((f) => f.inputs.packageType === "Image");
      return {
        tasks: [...new Set(rec.ofType("aws:ecs/taskDefinition:TaskDefinition").map((t) => (t.inputs.runtimePlatform as { cpuArchitecture: string }).cpuArchitecture))],
        functions: [...new Set(imageFunctions.map((f) => (f.inputs.architectures as string[]).join(",")))],
      };
    };

    expect(await platforms({ imageUri })).toEqual({ tasks: ["X86_64"], functions: ["x86_64"] });
    expect(await platforms({ imageUri, architecture: "arm64" })).toEqual({ tasks: ["ARM64"], functions: ["arm64"] });
  });

  it("names the task families after the project and stack, so two stacks with one estate name in an account do not collide", async () => {
    const families = async (stack: string) =>
      (await record(() => new DisasterRecoveryEstate("prod", estateArgs()), { project: "shop", stack })).ofType("aws:ecs/taskDefinition:TaskDefinition").map((t) => t.inputs.family);

    expect(await families("staging")).toEqual(["lifeboat-shop-staging-prod-big-db-backup", "lifeboat-shop-staging-prod-big-db-verify", "lifeboat-shop-staging-prod-big-db-drill"]);
    expect(await families("production")).toEqual(["lifeboat-shop-production-prod-big-db-backup", "lifeboat-shop-production-prod-big-db-verify", "lifeboat-shop-production-prod-big-db-drill"]);
  });

  it("gives the drill task read access to the source's backups and write access to its drill records only", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "prod-vault-primary-bucket").outputs.arn;
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "prod-big-db-drill-task-task-policy"));

    expect(policy.Statement.map((s) => s.Sid)).toEqual(["ReadBackups", "ListBackups", "UseVaultKeyThroughS3", "ReadCredentials", "DecryptCredentials", "WriteDrillRecords", "EncryptDrillRecords"]);
    expect(policy.Statement.find((s) => s.Sid === "WriteDrillRecords")!.Resource).toEqual([`${bucketArn}/drills/big-db/*`]);
  });

  it("verifies the large source's primary copy in a Fargate task that may only read its backups and drill records, and leaves its replica check to the verification function", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "prod-vault-primary-bucket").outputs.arn;
    const task = rec.get("aws:ecs/taskDefinition:TaskDefinition", "prod-big-db-verify-task-task");
    const [container] = JSON.parse(task.inputs.containerDefinitions as string);
    const taskConfig = JSON.parse(container.environment[0].value);
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "prod-big-db-verify-task-task-policy"));
    const functionConfig = JSON.parse((rec.get("aws:lambda/function:Function", "prod-verify-function").inputs.environment as any).variables.LIFEBOAT_CONFIG);

    expect(container.entryPoint).toEqual(["/usr/local/bin/lifeboat"]);
    expect(container.command).toEqual(["verify", "--source", "big-db"]);
    expect(taskConfig.vault.replica).toBeUndefined();
    expect(taskConfig.sources.map((s: { name: string }) => s.name)).toEqual(["big-db"]);
    expect(rec.get("aws:scheduler/schedule:Schedule", "prod-big-db-verify-task-schedule").inputs).toMatchObject({
      scheduleExpression: "rate(1 day)",
      target: { arn: rec.get("aws:ecs/cluster:Cluster", "prod-jobs").outputs.arn, ecsParameters: { taskDefinitionArn: task.outputs.arn, launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-a"], assignPublicIp: false } } },
    });
    expect(policy.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["ReadBackups", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectAttributes"], [`${bucketArn}/big-db/*`]],
      ["ListBackups", ["s3:ListBucket"], [bucketArn]],
      ["UseVaultKeyThroughS3", ["kms:Decrypt"], expect.any(Array)],
      ["ReadDrillRecords", ["s3:GetObject"], [`${bucketArn}/drills/big-db/*`]],
      ["ListDrillRecords", ["s3:ListBucket"], [bucketArn]],
    ]);
    expect(functionConfig.sources.map((s: { name: string; verify?: unknown }) => [s.name, s.verify])).toEqual([
      ["big-db", { checks: "replica-only" }],
      ["small-db", undefined],
      ["uploads", undefined],
    ]);
    expect(functionConfig.vault.replica).toMatchObject({ region: "us-west-2" });
  });

  it("alarms on the verification task as on the verification function: its dead letters, a task that stopped without success, and the verify-failed and freshness alarms", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const alarms = rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
    const rule = rec.get("aws:cloudwatch/eventRule:EventRule", "prod-big-db-verify-task-failures");

    expect(alarms).toEqual(expect.arrayContaining(["prod-alarms-big-db-verify-task-dead-letters", "prod-alarms-big-db-verify-failed", "prod-alarms-big-db-backup-age", "prod-alarms-verify-errors"]));
    expect(JSON.parse(rule.inputs.eventPattern as string).detail.group).toEqual(["family:lifeboat-lifeboat-dev-prod-big-db-verify"]);
  });

  it("alarms when a drill fails, when none succeeded within its period, and when a restore is slower than the RTO", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs()));
    const alarms = rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => /drill/.test(a.name));

    expect(alarms.map((a) => [a.name, a.inputs.metricName, a.inputs.threshold])).toEqual(
      expect.arrayContaining([
        ["prod-alarms-big-db-drill-failed", "DrillFailed", 1],
        ["prod-alarms-big-db-drill-stale", "DrillAgeMinutes", 43_200 + 1440],
        ["prod-alarms-big-db-drill-slow", "DrillRestoreSeconds", 240 * 60],
        ["prod-alarms-small-db-drill-slow", "DrillRestoreSeconds", 240 * 60],
      ]),
    );
    expect(rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", "prod-alarms-big-db-drill-task-dead-letters").inputs.metricName).toBe("ApproximateNumberOfMessagesVisible");
  });

  it("says in the posture where each job runs and why, the drill schedule, and the RTO measured beside the estimate", async () => {
    const drilled: DrillRecord = {
      schemaVersion: 1,
      source: "small-db",
      kind: "postgres",
      startedAt: "2026-11-28T03:00:00.000Z",
      finishedAt: "2026-11-28T03:13:00.000Z",
      outcome: "succeeded",
      backup: { artifactKey: "small-db/2026/11/28/small-db-20261128T020000Z.dump.zst", startedAt: "2026-11-28T02:00:00.000Z", sizeBytes: 1, sha256: "a".repeat(64), tier: "daily" },
      scratch: "postgres://x",
      restoreSeconds: 720,
      dataLossMinutes: 60,
      checks: [],
    };
    let estate!: DisasterRecoveryEstate;
    await record(() => {
      estate = new DisasterRecoveryEstate("prod", estateArgs({ records: { drills: [drilled] } }));
    });
    const posture: EstatePosture = await resolve(estate.posture);
    const big = posture.sources.find((s) => s.name === "big-db")!;
    const small = posture.sources.find((s) => s.name === "small-db")!;
    const uploads = posture.sources.find((s) => s.name === "uploads")!;

    expect(big.jobs?.map((j) => [j.job, j.runtime, j.basis])).toEqual([
      ["backup", "fargate", "assumed"],
      ["verify", "fargate", "assumed"],
      ["drill", "fargate", "assumed"],
    ]);
    expect(big.jobs?.[1]?.reason).toMatch(/^expected 43 minutes .*, over Lambda's 15-minute limit less a 5-minute margin; the Fargate task big-db-verify verifies the primary copy, and the estate's verification function, outside the VPC, checks its replica in the DR region/);
    expect(big.notes.join("\n")).not.toContain("Verifying big-db");
    expect(small.jobs?.map((j) => [j.job, j.runtime])).toContainEqual(["verify", "lambda"]);
    expect(small.jobs?.find((j) => j.job === "verify")?.reason).toMatch(/within Lambda's 15-minute limit less a 5-minute margin; in the estate's verification function/);
    expect(big.jobs?.[0]?.reason).toBe("expected 43 minutes (50 GiB at an assumed 20 MiB/s, until a backup measures it), over Lambda's 15-minute limit less a 5-minute margin");
    expect(big.drill).toEqual({ every: "every 30 days", job: "prod-big-db-drill-task" });
    expect(big.rto?.statement).toMatch(/^RTO estimated: about .* \(objective 4 hours\); no drill has measured it yet$/);
    expect(small.rto).toMatchObject({ shown: "measured", statement: "RTO measured on 2026-11-28: 12 minutes (objective 4 hours)" });
    expect(small.rto?.estimatedMinutes).toBe(small.achieved.rtoMinutes);
    expect(uploads.drill).toBeUndefined();
    expect(uploads.notes).toContain("No restore drill: a objects drill needs a declared scratch target (`drill.scratch`); its RTO stays an estimate.");
    expect(await resolve(estate.runbook)).toContain("RTO measured on 2026-11-28: 12 minutes (objective 4 hours).");
  });

  it("keeps a job on Lambda and says so when the estate has no Fargate, and schedules no drill that Lambda would kill", async () => {
    const rec = await record(() => new DisasterRecoveryEstate("prod", estateArgs({ jobs: { code: { imageUri }, vpc } })));

    expect(rec.ofType("lifeboat:aws:FargateJob")).toEqual([]);
    expect(rec.ofType("lifeboat:aws:BackupJob").map((j) => j.name)).toEqual(["prod-big-db-backup", "prod-small-db-backup", "prod-uploads-backup"]);
    expect(rec.ofType("lifeboat:aws:DrillJob").map((j) => j.name)).toEqual(["prod-small-db-drill"]);
  });

  it("refuses Fargate without a network or an image, bad drill settings, and an RDS source with no network to reach it, before creating anything", () => {
    const error = errorOf(() => {
      const args = estateArgs({ jobs: { code: { bundle: true }, fargate: {} } });
      new DisasterRecoveryEstate("prod", { ...args, sources: args.sources.map((s) => (s.name === "small-db" ? { ...s, drill: { every: "1h", smokeQueries: [{ sql: "DROP TABLE orders", max: 1 }] }, runtime: "ec2" as never } : s)) });
    }) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.fargate", "jobs.fargate", "sources[1].drill.smokeQueries[0].sql", "sources[1].runtime", "sources[1].drillEvery", "jobs.vpc"]);
  });
});
