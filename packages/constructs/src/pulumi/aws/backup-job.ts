import * as pulumi from "@pulumi/pulumi";
import { type BackupJobArguments, designSourceJob, jobRoleStatements, type JobConfig, Problems, type ScheduledJobPlan, sourceBucketReadStatements } from "../../core";
import type { ScheduledFunctionArgs } from "./scheduled-function";
import { checkJobArgs, type JobSource, ScheduledJob, type ScheduledJobArgs, secretArnsOf } from "./scheduled-job";

/** Arguments of a {@link BackupJob}: core's {@link BackupJobArguments} and the shared {@link ScheduledJobArgs}, with Pulumi values. */
export interface BackupJobArgs extends ScheduledJobArgs, BackupJobArguments<JobSource, pulumi.Input<string>> {}

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
export class BackupJob extends ScheduledJob {
  /** The source's name: the job's prefix in the vault and its metric dimension. */
  readonly sourceName: string;

  constructor(name: string, args: BackupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    const design = designSourceJob("backup", args?.source, { bundled: !!args?.code && "bundle" in args.code, value: args?.code, imageFix: "{ imageUri }" }, problems);
    const plan = checkJobArgs(args, design.defaultMemoryMb, "backup", problems);
    problems.throwIfAny(`BackupJob "${name}"`);
    const sourceName = args.source.name as string;
    const prefix = design.prefix;
    const intervalMinutes = (plan as ScheduledJobPlan).intervalMinutes;
    const config = pulumi
      .all([pulumi.output(args.source), args.vault.bucketName, args.vault.keyArn])
      .apply(([source, bucket, kmsKeyArn]) =>
        JSON.stringify({ vault: { bucket, kmsKeyArn, ...(args.vaultClient ?? {}) }, sources: [{ ...source, intervalMinutes }] } as JobConfig),
      );
    const sourcePrefix = pulumi.output(args.source).apply((s) => (s.kind === "objects" ? (s.prefix ?? "") : ""));
    const job: Omit<ScheduledFunctionArgs, "plan"> = {
      handler: design.handler,
      code: args.code,
      description: design.description,
      config,
      input: design.input,
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
    };
    super("lifeboat:aws:BackupJob", name, plan as ScheduledJobPlan, job, opts);
    this.sourceName = sourceName;
    this.registerOutputs({ functionName: this.functionName, schedule: this.plan.schedule });
  }
}
