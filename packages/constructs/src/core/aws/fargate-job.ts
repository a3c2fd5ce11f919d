import { drillRoleStatements } from "../drill-plan";
import { DEFAULT_DRILL_OBJECTS_PREFIX } from "../drill";
import { drillRecordsPrefix } from "../drill-record";
import type { Problems } from "../errors";
import type { PolicyStatement } from "./iam";
import { jobRoleStatements, type JobResources, sourceBucketReadStatements, type VaultAccess } from "./job-permissions";
import type { RuntimeJob } from "../job-runtime";
import { parseScheduleExpression } from "./schedule-expression";
import { DEAD_LETTER_RETENTION_SECONDS, LOG_RETENTION_DAYS, MAX_RETRY_WINDOW_SECONDS, SCHEDULER_RETRY_ATTEMPTS } from "./scheduled-job";

/** Fargate's ephemeral storage bounds in GiB (20 is the free default; 21 to 200 is configurable). */
export const FARGATE_EPHEMERAL_MIN_GIB = 21;
export const FARGATE_EPHEMERAL_MAX_GIB = 200;
/** Scratch room above the source's size on the task's disk: logs, tool temp files, a staged archive's slack. */
export const FARGATE_EPHEMERAL_HEADROOM_GIB = 10;
/** The container's name in every Lifeboat task definition. */
export const FARGATE_CONTAINER_NAME = "lifeboat";
/** The command line inside the jobs image (lambda-src/docker/lifeboat). */
export const FARGATE_ENTRY_POINT: readonly string[] = ["/usr/local/bin/lifeboat"];

/**
 * The scheduler's retry policy, the Lambda jobs' exactly ({@link checkScheduledJob}): 3 retries while
 * the run is still due, within the same retry window, so a job retries alike wherever it runs.
 */
export function schedulerRetryPolicy(intervalMinutes: number): { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number } {
  return { maximumRetryAttempts: SCHEDULER_RETRY_ATTEMPTS, maximumEventAgeInSeconds: Math.max(60, Math.min(MAX_RETRY_WINDOW_SECONDS, intervalMinutes * 60)) };
}

/** One job of one source as an ECS Fargate task on a schedule. */
export interface FargateJobDesign {
  readonly job: RuntimeJob;
  readonly source: string;
  /** The task definition family: `lifeboat-<estate>-<source>-<job>`. */
  readonly family: string;
  /** CPU units and memory in MiB: a pair Fargate accepts. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly ephemeralStorageGiB: number;
  readonly containerName: string;
  /**
   * The Lambda base image's entry point starts the runtime interface emulator, so the task replaces
   * it with the command line and gives the job as the command.
   */
  readonly entryPoint: readonly string[];
  readonly command: readonly string[];
  readonly logRetentionDays: number;
  readonly scheduleExpression: string;
  readonly retryPolicy: ReturnType<typeof schedulerRetryPolicy>;
  /** How long the dead-letter queue keeps an undelivered run: the Lambda jobs' 14 days. */
  readonly deadLetterRetentionSeconds: number;
  readonly launchType: "FARGATE";
  readonly platformVersion: "LATEST";
  /** Tasks run in private subnets and reach AWS through endpoints. */
  readonly assignPublicIp: false;
  /** Why the task is sized as it is, for the posture. */
  readonly sizing: string;
}

/** What a Fargate job is designed from. */
export interface FargateJobInput {
  readonly estate: string;
  readonly job: RuntimeJob;
  readonly source: string;
  readonly sizeGiB: number;
  readonly schedule: { readonly expression: string; readonly intervalMinutes: number };
  /** @default 90 */
  readonly logRetentionDays?: number;
}

/**
 * CPU, memory and disk for a source of `sizeGiB`: one vCPU and 2 GiB below 100 GiB, two vCPUs and
 * 4 GiB above (zstd and pg_restore use the second core); ephemeral storage the size plus 10 GiB of
 * headroom, within Fargate's 21 to 200 GiB. The jobs stream and need little disk; the room is for a
 * restore that stages its archive.
 */
