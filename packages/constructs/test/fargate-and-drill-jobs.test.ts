import { describe, expect, it } from "vitest";
import { BackupVault, DrillJob, FargateJob, type FargateJobArgs } from "@lifeboat/constructs/pulumi/aws";
import { fargateJobDesign, fargateTaskRoleStatements, type LifeboatValidationError } from "@lifeboat/constructs/core";
import { errorOf, policyOf, record } from "./support";

const imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0";
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf";
const clusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/lifeboat-jobs";
const topicArn = "arn:aws:sns:us-east-1:123456789012:alerts";
const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const vpc = { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] };
const postgres = { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db.internal", database: "app", credentials: { secretArn } } as const;
const design = fargateJobDesign({ estate: "prod", job: "backup", source: "postgres-main", sizeGiB: 400, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } });

function fargate(change: Partial<FargateJobArgs> = {}, name = "pg-backup") {
  const vault = { bucketName: "vault", bucketArn: "arn:aws:s3:::vault", keyArn };
  return new FargateJob(name, {
    design,
    imageUri,
    clusterArn,
    vpc,
    config: JSON.stringify({ vault: { bucket: "vault" }, sources: [postgres] }),
    taskStatements: fargateTaskRoleStatements({ mode: "write", vault: { bucketArn: vault.bucketArn, keyArn }, prefix: "postgres-main/" }, { secretArns: [secretArn] }),
    keyArn,
    topicArn,
    ...change,
  });
}

