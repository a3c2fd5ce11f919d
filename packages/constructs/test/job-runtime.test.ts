import { describe, expect, it } from "vitest";
import {
  checkFargateJobDesign,
  checkScheduledJob,
  chooseJobRuntime,
  drillRoleStatements,
  fargateJobTaskStatements,
  NO_LAMBDA_RESOURCES,
  ecrRepositoryArn,
  ecsSchedulerRoleStatements,
  ecsTaskFailurePattern,
  fargateContainerDefinitions,
  fargateExecutionRoleStatements,
  fargateJobDesign,
  fargateTaskRoleStatements,
  fargateTaskSize,
  jobRoleStatements,
  LAMBDA_BUDGET_MINUTES,
  newestThroughput,
  planSourceJobs,
  Problems,
  taskDefinitionFamilyArn,
  type DrillRecord,
} from "@lifeboat/constructs/core";

const MiB = 1024 * 1024;
/** A size that takes exactly `minutes` at `mibPerSecond`. */
const gibFor = (minutes: number, mibPerSecond: number) => (minutes * 60 * mibPerSecond) / 1024;

describe("the Lambda-or-Fargate choice", () => {
  it("keeps a backup expected to take exactly the 10-minute budget on Lambda, and moves one a little longer to Fargate", () => {
    const at = { bytesPerSecond: 30 * MiB, from: "backup" as const, at: "2026-11-28T02:00:00Z" };
    const base = { source: "app-db", kind: "postgres" as const, job: "backup" as const, measured: at };

    const onBoundary = chooseJobRuntime({ ...base, sizeGiB: gibFor(LAMBDA_BUDGET_MINUTES, 30) });
    const justOver = chooseJobRuntime({ ...base, sizeGiB: gibFor(LAMBDA_BUDGET_MINUTES + 0.05, 30) });

    expect(LAMBDA_BUDGET_MINUTES).toBe(10);
    expect([onBoundary.runtime, onBoundary.expectedMinutes, onBoundary.basis]).toEqual(["lambda", 10, "measured"]);
    expect([justOver.runtime, justOver.expectedMinutes]).toEqual(["fargate", 10.05]);
    expect(justOver.reason).toBe("expected 11 minutes (17.7 GiB at 30.0 MiB/s measured by the backup of 2026-11-28), over Lambda's 15-minute limit less a 5-minute margin");
  });

  it("assumes a throughput until a backup is measured, and says so", () => {
    const placement = chooseJobRuntime({ source: "app-db", kind: "postgres", job: "backup", sizeGiB: 50 });

    expect(placement).toEqual({ job: "backup", runtime: "fargate", expectedMinutes: 42.67, basis: "assumed", reason: "expected 43 minutes (50 GiB at an assumed 20 MiB/s, until a backup measures it), over Lambda's 15-minute limit less a 5-minute margin" });
  });

  it("estimates a drill with the restore model until a drill measures it", () => {
    // Redis: 1 minute per GiB, plus a minute of setup (the model's fixed part is a new server's provisioning).
    expect(chooseJobRuntime({ source: "cache", kind: "redis", job: "drill", sizeGiB: 9 })).toMatchObject({ runtime: "lambda", expectedMinutes: 10, basis: "assumed" });
    expect(chooseJobRuntime({ source: "cache", kind: "redis", job: "drill", sizeGiB: 9.5 })).toMatchObject({ runtime: "fargate", expectedMinutes: 10.5, basis: "assumed" });
  });

  it("can be forced either way, and warns when Lambda is forced beyond its budget", () => {
    const forced = chooseJobRuntime({ source: "app-db", kind: "postgres", job: "backup", sizeGiB: 50, force: "lambda" });

    expect(forced.runtime).toBe("lambda");
    expect(forced.basis).toBe("forced");
    expect(forced.reason).toContain("forced to Lambda; expected 43 minutes");
    expect(forced.reason).toContain("beware: that is over the 10 minutes Lambda is trusted with");
    expect(chooseJobRuntime({ source: "tiny", kind: "objects", job: "backup", sizeGiB: 0.1, force: "fargate" }).runtime).toBe("fargate");
  });

  it("reads the newest successful drill's restore throughput for drills, and the newest backup's for backups", () => {
    const drill = (startedAt: string, outcome: "succeeded" | "failed", restoreBytesPerSecond?: number) => ({ startedAt, outcome, ...(restoreBytesPerSecond ? { restoreBytesPerSecond } : {}) }) as DrillRecord;

    expect(newestThroughput("drill", { drills: [drill("2026-10-01T00:00:00Z", "succeeded", 5), drill("2026-11-01T00:00:00Z", "succeeded", 7), drill("2026-11-20T00:00:00Z", "failed")] })).toEqual({ bytesPerSecond: 7, from: "drill", at: "2026-11-01T00:00:00Z" });
    expect(newestThroughput("backup", { backups: [{ startedAt: "2026-11-28T02:00:00.000Z", finishedAt: "2026-11-28T02:01:40.000Z", sizeBytes: 1000 } as never] })).toEqual({ bytesPerSecond: 10, from: "backup", at: "2026-11-28T02:00:00.000Z" });
    expect(newestThroughput("backup", {})).toBeUndefined();
  });

  it("plans a source's drill and places its backup, verification and drill, and names a bad forced runtime", () => {
    const problems = new Problems();

    const plan = planSourceJobs({ name: "app-db", kind: "postgres", sizeGiB: 50, rtoMinutes: 240, runtime: "ecs" as never }, problems, "sources[0]");

    expect(plan?.placements.map((p) => [p.job, p.runtime])).toEqual([
      ["backup", "fargate"],
      ["verify", "fargate"],
      ["drill", "fargate"],
    ]);
    expect(plan?.placements[1]?.reason).toBe("expected 43 minutes (50 GiB at an assumed 20 MiB/s (verification reads the newest backup whole), until a backup measures it), over Lambda's 15-minute limit less a 5-minute margin");
    expect(problems.all).toEqual([{ argument: "sources[0].runtime", value: '"ecs"', message: 'must be "lambda" or "fargate"; leave it unset to choose from the expected duration.' }]);
  });
});