export function fargateTaskSize(sizeGiB: number): { cpu: number; memoryMiB: number; ephemeralStorageGiB: number; sizing: string } {
  const big = sizeGiB >= 100;
  const wanted = Math.ceil(sizeGiB) + FARGATE_EPHEMERAL_HEADROOM_GIB;
  const ephemeralStorageGiB = Math.min(FARGATE_EPHEMERAL_MAX_GIB, Math.max(FARGATE_EPHEMERAL_MIN_GIB, wanted));
  const capped = wanted > FARGATE_EPHEMERAL_MAX_GIB ? `; the disk is capped at ${FARGATE_EPHEMERAL_MAX_GIB} GiB, so the job must stream (it does) and cannot stage the archive` : "";
  return {
    cpu: big ? 2048 : 1024,
    memoryMiB: big ? 4096 : 2048,
    ephemeralStorageGiB,
    sizing: `${big ? "2 vCPU, 4 GiB" : "1 vCPU, 2 GiB"} and ${ephemeralStorageGiB} GiB of disk for ${sizeGiB} GiB of data${capped}`,
  };
}

/** The design of one job of one source as a scheduled Fargate task. */
export function fargateJobDesign(input: FargateJobInput): FargateJobDesign {
  const size = fargateTaskSize(input.sizeGiB);
  const logRetentionDays = input.logRetentionDays ?? 90;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) throw new RangeError(`logRetentionDays (${logRetentionDays}) must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  return {
    job: input.job,
    source: input.source,
    family: `lifeboat-${input.estate}-${input.source}-${input.job}`.slice(0, 255),
    cpu: size.cpu,
    memoryMiB: size.memoryMiB,
    ephemeralStorageGiB: size.ephemeralStorageGiB,
    containerName: FARGATE_CONTAINER_NAME,
    entryPoint: FARGATE_ENTRY_POINT,
    command: [input.job, "--source", input.source],
    logRetentionDays,
    scheduleExpression: input.schedule.expression,
    retryPolicy: schedulerRetryPolicy(input.schedule.intervalMinutes),
    deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    launchType: "FARGATE",
    platformVersion: "LATEST",
    assignPublicIp: false,
    sizing: size.sizing,
  };
}

/**
 * The container definitions of the task (the JSON ECS takes): the jobs image with the command line
 * as its entry point, the job configuration in `LIFEBOAT_CONFIG` (it never holds a credential), and
 * logs through the awslogs driver (CloudWatch reads the job's Embedded Metric Format lines from them,
 * so the metrics and alarms are the Lambda job's).
 */
export function fargateContainerDefinitions(design: FargateJobDesign, args: { imageUri: string; config: string; logGroupName: string; region: string }): Record<string, unknown>[] {
  return [
    {
      name: design.containerName,
      image: args.imageUri,
      essential: true,
      entryPoint: [...design.entryPoint],
      command: [...design.command],
      environment: [{ name: "LIFEBOAT_CONFIG", value: args.config }],
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": args.logGroupName, "awslogs-region": args.region, "awslogs-stream-prefix": design.job } },
    },
  ];
}

/** The Lambda role's statements that only Lambda needs: its own logs, its failure queue and key, its network interfaces. */
const LAMBDA_ONLY_SIDS = new Set(["WriteLogs", "ReportFailedRuns", "UseJobKey", "ManageNetworkInterfaces"]);

/**
 * The task role: the Lambda job role's data permissions exactly (vault access, secrets and their
 * keys, source buckets), without what only Lambda needs (ECS writes the logs with the execution
 * role, the scheduler reports undelivered runs, ECS manages the network interface).
 */
export function fargateTaskRoleStatements(access: VaultAccess, job: Pick<JobResources, "secretArns" | "secretKeyArns">, extra: readonly PolicyStatement[] = []): PolicyStatement[] {
  return withoutLambdaOnly(jobRoleStatements(access, { ...job, ...NO_LAMBDA_RESOURCES }, extra));
}

/** Placeholders for the Lambda-only resources, whose statements {@link withoutLambdaOnly} removes. */
export const NO_LAMBDA_RESOURCES = { logGroupArn: "-", deadLetterQueueArn: "-", jobKeyArn: "-", vpc: false } as const;

/** A Lambda job role's statements less those only Lambda needs: a Fargate task role's. */
export function withoutLambdaOnly(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return statements.filter((s) => !LAMBDA_ONLY_SIDS.has(s.Sid ?? ""));
}

/**
 * The execution role ECS uses to start the task: pull the image (the authorization token cannot be
 * scoped; the layers are scoped to the repository) and write the container's logs to its group.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export function fargateExecutionRoleStatements(args: { repositoryArn?: string; logGroupArn: string }): PolicyStatement[] {
  return [
    ...(args.repositoryArn
      ? [
          { Sid: "AuthenticateToRegistry", Effect: "Allow" as const, Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
          { Sid: "PullJobsImage", Effect: "Allow" as const, Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: [args.repositoryArn] },
        ]
      : []),
    { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${args.logGroupArn}:*`] },
  ];
}

