import { Duration, Stack, Token } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as ecr from "aws-cdk-lib/aws-ecr";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { checkScheduledJob, type JobConfig, type PolicyStatement, Problems, type ScheduledJobPlan, type ScheduledJobArguments, type JobVaultTarget, schedulerRoleStatements, jobLogGroupName, QUEUE_DATA_KEY_REUSE_SECONDS, BUNDLED_JOB_RUNTIME, type JobImageArchitecture, jobImagePlatform } from "../core";
import { serviceRole } from "./service-role";
import { type KeyInput, keyOf, type VaultKey } from "./vault-key";

/**
 * Where a job's code comes from:
 * - `{ repository, tag }`: the jobs image (lambda-src/Dockerfile) in ECR, with pg_dump, pg_restore,
 *   redis-cli and zstd; needed by PostgreSQL and Redis jobs;
 * - `{ bundle: true, directory }`: the bundled Node.js handler from `@lifeboat/jobs`, for jobs that
 *   need no binaries.
 */
export type JobCode =
  | { readonly repository: ecr.IRepository; readonly tag: string; readonly architecture?: "x86_64" | "arm64" }
  | { readonly bundle: true; readonly directory: string };

/** Network placement for jobs that reach private databases. */
export interface JobVpc {
  readonly vpc: ec2.IVpc;
  readonly subnets?: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** The vault a job writes to or reads from: a {@link BackupVault} fits. */
export type VaultTarget = JobVaultTarget<string>;

/**
 * Settings shared by {@link BackupJob}, {@link VerifyJob} and {@link DrillJob}: core's
 * {@link ScheduledJobArguments} (documented and defaulted there) with CDK values. The code is the
 * jobs image in ECR (`{ repository, tag }`) or the bundled handler (`{ bundle: true, directory }`).
 */
export interface ScheduledJobProps extends ScheduledJobArguments<JobCode, KeyInput, JobVpc, readonly string[]> {}

/** Checks what {@link BackupJob} and {@link VerifyJob} share. */
export function checkJobProps(props: ScheduledJobProps, defaultMemoryMb: number, problems: Problems): ScheduledJobPlan | undefined {
  const plan = checkScheduledJob(props, { memoryMb: defaultMemoryMb }, problems);
  if (!props.code || (!("repository" in props.code) && !("bundle" in props.code))) {
    problems.add("code", props.code, "must be { repository, tag } (the jobs image, needed for PostgreSQL and Redis) or { bundle: true, directory } (the bundled handler).");
  } else if ("repository" in props.code) jobImagePlatform(props.code, problems);
  return plan;
}

/** aws-cdk-lib's architecture for each of core's. */
const LAMBDA_ARCHITECTURE: Record<JobImageArchitecture, lambda.Architecture> = { x86_64: lambda.Architecture.X86_64, arm64: lambda.Architecture.ARM_64 };

/** What a job adds to the shared scheduled function. */
export interface JobDefinition {
  readonly handler: "backup" | "verify" | "drill";
  readonly description: string;
  readonly config: JobConfig;
  readonly input: Record<string, unknown>;
  readonly statements: (arns: { logGroupArn: string; deadLetterQueueArn: string; jobKeyArn: string }) => PolicyStatement[];
}

/**
 * What {@link BackupJob} and {@link VerifyJob} have in common: one scheduled Lambda job with its
 * execution role, log group with retention, function (image or bundle) with its environment
 * encrypted by the job key, an encrypted dead-letter queue for runs that failed after Lambda's
 * retries and runs the scheduler could not deliver, and an EventBridge Scheduler schedule with a
 * retry policy. The IAM statements are core's, so the schedule and the invoke configuration are
 * L1 resources: the L2 targets would add grants of their own.
 */
export abstract class ScheduledJob extends Construct {
  /** The Lambda function (child id `Resource`). */
  readonly function: lambda.Function;
  readonly functionName: string;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.CfnSchedule;
  /** The key the job created for its environment and queue, when it created one. */
  readonly key?: VaultKey;
  readonly plan: ScheduledJobPlan;

