import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as scheduler from "@pulumi/aws/scheduler";
import * as sqs from "@pulumi/aws/sqs";
import { deploymentScope } from "./deployment-scope";
import { policyDocument, type PolicyStatement, type ScheduledJobPlan, schedulerRoleStatements, serviceTrustPolicy, jobLogGroupName, QUEUE_DATA_KEY_REUSE_SECONDS, BUNDLED_JOB_RUNTIME, type JobImageArchitecture, jobImagePlatform, Problems } from "../../core";
import { accountContext, policyJson } from "./account";
import { VaultKey } from "./vault-key";

/**
 * Where a job's code comes from:
 * - `{ imageUri }`: the jobs image (lambda-src/Dockerfile), which carries pg_dump, pg_restore,
 *   redis-cli and zstd; needed by PostgreSQL and Redis jobs;
 * - `{ bundle }`: the bundled Node.js handler from `@lifeboat/jobs` (`dist-bundle/<handler>`), for
 *   jobs that need no binaries (object copies, verification without restore tests).
 */
export type JobCode =
  | { readonly imageUri: pulumi.Input<string>; readonly architecture?: JobImageArchitecture }
  | { readonly bundle: true; readonly directory?: string };

/** Network placement for jobs that reach private databases. */
export interface JobVpc {
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** The resources of one scheduled job, created as children of its component. */
export interface ScheduledFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly schedulerRole: iam.Role;
  readonly key?: VaultKey;
  readonly keyArn: pulumi.Output<string>;
}

export interface ScheduledFunctionArgs {
  readonly plan: ScheduledJobPlan;
  /** `backup`, `verify` or `drill`: the handler the function runs. */
  readonly handler: "backup" | "verify" | "drill";
  readonly code: JobCode;
  readonly description: string;
  /** The job configuration, serialized into `LIFEBOAT_CONFIG`. */
  readonly config: pulumi.Output<string>;
  /** The event the schedule sends. */
  readonly input: Record<string, unknown>;
  /** The execution role's permissions, given the log group, queue and key ARNs. */
  readonly statements: (arns: { logGroupArn: string; deadLetterQueueArn: string; jobKeyArn: string }) => pulumi.Input<PolicyStatement[]>;
  readonly key?: VaultKey | pulumi.Input<string>;
  readonly vpc?: JobVpc;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The directory of a bundled handler in the installed `@lifeboat/jobs`, or `undefined` when it is not installed. */
export function bundledHandlerDirectory(handler: string): string | undefined {
  try {
    const jobs = dirname(createRequire(__filename).resolve("@lifeboat/jobs/package.json"));
    return join(jobs, "dist-bundle", handler);
  } catch {
    return undefined;
  }
}

/**
 * Creates a scheduled Lambda job under `parent`: execution role, log group with retention, function
 * (image or bundle) with its environment encrypted by the job key, an encrypted dead-letter queue
 * that receives runs that failed after Lambda's retries and runs the scheduler could not deliver,
 * and an EventBridge Scheduler schedule with a retry policy. Children are named `${name}-<role>`.
 */
export function createScheduledFunction(parent: pulumi.ComponentResource, name: string, args: ScheduledFunctionArgs): ScheduledFunction {
  const opts = { parent };
  const { plan } = args;
  const tags = args.tags ? { tags: args.tags } : {};

  let key: VaultKey | undefined;
  let keyArn: pulumi.Output<string>;
  if (args.key instanceof VaultKey) keyArn = args.key.arn;
  else if (args.key !== undefined) keyArn = pulumi.output(args.key);
  else {
    key = new VaultKey(`${name}-key`, { description: `Lifeboat job ${name}: environment and failed-run queue`, ...tags }, opts);
    keyArn = key.arn;
  }

  const logGroup = new cloudwatch.LogGroup(
    `${name}-logs`,
    { name: jobLogGroupName(deploymentScope(), name), retentionInDays: plan.logRetentionDays, ...tags },
    opts,
  );
  const deadLetterQueue = new sqs.Queue(
    `${name}-dlq`,
    { kmsMasterKeyId: keyArn, kmsDataKeyReusePeriodSeconds: QUEUE_DATA_KEY_REUSE_SECONDS, messageRetentionSeconds: plan.deadLetterRetentionSeconds, ...tags },
    opts,
  );

  const role = new iam.Role(
    `${name}-role`,
    { description: args.description, assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")), ...tags },
    opts,
  );
  const rolePolicy = new iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([logGroup.arn, deadLetterQueue.arn, keyArn])
        .apply(([logGroupArn, deadLetterQueueArn, jobKeyArn]) => pulumi.output(args.statements({ logGroupArn, deadLetterQueueArn, jobKeyArn })))
        .apply((statements) => JSON.stringify(policyDocument(statements as PolicyStatement[]))),
    },
    opts,
  );

