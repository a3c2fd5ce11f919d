import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type { Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { FargateJob, type FargateJobProps } from "@lifeboat/constructs/cdk";
import { fargateJobDesign, fargateJobTaskStatements, type LifeboatValidationError } from "@lifeboat/constructs/core";
import { errorOf } from "../support";
import { all, newStack, only, templateOf } from "./support";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf";
const vaultArns = { bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" };
const design = fargateJobDesign({ estate: "prod", job: "backup", source: "postgres-main", sizeGiB: 400, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } });

function network(stack: Stack) {
  const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
  const group = new ec2.SecurityGroup(stack, "Jobs", { vpc, allowAllOutbound: false });
  const cluster = new ecs.Cluster(stack, "Cluster", { vpc });
  return { vpc, group, cluster };
}

function props(stack: Stack, overrides: Partial<FargateJobProps> = {}): FargateJobProps {
  const { vpc, group, cluster } = network(stack);
  return {
    design,
    code: { repository: ecr.Repository.fromRepositoryName(stack, "Repo", "lifeboat-jobs"), tag: "0.1.0" },
    cluster,
    vpc: { vpc, securityGroups: [group] },
    config: { vault: { bucket: "vault", kmsKeyArn: vaultArns.keyArn }, sources: [{ name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db.internal", database: "app", credentials: { secretArn }, intervalMinutes: 60 }] },
    taskStatements: fargateJobTaskStatements({ job: "backup", source: "postgres-main", vault: vaultArns, secretArns: [secretArn], secretKeyArns: [] }),
    topic: "arn:aws:sns:us-east-1:123456789012:alerts",
    ...overrides,
  };
}

function synth(overrides: Partial<FargateJobProps> = {}) {
  const { stack } = newStack();
  new FargateJob(stack, "PgBackup", props(stack, overrides));
  return templateOf(stack);
}

const ref = (t: ReturnType<typeof synth>, type: string, description?: string) => {
  const found = Object.entries(t.findResources(type)).filter(([, r]) => description === undefined || r.Properties?.Description === description);
  if (found.length !== 1) throw new Error(`expected one ${type} ${description ?? ""}, found ${found.length}`);
  return found[0]![0];
};

describe("FargateJob (CDK)", () => {
  it("synthesizes a Fargate task definition that runs the command line instead of the Lambda runtime emulator, sized from the source", () => {
    const t = synth();
    const task = only(t, "AWS::ECS::TaskDefinition").Properties;
    const [container] = task.ContainerDefinitions;

    expect(task).toMatchObject({ Family: "lifeboat-prod-postgres-main-backup", RequiresCompatibilities: ["FARGATE"], NetworkMode: "awsvpc", Cpu: "2048", Memory: "4096", EphemeralStorage: { SizeInGiB: 200 } });
    expect(task.TaskRoleArn).toEqual({ "Fn::GetAtt": [ref(t, "AWS::IAM::Role", "Lifeboat backup of postgres-main (Fargate task)"), "Arn"] });
    expect(task.ExecutionRoleArn).toEqual({ "Fn::GetAtt": [ref(t, "AWS::IAM::Role", "Starts the Lifeboat backup task of postgres-main: image pull and logs"), "Arn"] });
    expect(container).toMatchObject({ Name: "lifeboat", Essential: true, EntryPoint: ["/usr/local/bin/lifeboat"], Command: ["backup", "--source", "postgres-main"] });
    expect(JSON.parse(container.Environment[0].Value).sources[0]).toMatchObject({ name: "postgres-main", credentials: { secretArn } });
    expect(container.LogConfiguration).toEqual({ LogDriver: "awslogs", Options: { "awslogs-group": { Ref: ref(t, "AWS::Logs::LogGroup") }, "awslogs-stream-prefix": "backup", "awslogs-region": "us-east-1" } });
    expect(only(t, "AWS::Logs::LogGroup").Properties.RetentionInDays).toBe(90);
  });

  it("runs the task on the architecture the jobs image was built for, x86_64 unless it says arm64", () => {
    const { stack } = newStack();
    const arm = props(stack);
    new FargateJob(stack, "PgBackup", { ...arm, code: { ...(arm.code as { repository: ecr.IRepository; tag: string }), architecture: "arm64" } });

    expect(only(synth(), "AWS::ECS::TaskDefinition").Properties.RuntimePlatform).toEqual({ OperatingSystemFamily: "LINUX", CpuArchitecture: "X86_64" });
    expect(only(templateOf(stack), "AWS::ECS::TaskDefinition").Properties.RuntimePlatform).toEqual({ OperatingSystemFamily: "LINUX", CpuArchitecture: "ARM64" });
  });

  it("refuses an image architecture Fargate does not run before creating anything", () => {
    const { stack } = newStack();
    const p = props(stack);
    const error = errorOf(() => new FargateJob(stack, "Bad", { ...p, code: { ...(p.code as { repository: ecr.IRepository; tag: string }), architecture: "i386" as "arm64" } })) as LifeboatValidationError;

    expect(error.problems.map((x) => [x.argument, x.value])).toEqual([["code.architecture", '"i386"']]);
    expect(stack.node.tryFindChild("Bad")).toBeUndefined();
  });

  it("gives a small source one vCPU, 2 GiB and Fargate's smallest configurable disk", () => {
    const small = fargateJobDesign({ estate: "prod", job: "drill", source: "uploads", sizeGiB: 5, schedule: { expression: "rate(30 days)", intervalMinutes: 43_200 } });
    const task = only(synth({ design: small }), "AWS::ECS::TaskDefinition").Properties;

    expect([task.Cpu, task.Memory, task.EphemeralStorage.SizeInGiB, task.ContainerDefinitions[0].Command]).toEqual(["1024", "2048", 21, ["drill", "--source", "uploads"]]);
  });

  it("gives the task role core's data permissions and the execution role image pull and logs, with no grant added by the L2 constructs", () => {
    const t = synth();
    const policyOf = (description: string) => all(t, "AWS::IAM::Role").find((r) => r.Properties.Description === description)!.Properties;
    const task = policyOf("Lifeboat backup of postgres-main (Fargate task)");
    const execution = policyOf("Starts the Lifeboat backup task of postgres-main: image pull and logs");

    expect(task.Policies[0].PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["WriteBackups", "ListBackups", "UseVaultKeyThroughS3", "ReadCredentials"]);
    expect(execution.Policies[0].PolicyDocument.Statement.map((s: { Sid: string; Resource: unknown }) => s.Sid)).toEqual(["AuthenticateToRegistry", "PullJobsImage", "WriteTaskLogs"]);
    expect(JSON.stringify(execution.Policies[0].PolicyDocument.Statement[1].Resource)).toContain(":ecr:us-east-1:123456789012:repository/lifeboat-jobs");
    for (const role of [task, execution]) expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
    expect(all(t, "AWS::IAM::Policy")).toEqual([]);
  });

  it("is started by an EventBridge Scheduler ECS target with the Lambda jobs' retries, a dead-letter queue, and PassRole on exactly its two roles", () => {
    const t = synth();
    const schedule = only(t, "AWS::Scheduler::Schedule").Properties;
    const queue = ref(t, "AWS::SQS::Queue");
    const scheduler = all(t, "AWS::IAM::Role").find((r) => r.Properties.Description === "Runs the Lifeboat backup task of postgres-main on schedule")!.Properties;
    const statements = scheduler.Policies[0].PolicyDocument.Statement as { Sid: string; Resource: unknown; Condition?: unknown }[];

    expect(schedule).toMatchObject({ ScheduleExpression: "rate(1 day)", ScheduleExpressionTimezone: "UTC", FlexibleTimeWindow: { Mode: "OFF" }, State: "ENABLED" });
    expect(schedule.Target).toMatchObject({
      Arn: { "Fn::GetAtt": [ref(t, "AWS::ECS::Cluster"), "Arn"] },
      RoleArn: { "Fn::GetAtt": [ref(t, "AWS::IAM::Role", "Runs the Lifeboat backup task of postgres-main on schedule"), "Arn"] },
      EcsParameters: { TaskDefinitionArn: { Ref: ref(t, "AWS::ECS::TaskDefinition") }, LaunchType: "FARGATE", PlatformVersion: "LATEST", TaskCount: 1, NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: "DISABLED" } } },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21_600 },
      DeadLetterConfig: { Arn: { "Fn::GetAtt": [queue, "Arn"] } },
    });
    expect(schedule.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.Subnets).toHaveLength(2);
    expect(statements.find((s) => s.Sid === "PassJobRoles")!.Resource).toEqual([
      { "Fn::GetAtt": [ref(t, "AWS::IAM::Role", "Lifeboat backup of postgres-main (Fargate task)"), "Arn"] },
      { "Fn::GetAtt": [ref(t, "AWS::IAM::Role", "Starts the Lifeboat backup task of postgres-main: image pull and logs"), "Arn"] },
    ]);
    expect(JSON.stringify(statements.find((s) => s.Sid === "RunJobTask")!.Resource)).toContain(":task-definition/lifeboat-prod-postgres-main-backup:*");
    expect(only(t, "AWS::SQS::Queue").Properties).toMatchObject({ KmsMasterKeyId: { "Fn::GetAtt": [ref(t, "AWS::KMS::Key"), "Arn"] }, MessageRetentionPeriod: 1_209_600 });
  });

  it("sends a task that stopped without success to the alert topic", () => {
    const rule = only(synth(), "AWS::Events::Rule").Properties;

    expect(rule.EventPattern.detail).toMatchObject({ group: ["family:lifeboat-prod-postgres-main-backup"], lastStatus: ["STOPPED"] });
    expect(rule.Targets).toEqual([{ Id: "alert-topic", Arn: "arn:aws:sns:us-east-1:123456789012:alerts" }]);
  });

  it("refuses a bundled handler, a cluster outside the VPC, no security group and a design Fargate rejects, in one error before creating anything", () => {
    const { stack } = newStack();
    const base = props(stack);
    const otherVpc = new ec2.Vpc(stack, "Other", { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
    const error = errorOf(
      () =>
        new FargateJob(stack, "Bad", {
          ...base,
          design: { ...design, cpu: 1024, memoryMiB: 512, ephemeralStorageGiB: 300, scheduleExpression: "every day", logRetentionDays: 100 },
          code: { bundle: true, directory: "/nowhere" },
          cluster: new ecs.Cluster(stack, "Elsewhere", { vpc: otherVpc }),
          vpc: { ...base.vpc, securityGroups: [] },
        }),
    ) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["design.memoryMiB", "design.ephemeralStorageGiB", "design.logRetentionDays", "design.scheduleExpression", "code", "cluster", "vpc.securityGroups"]);
    expect(error.message).toContain("2048, 3072");
    expect(stack.node.tryFindChild("Bad")).toBeUndefined();
  });
});
