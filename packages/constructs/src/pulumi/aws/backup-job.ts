import * as pulumi from "@pulumi/pulumi";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import type * as scheduler from "@pulumi/aws/scheduler";
import type * as sqs from "@pulumi/aws/sqs";
import {
  checkPrefix,
  checkScheduledJob,
  checkSourceName,
  type DurationInput,
  jobRoleStatements,
  type JobConfig,
  Problems,
  type ScheduledJobPlan,
  type SourceConfig,
  sourceBucketReadStatements,
} from "../../core";
import { bundledHandlerDirectory, bundleExists, createScheduledFunction, type JobCode, type JobVpc } from "./scheduled-function";
import type { VaultKey } from "./vault-key";

type Lifted<T> = { [K in keyof T]: pulumi.Input<T[K]> };
/** A source as the job configuration describes it, where any field may be known only at deploy time. */
export type JobSource = SourceConfig extends infer S ? (S extends unknown ? Lifted<S> : never) : never;

/** The vault a job writes to or reads from: a {@link BackupVault} fits, or any bucket and key ARN. */
export interface VaultTarget {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
}

/** Settings shared by {@link BackupJob} and {@link VerifyJob}. */
export interface ScheduledJobArgs {
  /** An EventBridge Scheduler expression, such as `rate(30 minutes)`. Derive it from objectives with `planEstate`. */
  readonly schedule: string;
  /** The jobs image (`{ imageUri }`) or the bundled handler (`{ bundle: true }`). */
  readonly code: JobCode;
  /**
   * The key that encrypts the function's environment and its dead-letter queue.
   * @default - a new VaultKey named `<name>-key`
   */
  readonly key?: VaultKey | pulumi.Input<string>;
  /**
   * Subnets and security groups, for databases in a private network.
   * @default - no VPC
   */
  readonly vpc?: JobVpc;
  /** @default - 1024 MB for PostgreSQL and verification, 512 MB otherwise */
  readonly memoryMb?: number;
  /** @default 15 minutes (the Lambda maximum) */
  readonly timeout?: DurationInput;
  /** @default 90 days */
  readonly logRetention?: DurationInput;
  /** Lambda's retries of a failed run before it lands in the dead-letter queue. @default 2 */
  readonly retryAttempts?: number;
  /** Customer keys that encrypt the credential secrets, when not the AWS managed key. @default - none */
  readonly secretKeyArns?: pulumi.Input<pulumi.Input<string>[]>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Vault client settings for S3-compatible servers; keep the defaults against AWS. @default - AWS defaults */
  readonly vaultClient?: Pick<JobConfig["vault"], "endpoint" | "forcePathStyle" | "checksums">;
}

/** Arguments of a {@link BackupJob}. */
export interface BackupJobArgs extends ScheduledJobArgs {
  /** What to back up. Its name is the job's prefix in the vault. */
  readonly source: JobSource;
  /** Where backups go. */
  readonly vault: VaultTarget;
  /**
   * The ARN of the bucket an `objects` source copies from, when it is an AWS bucket (read access is
   * granted on exactly it). Not needed for S3-compatible endpoints, which use the source's credentials.
   * @default - none
   */
  readonly sourceBucketArn?: pulumi.Input<string>;
}

/** Resources every scheduled job exposes. */
export interface ScheduledJobResources {
  readonly function: lambda.Function;
  readonly functionName: pulumi.Output<string>;
  readonly role: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly plan: ScheduledJobPlan;
}

/** Checks what {@link BackupJob} and {@link VerifyJob} share, and the code's availability. */
export function checkJobArgs(args: ScheduledJobArgs, defaultMemoryMb: number, handler: string, problems: Problems): ScheduledJobPlan | undefined {
  const plan = checkScheduledJob(args, { memoryMb: defaultMemoryMb }, problems);
  if (!args.code || (!("imageUri" in args.code) && !("bundle" in args.code))) {
    problems.add("code", args.code, "must be { imageUri } (the jobs image, needed for PostgreSQL and Redis) or { bundle: true } (the bundled handler).");
  } else if ("bundle" in args.code) {
    const directory = args.code.directory ?? bundledHandlerDirectory(handler);
    if (!bundleExists(directory)) {
      problems.add("code.directory", directory, `has no bundled ${handler} handler (index.js): run \`npm run bundle -w @lifeboat/jobs\`, or pass { imageUri }.`);
    }
  }
  return plan;
}

/** Secret ARNs named by sources' credentials. */
export function secretArnsOf(sources: readonly JobSource[]): pulumi.Output<string[]> {
  return pulumi
    .all(sources.map((s) => pulumi.output(s.credentials as pulumi.Input<{ secretArn?: string } | undefined>)))
    .apply((all) => all.flatMap((c) => (c && typeof c.secretArn === "string" ? [c.secretArn] : [])));
}