  const code =
    "imageUri" in args.code
      ? {
          packageType: "Image",
          imageUri: args.code.imageUri,
          imageConfig: { commands: [`${args.handler}/index.handler`] },
          architectures: [jobImagePlatform(args.code, new Problems()).lambdaArchitecture],
        }
      : {
          packageType: "Zip",
          runtime: BUNDLED_JOB_RUNTIME.runtime,
          handler: "index.handler",
          code: new pulumi.asset.FileArchive(args.code.directory ?? (bundledHandlerDirectory(args.handler) as string)),
          architectures: [BUNDLED_JOB_RUNTIME.architecture],
        };
  const fn = new lambda.Function(
    `${name}-function`,
    {
      description: args.description,
      role: role.arn,
      ...code,
      memorySize: plan.memoryMb,
      timeout: plan.timeoutSeconds,
      kmsKeyArn: keyArn,
      environment: { variables: { LIFEBOAT_CONFIG: args.config, NODE_OPTIONS: "--enable-source-maps" } },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      ...(args.vpc ? { vpcConfig: { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } } : {}),
      ...tags,
    },
    { parent, dependsOn: [rolePolicy, logGroup] },
  );
  new lambda.FunctionEventInvokeConfig(
    `${name}-retries`,
    {
      functionName: fn.name,
      maximumRetryAttempts: plan.retryAttempts,
      maximumEventAgeInSeconds: plan.maxEventAgeSeconds,
      destinationConfig: { onFailure: { destination: deadLetterQueue.arn } },
    },
    opts,
  );

  const { account } = accountContext(parent);
  const schedulerRole = new iam.Role(
    `${name}-scheduler-role`,
    { description: `Runs the Lifeboat job ${name} on schedule`, assumeRolePolicy: account.apply((a) => JSON.stringify(serviceTrustPolicy("scheduler.amazonaws.com", a))), ...tags },
    opts,
  );
  const schedulerPolicy = new iam.RolePolicy(
    `${name}-scheduler-policy`,
    { role: schedulerRole.id, policy: policyJson({ functionArn: fn.arn, deadLetterQueueArn: deadLetterQueue.arn, jobKeyArn: keyArn }, schedulerRoleStatements) },
    opts,
  );
  const schedule = new scheduler.Schedule(
    `${name}-schedule`,
    {
      description: args.description,
      scheduleExpression: plan.schedule,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: fn.arn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify(args.input),
        retryPolicy: { maximumRetryAttempts: plan.schedulerRetryAttempts, maximumEventAgeInSeconds: plan.maxEventAgeSeconds },
        deadLetterConfig: { arn: deadLetterQueue.arn },
      },
    },
    { parent, dependsOn: [schedulerPolicy] },
  );

  return { function: fn, role, logGroup, deadLetterQueue, schedule, schedulerRole, ...(key ? { key } : {}), keyArn };
}

/** Whether a bundle directory exists, for an early, clear error instead of a failed deployment. */
export function bundleExists(directory: string | undefined): boolean {
  return directory !== undefined && existsSync(join(directory, "index.js"));
}