describe("the Fargate job design", () => {
  const design = fargateJobDesign({ estate: "prod", job: "backup", source: "app-db", sizeGiB: 50, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 }, logRetentionDays: 90 });

  it("runs the command line instead of the Lambda runtime emulator, sized from the source", () => {
    expect(design).toMatchObject({
      family: "lifeboat-prod-app-db-backup",
      cpu: 1024,
      memoryMiB: 2048,
      ephemeralStorageGiB: 60,
      entryPoint: ["/usr/local/bin/lifeboat"],
      command: ["backup", "--source", "app-db"],
      launchType: "FARGATE",
      assignPublicIp: false,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 21_600 },
      deadLetterRetentionSeconds: 1_209_600,
    });
    expect(fargateContainerDefinitions(design, { imageUri: "img", config: "{}", logGroupName: "/lifeboat/x", region: "us-east-1" })).toEqual([
      {
        name: "lifeboat",
        image: "img",
        essential: true,
        entryPoint: ["/usr/local/bin/lifeboat"],
        command: ["backup", "--source", "app-db"],
        environment: [{ name: "LIFEBOAT_CONFIG", value: "{}" }],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/lifeboat/x", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "backup" } },
      },
    ]);
  });

  it("keeps ephemeral storage within Fargate's 21 to 200 GiB and takes two vCPUs from 100 GiB", () => {
    expect(fargateTaskSize(1)).toMatchObject({ cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 21 });
    expect(fargateTaskSize(99)).toMatchObject({ cpu: 1024, ephemeralStorageGiB: 109 });
    expect(fargateTaskSize(100)).toMatchObject({ cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 110 });
    const huge = fargateTaskSize(500);
    expect(huge.ephemeralStorageGiB).toBe(200);
    expect(huge.sizing).toContain("capped at 200 GiB");
  });

  it("gives the task role the Lambda role's data permissions exactly, without what only Lambda needs", () => {
    const vault = { bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:111111111111:key/k" };
    const resources = { logGroupArn: "arn:logs", deadLetterQueueArn: "arn:sqs", jobKeyArn: "arn:kms:job", secretArns: ["arn:secret"], vpc: true };
    const lambdaRole = jobRoleStatements({ mode: "write", vault, prefix: "app-db/" }, resources);

    const taskRole = fargateTaskRoleStatements({ mode: "write", vault, prefix: "app-db/" }, resources);

    expect(lambdaRole.map((s) => s.Sid)).toEqual(["WriteBackups", "ListBackups", "UseVaultKeyThroughS3", "WriteLogs", "ReportFailedRuns", "UseJobKey", "ReadCredentials", "ManageNetworkInterfaces"]);
    expect(taskRole).toEqual(lambdaRole.filter((s) => ["WriteBackups", "ListBackups", "UseVaultKeyThroughS3", "ReadCredentials"].includes(s.Sid!)));
  });

  it("lets the execution role pull only the jobs repository and write only the task's log group", () => {
    const repositoryArn = ecrRepositoryArn("123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0");

    expect(repositoryArn).toBe("arn:aws:ecr:us-east-1:123456789012:repository/lifeboat-jobs");
    expect(fargateExecutionRoleStatements({ repositoryArn, logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/lifeboat/x" })).toEqual([
      { Sid: "AuthenticateToRegistry", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      { Sid: "PullJobsImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: [repositoryArn] },
      { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: ["arn:aws:logs:us-east-1:123456789012:log-group:/lifeboat/x:*"] },
    ]);
    expect(ecrRepositoryArn("public.ecr.aws/lifeboat/jobs:1")).toBeUndefined();
  });

  it("scopes the scheduler's iam:PassRole to the task and execution roles, and RunTask to the family in the cluster", () => {
    const statements = ecsSchedulerRoleStatements({
      taskDefinitionFamilyArn: taskDefinitionFamilyArn("arn:aws:ecs:us-east-1:1:task-definition/lifeboat-prod-app-db-backup:7"),
      clusterArn: "arn:aws:ecs:us-east-1:1:cluster/jobs",
      taskRoleArn: "arn:task",
      executionRoleArn: "arn:exec",
      deadLetterQueueArn: "arn:sqs",
      jobKeyArn: "arn:kms",
    });

    expect(statements[0]).toEqual({ Sid: "RunJobTask", Effect: "Allow", Action: ["ecs:RunTask"], Resource: ["arn:aws:ecs:us-east-1:1:task-definition/lifeboat-prod-app-db-backup:*"], Condition: { ArnLike: { "ecs:cluster": "arn:aws:ecs:us-east-1:1:cluster/jobs" } } });
    expect(statements[1]).toEqual({ Sid: "PassJobRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: ["arn:task", "arn:exec"], Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } });
    expect(statements.map((s) => s.Sid)).toEqual(["RunJobTask", "PassJobRoles", "ReportUndeliveredRuns", "UseJobKey"]);
  });

  it("matches stopped tasks of its family that exited non-zero or never started", () => {
    expect(ecsTaskFailurePattern("arn:cluster", "lifeboat-prod-app-db-backup")).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { clusterArn: ["arn:cluster"], group: ["family:lifeboat-prod-app-db-backup"], lastStatus: ["STOPPED"], $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }] },
    });
  });
});