/** The ECR repository ARN of an image URI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>`); `undefined` for other registries. */
export function ecrRepositoryArn(imageUri: string, partition = "aws"): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(imageUri);
  return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/**
 * The scheduler role of an ECS target: run exactly this task definition family in exactly this
 * cluster, pass exactly the task and execution roles to ECS, and put undeliverable runs in the queue.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function ecsSchedulerRoleStatements(args: { taskDefinitionFamilyArn: string; clusterArn: string; taskRoleArn: string; executionRoleArn: string; deadLetterQueueArn: string; jobKeyArn: string }): PolicyStatement[] {
  return [
    { Sid: "RunJobTask", Effect: "Allow", Action: ["ecs:RunTask"], Resource: [`${args.taskDefinitionFamilyArn}:*`], Condition: { ArnLike: { "ecs:cluster": args.clusterArn } } },
    { Sid: "PassJobRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: [args.taskRoleArn, args.executionRoleArn], Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
    { Sid: "ReportUndeliveredRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [args.deadLetterQueueArn] },
    { Sid: "UseJobKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [args.jobKeyArn] },
  ];
}

/** The task definition family's ARN without a revision, from a task definition ARN (`...:task-definition/<family>:<revision>`). */
export function taskDefinitionFamilyArn(taskDefinitionArn: string): string {
  return taskDefinitionArn.replace(/:\d+$/, "");
}

/**
 * The EventBridge pattern of the job's tasks that stopped without success: the container exited
 * non-zero, or the task stopped before it ran (image pull, capacity). Goes to the alert topic, as the
 * Lambda job's Errors alarm does.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 */
export function ecsTaskFailurePattern(clusterArn: string, family: string): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      group: [`family:${family}`],
      lastStatus: ["STOPPED"],
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    },
  };
}

/**
 * The CPU and memory pairs Fargate accepts (Linux), in CPU units and MiB.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export function fargateMemoryChoices(cpu: number): readonly number[] {
  const gib = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => (from + i * step) * 1024);
  switch (cpu) {
    case 256: return [512, 1024, 2048];
    case 512: return gib(1, 4, 1);
    case 1024: return gib(2, 8, 1);
    case 2048: return gib(4, 16, 1);
    case 4096: return gib(8, 30, 1);
    case 8192: return gib(16, 60, 4);
    case 16384: return gib(32, 120, 8);
    default: return [];
  }
}

/**
 * Checks a Fargate job design handed to a front end (one from {@link fargateJobDesign}, or one a
 * user adjusted): a CPU and memory pair Fargate accepts, ephemeral storage of 21 to 200 GiB, a log
 * retention CloudWatch Logs offers, a schedule EventBridge Scheduler accepts, a task family name ECS
 * accepts, and a command to run. Problems are recorded under `path`.
 */
export function checkFargateJobDesign(design: FargateJobDesign | undefined, problems: Problems, path = "design"): void {
  if (design === undefined || design === null || typeof design !== "object") {
    problems.add(path, design, "is required: pass fargateJobDesign({ estate, job, source, sizeGiB, schedule }).");
    return;
  }
  const memory = fargateMemoryChoices(design.cpu);
  if (memory.length === 0) {
    problems.add(`${path}.cpu`, design.cpu, "must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384 units.");
  } else if (!memory.includes(design.memoryMiB)) {
    problems.add(`${path}.memoryMiB`, design.memoryMiB, `is not a memory size Fargate pairs with ${design.cpu} CPU units: use one of ${memory.join(", ")} MiB.`);
  }
  if (!Number.isInteger(design.ephemeralStorageGiB) || design.ephemeralStorageGiB < FARGATE_EPHEMERAL_MIN_GIB || design.ephemeralStorageGiB > FARGATE_EPHEMERAL_MAX_GIB) {
    problems.add(`${path}.ephemeralStorageGiB`, design.ephemeralStorageGiB, `must be a whole number of GiB from ${FARGATE_EPHEMERAL_MIN_GIB} to ${FARGATE_EPHEMERAL_MAX_GIB}: Fargate's configurable ephemeral storage.`);
  }
  if (!LOG_RETENTION_DAYS.includes(design.logRetentionDays)) {
    problems.add(`${path}.logRetentionDays`, design.logRetentionDays, `must be a period CloudWatch Logs offers: ${LOG_RETENTION_DAYS.join(", ")} days.`);
  }
  parseScheduleExpression(design.scheduleExpression, `${path}.scheduleExpression`, problems);
  if (typeof design.family !== "string" || !/^[A-Za-z0-9_-]{1,255}$/.test(design.family)) {
    problems.add(`${path}.family`, design.family, "must be 1 to 255 letters, digits, hyphens and underscores: the names ECS accepts for a task definition family.");
  }
  if (!Array.isArray(design.command) || design.command.length === 0) {
    problems.add(`${path}.command`, design.command, 'must name the job to run, like ["backup", "--source", "postgres-main"].');
  }
}

