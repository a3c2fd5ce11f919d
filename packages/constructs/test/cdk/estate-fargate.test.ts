import type { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as s3 from "aws-cdk-lib/aws-s3";
import { describe, expect, it } from "vitest";
import type { LifeboatValidationError } from "@lifeboat/constructs/core";
import { DisasterRecoveryEstate, type DisasterRecoveryEstateProps } from "@lifeboat/constructs/cdk";
import { errorOf } from "../support";
import { all, newStack, only, privateDatabase, templateOf } from "./support";

const smallSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:small-AbCdEf";

/** The Pulumi estate-drills fixture in CDK: a 50 GiB RDS database, a 2 GiB self-managed one, a 1 GiB bucket. */
function estate(stack: Stack, overrides: (p: DisasterRecoveryEstateProps) => Partial<DisasterRecoveryEstateProps> = () => ({})): DisasterRecoveryEstate {
  const { vpc, db } = privateDatabase(stack);
  const props: DisasterRecoveryEstateProps = {
    objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y" }, drRegion: "us-west-2" },
    sources: [
      { name: "big-db", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50, drill: { smokeQueries: [{ sql: "SELECT count(*) FROM orders", min: 1 }] } },
      { name: "small-db", kind: "postgres", engine: "self-managed", host: "db.internal", database: "app", credentials: { secretArn: smallSecret }, sizeGiB: 2, rpo: "2h" },
      { name: "uploads", kind: "objects", engine: "s3", bucket: new s3.Bucket(stack, "Uploads"), sizeGiB: 1 },
    ],
    alerts: { emails: ["oncall@example.com"] },
    jobs: { code: { repository: new ecr.Repository(stack, "Jobs"), tag: "0.1.0" }, vpc: { vpc, securityGroups: [new ec2.SecurityGroup(stack, "JobsSg", { vpc })], routes: { endpoints: ["s3", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] } }, fargate: {} },
  };
  return new DisasterRecoveryEstate(stack, "Estate", { ...props, ...overrides(props) });
}

describe("CDK DisasterRecoveryEstate on Fargate", () => {
  it("runs its Fargate tasks and its image Lambda jobs on the jobs image's architecture when the code says arm64", () => {
    const { stack } = newStack();
    estate(stack, (p) => ({ jobs: { ...p.jobs, code: { ...(p.jobs.code as { repository: ecr.IRepository; tag: string }), architecture: "arm64" } } }));
    const template = templateOf(stack);
    const imageFunctions = all(template, "AWS::Lambda::Function").filter((f) => f.Properties.PackageType === "Image");

    expect(all(template, "AWS::ECS::TaskDefinition").map((t) => t.Properties.RuntimePlatform)).toEqual(Array(3).fill({ OperatingSystemFamily: "LINUX", CpuArchitecture: "ARM64" }));
    expect(imageFunctions.length).toBeGreaterThan(0);
    expect([...new Set(imageFunctions.map((f) => f.Properties.Architectures.join(",")))]).toEqual(["arm64"]);
  });

  it("runs a source whose backup, verification and drill outgrow Lambda as Fargate tasks in a cluster in the jobs' VPC, and a small one's on Lambda", () => {
    const { stack } = newStack();
    const built = estate(stack);
    const t = templateOf(stack);
    const families = all(t, "AWS::ECS::TaskDefinition").map((d) => [d.Properties.Family, d.Properties.ContainerDefinitions[0].Command]);

    expect(Object.keys(built.fargateJobs)).toEqual(["big-db-backup", "big-db-verify", "big-db-drill"]);
    expect(Object.keys(built.backupJobs)).toEqual(["small-db", "uploads"]);
    expect(Object.keys(built.drillJobs)).toEqual(["small-db"]);
    expect(families).toEqual([
      ["lifeboat-Primary-Estate-big-db-backup", ["backup", "--source", "big-db"]],
      ["lifeboat-Primary-Estate-big-db-verify", ["verify", "--source", "big-db"]],
      ["lifeboat-Primary-Estate-big-db-drill", ["drill", "--source", "big-db"]],
    ]);
    expect(only(t, "AWS::ECS::Cluster").Properties.ClusterSettings).toEqual([{ Name: "containerInsights", Value: "enabled" }]);
    const drillSchedule = all(t, "AWS::Scheduler::Schedule").find((s) => s.Properties.Description === "Lifeboat drill of big-db on Fargate")!.Properties;
    expect(drillSchedule).toMatchObject({ ScheduleExpression: "rate(30 days)", Target: { EcsParameters: { LaunchType: "FARGATE", NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: "DISABLED" } } } } });
    const drillContainer = all(t, "AWS::ECS::TaskDefinition")[2]!.Properties.ContainerDefinitions[0];
    expect(JSON.stringify(drillContainer.Environment)).toContain("SELECT count(*) FROM orders");
  });

  it("gives the drill task the drill role's data permissions, without what only Lambda needs", () => {
    const { stack } = newStack();
    estate(stack);
    const role = all(templateOf(stack), "AWS::IAM::Role").find((r) => r.Properties.Description === "Lifeboat drill of big-db (Fargate task)")!;

    expect(role.Properties.Policies[0].PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["ReadBackups", "ListBackups", "UseVaultKeyThroughS3", "ReadCredentials", "DecryptCredentials", "WriteDrillRecords", "EncryptDrillRecords"]);
  });

  it("synthesizes the verification task reading the primary vault only, its scheduler target, and the function checking big-db's replica only", () => {
    const { stack } = newStack();
    estate(stack);
    const t = templateOf(stack);
    const task = all(t, "AWS::ECS::TaskDefinition").find((d) => d.Properties.Family === "lifeboat-Primary-Estate-big-db-verify")!.Properties;
    const schedule = all(t, "AWS::Scheduler::Schedule").find((s) => s.Properties.Description === "Lifeboat verify of big-db on Fargate")!.Properties;
    const role = all(t, "AWS::IAM::Role").find((r) => r.Properties.Description === "Lifeboat verify of big-db (Fargate task)")!;
    const verifyFunction = all(t, "AWS::Lambda::Function").find((f) => JSON.stringify(f.Properties.Environment ?? {}).includes("replica-only"));

    expect(task.ContainerDefinitions[0]).toMatchObject({ EntryPoint: ["/usr/local/bin/lifeboat"], Command: ["verify", "--source", "big-db"] });
    expect(JSON.stringify(task.ContainerDefinitions[0].Environment)).not.toContain("replica");
    expect(schedule).toMatchObject({ ScheduleExpression: "rate(1 day)", Target: { EcsParameters: { LaunchType: "FARGATE", NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: "DISABLED" } } } } });
    expect(role.Properties.Policies[0].PolicyDocument.Statement.map((s: { Sid: string; Action: string[] }) => [s.Sid, s.Action])).toEqual([
      ["ReadBackups", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectAttributes"]],
      ["ListBackups", "s3:ListBucket"],
      ["UseVaultKeyThroughS3", "kms:Decrypt"],
      ["ReadDrillRecords", "s3:GetObject"],
      ["ListDrillRecords", "s3:ListBucket"],
    ]);
    expect(JSON.stringify(verifyFunction?.Properties.Environment)).toContain('\\"name\\":\\"big-db\\"');
    expect(JSON.stringify(verifyFunction?.Properties.Environment).match(/replica-only/g)).toHaveLength(1);
  });

  it("alarms on the verification task as on the verification function: its dead letters, and a task that stopped without success to the topic", () => {
    const { stack } = newStack();
    const built = estate(stack);
    const rule = all(templateOf(stack), "AWS::Events::Rule").find((r) => JSON.stringify(r.Properties.EventPattern).includes("family:lifeboat-Primary-Estate-big-db-verify"));

    expect(built.alarms.alarms.map((a) => a.id)).toEqual(expect.arrayContaining(["big-db-verify-task-dead-letters", "big-db-verify-failed", "big-db-backup-age", "verify-errors"]));
    expect(rule?.Properties.Targets).toHaveLength(1);
  });

  it("alarms on each task's dead letters as on a Lambda job's, beside the drill alarms", () => {
    const { stack } = newStack();
    const built = estate(stack);

    expect(built.alarms.alarms.map((a) => a.id)).toEqual(expect.arrayContaining(["big-db-backup-task-dead-letters", "big-db-drill-task-dead-letters", "big-db-drill-failed", "big-db-drill-stale"]));
    expect(built.alarms.alarms.find((a) => a.id === "big-db-drill-task-dead-letters")!.source).toBe("big-db");
  });

  it("says in the posture where each job runs and why, and names the drill's task family", () => {
    const { stack } = newStack();
    const big = estate(stack).posture().sources.find((s) => s.name === "big-db")!;

    expect(big.jobs?.map((j) => [j.job, j.runtime, j.basis])).toEqual([
      ["backup", "fargate", "assumed"],
      ["verify", "fargate", "assumed"],
      ["drill", "fargate", "assumed"],
    ]);
    expect(big.jobs?.[1]?.reason).toContain("the Fargate task big-db-verify verifies the primary copy, and the estate's verification function, outside the VPC, checks its replica in the DR region");
    expect(big.jobs?.[0]?.reason).toBe("expected 43 minutes (50 GiB at an assumed 20 MiB/s, until a backup measures it), over Lambda's 15-minute limit less a 5-minute margin");
    expect(big.drill).toEqual({ every: "every 30 days", job: "lifeboat-Primary-Estate-big-db-drill" });
  });

  it("runs a small source on Fargate when it is forced there", () => {
    const { stack } = newStack();
    const built = estate(stack, (p) => ({ sources: p.sources.map((s) => (s.name === "uploads" ? { ...s, runtime: "fargate" as const } : s)) }));

    expect(Object.keys(built.fargateJobs)).toEqual(["big-db-backup", "uploads-backup", "big-db-verify", "uploads-verify", "big-db-drill"]);
    expect(built.posture().sources.find((s) => s.name === "uploads")!.jobs?.[0]).toMatchObject({ runtime: "fargate", basis: "forced" });
    const role = all(templateOf(stack), "AWS::IAM::Role").find((r) => r.Properties.Description === "Lifeboat backup of uploads (Fargate task)")!;
    expect(role.Properties.Policies[0].PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid)).toContain("ReadSourceObjects");
  });

  it("keeps a job on Lambda and says so when the estate has no Fargate, and schedules no drill that Lambda would kill", () => {
    const { stack } = newStack();
    const built = estate(stack, (p) => ({ jobs: { code: p.jobs.code, ...(p.jobs.vpc ? { vpc: p.jobs.vpc } : {}) } }));

    expect(built.fargateJobs).toEqual({});
    expect(all(templateOf(stack), "AWS::ECS::TaskDefinition")).toEqual([]);
    expect(Object.keys(built.backupJobs)).toEqual(["big-db", "small-db", "uploads"]);
    expect(built.posture().sources.find((s) => s.name === "big-db")!.notes.join(" ")).toContain("Declare `jobs.fargate`");
  });

  it("refuses Fargate without a network or an image before creating anything", () => {
    const { stack } = newStack();
    const error = errorOf(() => estate(stack, () => ({ jobs: { code: { bundle: true, directory: "/nowhere" }, fargate: {} } }))) as LifeboatValidationError;

    expect(error.problems.map((p) => [p.argument, p.message.split(":")[0]])).toEqual([
      ["jobs.fargate", "needs `jobs.vpc`"],
      ["jobs.fargate", "needs `jobs.code.repository`"],
      ["jobs.vpc", "is required"],
    ]);
    expect(stack.node.tryFindChild("Estate")).toBeUndefined();
  });
});
