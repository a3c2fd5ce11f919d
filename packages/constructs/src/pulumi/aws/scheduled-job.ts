import * as pulumi from "@pulumi/pulumi";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import type * as scheduler from "@pulumi/aws/scheduler";
import type * as sqs from "@pulumi/aws/sqs";
import { checkScheduledJob, jobImagePlatform, type JobVaultTarget, Problems, type ScheduledJobArguments, type ScheduledJobPlan, type SourceConfig } from "../../core";
import { bundledHandlerDirectory, bundleExists, createScheduledFunction, type JobCode, type JobVpc, type ScheduledFunctionArgs } from "./scheduled-function";
import type { VaultKey } from "./vault-key";

type Lifted<T> = { [K in keyof T]: pulumi.Input<T[K]> };
/** A source as the job configuration describes it, where any field may be known only at deploy time. */
export type JobSource = SourceConfig extends infer S ? (S extends unknown ? Lifted<S> : never) : never;

/** The vault a job writes to or reads from: a {@link BackupVault} fits, or any bucket and key ARN. */
export type VaultTarget = JobVaultTarget<pulumi.Input<string>>;

/**
 * Settings shared by {@link BackupJob}, {@link VerifyJob} and {@link DrillJob}: core's
 * {@link ScheduledJobArguments} (documented and defaulted there) with Pulumi values. The code is the
 * jobs image (`{ imageUri }`) or the bundled handler (`{ bundle: true }`).
 */
export interface ScheduledJobArgs extends ScheduledJobArguments<JobCode, VaultKey | pulumi.Input<string>, JobVpc, pulumi.Input<pulumi.Input<string>[]>> {
  /** @default - none */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Checks what {@link BackupJob} and {@link VerifyJob} share, and the code's availability. */
export function checkJobArgs(args: ScheduledJobArgs, defaultMemoryMb: number, handler: string, problems: Problems): ScheduledJobPlan | undefined {
  const plan = checkScheduledJob(args, { memoryMb: defaultMemoryMb }, problems);
  if (!args.code || (!("imageUri" in args.code) && !("bundle" in args.code))) {
    problems.add("code", args.code, "must be { imageUri } (the jobs image, needed for PostgreSQL and Redis) or { bundle: true } (the bundled handler).");
  } else if ("imageUri" in args.code) {
    jobImagePlatform(args.code, problems);
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
    .all(sources.map((s) => pulumi.output(("credentials" in s ? s.credentials : undefined) as pulumi.Input<{ secretArn?: string } | undefined>)))
    .apply((all) => all.flatMap((c) => (c && typeof c.secretArn === "string" ? [c.secretArn] : [])));
}

/**
 * What {@link BackupJob} and {@link VerifyJob} have in common: a component around one scheduled
 * Lambda job (function, roles, log group, dead-letter queue, schedule), created by
 * `createScheduledFunction` once the subclass has validated its arguments.
 */
export abstract class ScheduledJob extends pulumi.ComponentResource {
  readonly function: lambda.Function;
  readonly functionName: pulumi.Output<string>;
  readonly role: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  /** The key the job created for its environment and queue, when it created one. */
  readonly key?: VaultKey;
  readonly plan: ScheduledJobPlan;

  protected constructor(type: string, name: string, plan: ScheduledJobPlan, job: Omit<ScheduledFunctionArgs, "plan">, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.plan = plan;
    const created = createScheduledFunction(this, name, { ...job, plan });
    this.function = created.function;
    this.functionName = created.function.name;
    this.role = created.role;
    this.logGroup = created.logGroup;
    this.deadLetterQueue = created.deadLetterQueue;
    this.schedule = created.schedule;
    if (created.key) this.key = created.key;
  }
}