describe("a Fargate job against its Lambda twin", () => {
  const vault = { bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1" };

  it("retries a missed run and keeps an undelivered one exactly as the Lambda job on the same schedule does", () => {
    const lambda = checkScheduledJob({ schedule: "rate(1 day)" }, { memoryMb: 1024 }, new Problems())!;
    const fargate = fargateJobDesign({ estate: "prod", job: "backup", source: "app-db", sizeGiB: 500, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } });

    expect([fargate.retryPolicy.maximumRetryAttempts, fargate.retryPolicy.maximumEventAgeInSeconds, fargate.deadLetterRetentionSeconds]).toEqual([lambda.schedulerRetryAttempts, lambda.maxEventAgeSeconds, lambda.deadLetterRetentionSeconds]);
  });

  it("gives a drill task the drill role's statements with its scratch bucket, less what only Lambda needs", () => {
    const statements = fargateJobTaskStatements({ job: "drill", source: "uploads", vault, secretArns: [], secretKeyArns: [], scratch: { bucketArn: "arn:aws:s3:::scratch" } });
    const lambda = drillRoleStatements(vault, "uploads", { ...NO_LAMBDA_RESOURCES, secretArns: [], secretKeyArns: [] }, { bucketArn: "arn:aws:s3:::scratch", prefix: "lifeboat-drill/" });

    expect(statements.map((s) => s.Sid)).toEqual(lambda.map((s) => s.Sid).filter((sid) => !["WriteLogs", "ReportFailedRuns", "UseJobKey", "ManageNetworkInterfaces"].includes(sid ?? "")));
    expect(statements.find((s) => s.Sid === "RestoreIntoScratch")!.Resource).toEqual(["arn:aws:s3:::scratch/lifeboat-drill/*"]);
  });

  it("gives a bucket backup task read access to its source bucket's prefix", () => {
    const statements = fargateJobTaskStatements({ job: "backup", source: "uploads", vault, secretArns: [], secretKeyArns: [], sourceBucket: { arn: "arn:aws:s3:::uploads", prefix: "media/" } });

    expect(JSON.stringify(statements)).toContain("arn:aws:s3:::uploads/media/*");
    expect(statements.find((s) => s.Sid === "WriteBackups")!.Resource).toEqual(["arn:aws:s3:::vault/uploads/*"]);
  });

  it("accepts the designs it makes and names every field of a design Fargate would reject", () => {
    const good = fargateJobDesign({ estate: "prod", job: "backup", source: "app-db", sizeGiB: 50, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } });
    const none = new Problems();
    checkFargateJobDesign(good, none);
    const problems = new Problems();
    checkFargateJobDesign({ ...good, cpu: 3000, ephemeralStorageGiB: 20, logRetentionDays: 2, scheduleExpression: "cron(a b c d e f)", family: "has spaces", command: [] }, problems);

    expect(none.all).toEqual([]);
    expect(problems.all.map((p) => p.argument)).toEqual(["design.cpu", "design.ephemeralStorageGiB", "design.logRetentionDays", "design.scheduleExpression", "design.family", "design.command"]);
  });
});