/**
 * A scheduled backup of one source into a vault: a Lambda function (from the jobs image, or the
 * bundled handler where no binaries are needed) whose role may only write its own prefix in the
 * vault (never delete), use the vault key, read its credentials secret and write its logs; a log
 * group with retention; an EventBridge Scheduler schedule with a retry policy; and an encrypted
 * dead-letter queue for runs that still fail after Lambda's retries.
 *
 * The function reads its configuration from `LIFEBOAT_CONFIG`; the schedule sends
 * `{ "source": "<name>" }`. See `@lifeboat/jobs` for what the job does.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
 *
 * @example
 * const job = new BackupJob("postgres-main-backup", {
 *   source: { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: db.address, database: "app", credentials: { secretArn } },
 *   vault: vault.primary,
 *   schedule: "rate(30 minutes)",
 *   code: { imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0" },
 *   vpc: { subnetIds, securityGroupIds: [jobsSecurityGroup.id] },
 * });
 */
export class BackupJob extends pulumi.ComponentResource implements ScheduledJobResources {
  readonly function: lambda.Function;
  readonly functionName: pulumi.Output<string>;
  readonly role: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly key?: VaultKey;
  readonly plan: ScheduledJobPlan;
  /** The source's name: the job's prefix in the vault and its metric dimension. */
  readonly sourceName: string;

  constructor(name: string, args: BackupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    const sourceName = args.source?.name;
    if (typeof sourceName !== "string") problems.add("source.name", sourceName, "must be known when the program runs: it is the job's prefix in the vault and part of its permissions.");
    else checkSourceName(sourceName, "source.name", problems);
    const kind = args.source?.kind;
    const plan = checkJobArgs(args, kind === "postgres" ? 1024 : 512, "backup", problems);
    if ((kind === "postgres" || kind === "redis") && args.code && "bundle" in args.code) {
      problems.add("code", args.code, `cannot back up ${kind} with the bundled handler: it needs ${kind === "postgres" ? "pg_dump" : "redis-cli"} and zstd from the jobs image. Pass { imageUri }.`);
    }
    const prefix = typeof sourceName === "string" ? checkPrefix(sourceName, "source.name", problems) : "";
    problems.throwIfAny(`BackupJob "${name}"`);
    super("lifeboat:aws:BackupJob", name, {}, opts);
    this.plan = plan as ScheduledJobPlan;
    this.sourceName = sourceName as string;

    const intervalMinutes = this.plan.intervalMinutes;
    const config = pulumi
      .all([pulumi.output(args.source), args.vault.bucketName, args.vault.keyArn])
      .apply(([source, bucket, kmsKeyArn]) =>
        JSON.stringify({ vault: { bucket, kmsKeyArn, ...(args.vaultClient ?? {}) }, sources: [{ ...source, intervalMinutes }] } as JobConfig),
      );
    const sourcePrefix = pulumi.output(args.source).apply((s) => (s.kind === "objects" ? (s.prefix ?? "") : ""));
    const created = createScheduledFunction(this, name, {
      plan: this.plan,
      handler: "backup",
      code: args.code,
      description: `Lifeboat backup of ${sourceName} (${kind})`,
      config,
      input: { source: sourceName },
      ...(args.key !== undefined ? { key: args.key } : {}),
      ...(args.vpc ? { vpc: args.vpc } : {}),
      ...(args.tags ? { tags: args.tags } : {}),
      statements: (job) =>
        pulumi
          .all([args.vault.bucketArn, args.vault.keyArn, secretArnsOf([args.source]), pulumi.output(args.secretKeyArns ?? []), pulumi.output(args.sourceBucketArn ?? ""), sourcePrefix])
          .apply(([bucketArn, keyArn, secretArns, secretKeyArns, sourceBucketArn, sourceKeyPrefix]) =>
            jobRoleStatements(
              { mode: "write", vault: { bucketArn, keyArn }, prefix },
              { ...job, secretArns, secretKeyArns, vpc: args.vpc !== undefined },
              sourceBucketArn ? sourceBucketReadStatements(sourceBucketArn, sourceKeyPrefix) : [],
            ),
          ),
    });
    this.function = created.function;
    this.functionName = created.function.name;
    this.role = created.role;
    this.logGroup = created.logGroup;
    this.deadLetterQueue = created.deadLetterQueue;
    this.schedule = created.schedule;
    if (created.key) this.key = created.key;
    this.registerOutputs({ functionName: this.functionName, schedule: this.plan.schedule });
  }
}