  protected constructor(scope: Construct, id: string, plan: ScheduledJobPlan, props: ScheduledJobProps, job: JobDefinition) {
    super(scope, id);
    this.plan = plan;
    const stack = Stack.of(this);
    const key = keyOf(this, "Key", props.key, { description: `Lifeboat job ${id}: environment and failed-run queue` });
    if (key.created) this.key = key.created;
    const jobKey = key.key;

    this.logGroup = new logs.LogGroup(this, "Logs", { logGroupName: jobLogGroupName(stack.stackName, id), retention: plan.logRetentionDays as logs.RetentionDays });
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: jobKey,
      dataKeyReuse: Duration.seconds(QUEUE_DATA_KEY_REUSE_SECONDS),
      retentionPeriod: Duration.seconds(plan.deadLetterRetentionSeconds),
    });
    this.role = serviceRole(this, "Role", {
      service: "lambda.amazonaws.com",
      description: job.description,
      statements: job.statements({ logGroupArn: this.logGroup.logGroupArn, deadLetterQueueArn: this.deadLetterQueue.queueArn, jobKeyArn: jobKey.keyArn }),
    });

    const code = props.code;
    const image = "repository" in code;
    this.function = new lambda.Function(this, "Resource", {
      description: job.description,
      role: this.role,
      ...(image
        ? {
            code: lambda.Code.fromEcrImage(code.repository, { tagOrDigest: code.tag, cmd: [`${job.handler}/index.handler`] }),
            handler: lambda.Handler.FROM_IMAGE,
            runtime: lambda.Runtime.FROM_IMAGE,
            architecture: LAMBDA_ARCHITECTURE[jobImagePlatform(code, new Problems()).lambdaArchitecture],
          }
        : { code: lambda.Code.fromAsset(code.directory), handler: "index.handler", runtime: new lambda.Runtime(BUNDLED_JOB_RUNTIME.runtime, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }), architecture: LAMBDA_ARCHITECTURE[BUNDLED_JOB_RUNTIME.architecture] }),
      memorySize: plan.memoryMb,
      timeout: Duration.seconds(plan.timeoutSeconds),
      environmentEncryption: jobKey,
      environment: { LIFEBOAT_CONFIG: Stack.of(this).toJsonString(job.config), NODE_OPTIONS: "--enable-source-maps" },
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.vpc ? { vpc: props.vpc.vpc, vpcSubnets: props.vpc.subnets ?? {}, securityGroups: props.vpc.securityGroups, allowPublicSubnet: false } : {}),
    });
    this.functionName = this.function.functionName;
    new lambda.CfnEventInvokeConfig(this, "Retries", {
      functionName: this.function.functionName,
      qualifier: "$LATEST",
      maximumRetryAttempts: plan.retryAttempts,
      maximumEventAgeInSeconds: plan.maxEventAgeSeconds,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.queueArn } },
    });

    const schedulerRoleResource = serviceRole(this, "SchedulerRole", {
      service: "scheduler.amazonaws.com",
      account: stack.account,
      description: `Runs the Lifeboat job ${id} on schedule`,
      statements: schedulerRoleStatements({ functionArn: this.function.functionArn, deadLetterQueueArn: this.deadLetterQueue.queueArn, jobKeyArn: jobKey.keyArn }),
    });
    this.schedule = new scheduler.CfnSchedule(this, "Schedule", {
      description: job.description,
      scheduleExpression: plan.schedule,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: this.function.functionArn,
        roleArn: schedulerRoleResource.roleArn,
        input: JSON.stringify(job.input),
        retryPolicy: { maximumRetryAttempts: plan.schedulerRetryAttempts, maximumEventAgeInSeconds: plan.maxEventAgeSeconds },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
  }
}

/** Whether a value is known when the app runs (not a token). */
export function known(value: unknown): boolean {
  return typeof value !== "string" || !Token.isUnresolved(value);
}