describe("FargateJob", () => {
  it("records a Fargate task definition that runs the command line instead of the Lambda runtime emulator, sized from the source", async () => {
    const rec = await record(fargate);
    const task = rec.get("aws:ecs/taskDefinition:TaskDefinition", "pg-backup-task");
    const [container] = JSON.parse(task.inputs.containerDefinitions as string);

    expect(task.inputs).toMatchObject({
      family: "lifeboat-prod-postgres-main-backup",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "2048",
      memory: "4096",
      ephemeralStorage: { sizeInGib: 200 },
      taskRoleArn: rec.get("aws:iam/role:Role", "pg-backup-task-role").outputs.arn,
      executionRoleArn: rec.get("aws:iam/role:Role", "pg-backup-execution-role").outputs.arn,
    });
    expect(container).toMatchObject({ name: "lifeboat", image: imageUri, entryPoint: ["/usr/local/bin/lifeboat"], command: ["backup", "--source", "postgres-main"] });
    expect(container.logConfiguration.options["awslogs-group"]).toBe(rec.get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs").outputs.name);
    expect(rec.get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs").inputs.retentionInDays).toBe(90);
  });

  it("runs the task on the architecture the jobs image was built for, x86_64 unless it says arm64", async () => {
    const rec = await record(() => {
      fargate();
      fargate({ architecture: "arm64" }, "pg-backup-arm");
    });

    expect(rec.get("aws:ecs/taskDefinition:TaskDefinition", "pg-backup-task").inputs.runtimePlatform).toEqual({ operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
    expect(rec.get("aws:ecs/taskDefinition:TaskDefinition", "pg-backup-arm-task").inputs.runtimePlatform).toEqual({ operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
  });

  it("refuses an architecture Fargate does not run before creating anything", () => {
    const error = errorOf(() => fargate({ architecture: "i386" as FargateJobArgs["architecture"] })) as LifeboatValidationError;

    expect(error.problems.map((p) => [p.argument, p.value])).toEqual([["architecture", '"i386"']]);
    expect(error.message).toContain('use "x86_64" or "arm64"');
  });

  it("gives the task role the data permissions, the execution role image pull and logs, both trusted by ECS tasks only", async () => {
    const rec = await record(fargate);

    expect(policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-task-policy")).Statement.map((s) => s.Sid)).toEqual(["WriteBackups", "ListBackups", "UseVaultKeyThroughS3", "ReadCredentials"]);
    expect(policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-execution-policy")).Statement.map((s) => [s.Sid, s.Resource])).toEqual([
      ["AuthenticateToRegistry", ["*"]],
      ["PullJobsImage", ["arn:aws:ecr:us-east-1:123456789012:repository/lifeboat-jobs"]],
      ["WriteTaskLogs", [`${rec.get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs").outputs.arn}:*`]],
    ]);
    for (const role of ["pg-backup-task-role", "pg-backup-execution-role"]) {
      expect(policyOf(rec.get("aws:iam/role:Role", role), "assumeRolePolicy").Statement[0]!.Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
    }
  });

  it("is started by an EventBridge Scheduler ECS target with retries, a dead-letter queue, and PassRole on exactly its two roles", async () => {
    const rec = await record(fargate);
    const schedule = rec.get("aws:scheduler/schedule:Schedule", "pg-backup-schedule");
    const task = rec.get("aws:ecs/taskDefinition:TaskDefinition", "pg-backup-task");
    const queue = rec.get("aws:sqs/queue:Queue", "pg-backup-dlq");
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-scheduler-policy"));

    expect(schedule.inputs).toMatchObject({
      scheduleExpression: "rate(1 day)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: clusterArn,
        roleArn: rec.get("aws:iam/role:Role", "pg-backup-scheduler-role").outputs.arn,
        ecsParameters: { taskDefinitionArn: task.outputs.arn, launchType: "FARGATE", platformVersion: "LATEST", taskCount: 1, networkConfiguration: { subnets: vpc.subnetIds, securityGroups: vpc.securityGroupIds, assignPublicIp: false } },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 21_600 },
        deadLetterConfig: { arn: queue.outputs.arn },
      },
    });
    expect(queue.inputs).toMatchObject({ kmsMasterKeyId: keyArn });
    expect(policy.Statement.find((s) => s.Sid === "PassJobRoles")!.Resource).toEqual([rec.get("aws:iam/role:Role", "pg-backup-task-role").outputs.arn, rec.get("aws:iam/role:Role", "pg-backup-execution-role").outputs.arn]);
    expect(policy.Statement.find((s) => s.Sid === "RunJobTask")).toMatchObject({ Action: ["ecs:RunTask"], Condition: { ArnLike: { "ecs:cluster": clusterArn } } });
  });

  it("sends a task that stopped without success to the alert topic", async () => {
    const rec = await record(fargate);
    const rule = rec.get("aws:cloudwatch/eventRule:EventRule", "pg-backup-failures");

    expect(JSON.parse(rule.inputs.eventPattern as string).detail).toMatchObject({ clusterArn: [clusterArn], group: ["family:lifeboat-prod-postgres-main-backup"], lastStatus: ["STOPPED"] });
    expect(rec.get("aws:cloudwatch/eventTarget:EventTarget", "pg-backup-failures-to-topic").inputs).toMatchObject({ rule: rule.outputs.name, arn: topicArn });
  });
});

describe("DrillJob", () => {
  it("runs the drill handler with the source's drill settings, and may only read the source's backups and write its drill records", async () => {
    const rec = await record(() => {
      const vault = new BackupVault("vault");
      new DrillJob("pg-drill", { source: { ...postgres, drill: { smokeQueries: [{ sql: "SELECT count(*) FROM orders", min: 1 }] } }, vault, schedule: "rate(30 days)", code: { imageUri } });
    });
    const fn = rec.get("aws:lambda/function:Function", "pg-drill-function");
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "vault-bucket").outputs.arn;
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-drill-policy"));

    expect(fn.inputs).toMatchObject({ imageConfig: { commands: ["drill/index.handler"] }, memorySize: 1024, timeout: 900 });
    expect(JSON.parse((fn.inputs.environment as any).variables.LIFEBOAT_CONFIG).sources[0].drill).toEqual({ smokeQueries: [{ sql: "SELECT count(*) FROM orders", min: 1 }] });
    expect(rec.get("aws:scheduler/schedule:Schedule", "pg-drill-schedule").inputs).toMatchObject({ scheduleExpression: "rate(30 days)", target: { input: JSON.stringify({ source: "postgres-main" }) } });
    expect(policy.Statement.filter((s) => s.Sid === "ReadBackups" || s.Sid === "WriteDrillRecords").map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["ReadBackups", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectAttributes"], [`${bucketArn}/postgres-main/*`]],
      ["WriteDrillRecords", ["s3:PutObject"], [`${bucketArn}/drills/postgres-main/*`]],
    ]);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => /Delete/.test(a))).toEqual([]);
  });

  it("refuses bad drill settings and the bundled handler for PostgreSQL before creating anything", () => {
    const error = errorOf(() => new DrillJob("bad", { source: { ...postgres, drill: { every: "1h" } }, vault: { bucketName: "v", bucketArn: "arn:aws:s3:::v", keyArn }, schedule: "rate(30 days)", code: { bundle: true, directory: "/nonexistent" } })) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["source.drill.every", "code", "code.directory"]);
  });
});