/** What one source's Fargate task may touch: its vault, its credentials and their keys, and a source or scratch bucket. */
export interface FargateTaskAccess {
  readonly job: RuntimeJob;
  readonly source: string;
  readonly vault: { readonly bucketArn: string; readonly keyArn: string };
  readonly secretArns: readonly string[];
  readonly secretKeyArns: readonly string[];
  /** An `objects` source's bucket, which a backup reads. @default - none */
  readonly sourceBucket?: { readonly arn: string; readonly prefix: string };
  /** An objects drill's scratch bucket ARN, which a drill writes and empties under its prefix. @default - none */
  readonly scratch?: { readonly bucketArn: string; readonly prefix?: string };
}

/**
 * The task role of an estate's Fargate job: exactly the Lambda role the same job would have (a
 * backup writes its source's prefix and reads its bucket; a drill reads the backups, writes drill
 * records and its scratch prefix; a verification reads its source's backups and drill records, and
 * no credentials), less what only Lambda needs.
 */
export function fargateJobTaskStatements(access: FargateTaskAccess): PolicyStatement[] {
  const resources = { ...NO_LAMBDA_RESOURCES, secretArns: [...access.secretArns], secretKeyArns: [...access.secretKeyArns] };
  // The estate's verification does no test restore, so it never reads the source's credentials.
  if (access.job === "verify") return withoutLambdaOnly(jobRoleStatements({ mode: "read", vault: access.vault, prefix: `${access.source}/` }, { ...NO_LAMBDA_RESOURCES, secretArns: [] }, drillRecordReadStatements(access.vault.bucketArn, access.source)));
  if (access.job === "drill") {
    return withoutLambdaOnly(drillRoleStatements(access.vault, access.source, resources, access.scratch ? { bucketArn: access.scratch.bucketArn, prefix: access.scratch.prefix ?? DEFAULT_DRILL_OBJECTS_PREFIX } : undefined));
  }
  return withoutLambdaOnly(
    jobRoleStatements({ mode: "write", vault: access.vault, prefix: `${access.source}/` }, resources, access.sourceBucket ? sourceBucketReadStatements(access.sourceBucket.arn, access.sourceBucket.prefix) : []),
  );
}

/** Read access to one source's drill records, whose age verification reports for the drill alarm. */
export function drillRecordReadStatements(bucketArn: string, source: string): PolicyStatement[] {
  const prefix = drillRecordsPrefix(source);
  return [
    { Sid: "ReadDrillRecords", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/${prefix}*`] },
    { Sid: "ListDrillRecords", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } },
  ];
}

/**
 * Checks an estate's `jobs.fargate`: Fargate tasks run in private subnets (`jobs.vpc`) from the jobs
 * image (`jobs.code` as an image), so both must be declared with it.
 */
export function checkEstateFargate(fargate: unknown, jobs: { readonly vpc: boolean; readonly image: boolean; readonly imageArgument: string }, problems: Problems): void {
  if (fargate === undefined) return;
  if (!jobs.vpc) problems.add("jobs.fargate", fargate, "needs `jobs.vpc`: Fargate tasks run in private subnets. Give the subnets and security groups, or remove `jobs.fargate`.");
  if (!jobs.image) problems.add("jobs.fargate", fargate, `needs \`${jobs.imageArgument}\`: a Fargate task runs the jobs image. Pass it, or remove \`jobs.fargate\`.`);
}
