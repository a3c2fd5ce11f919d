import * as pulumi from "@pulumi/pulumi";
import { designSourceJob, type DrillJobArguments, drillRoleStatements, type JobConfig, Problems, type ScheduledJobPlan } from "../../core";
import type { ScheduledFunctionArgs } from "./scheduled-function";
import { checkJobArgs, type JobSource, ScheduledJob, type ScheduledJobArgs, secretArnsOf } from "./scheduled-job";

/** Arguments of a {@link DrillJob}: core's {@link DrillJobArguments} and the shared {@link ScheduledJobArgs}, with Pulumi values. */
export interface DrillJobArgs extends ScheduledJobArgs, DrillJobArguments<JobSource, pulumi.Input<string>> {}

/**
 * A scheduled restore drill of one source: a Lambda function from the jobs image that restores the
 * newest complete backup into a scratch target, checks it, removes it and writes
 * `drills/<source>/<stamp>.json`. Its role reads the source's backups and writes only its drill
 * records (and, for objects, writes and deletes only under the scratch prefix). Monthly by default
 * (`planDrill`). Watch it with `drillAlarmSpecs`.
 *
 * @example
 * const drill = new DrillJob("postgres-main-drill", {
 *   source: { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: db.address, database: "app", credentials: { secretArn } },
 *   vault: vault.primary,
 *   schedule: "rate(30 days)",
 *   code: { imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0" },
 *   vpc: { subnetIds, securityGroupIds: [jobsSecurityGroup.id] },
 * });
 */
export class DrillJob extends ScheduledJob {
  readonly sourceName: string;

  constructor(name: string, args: DrillJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    const design = designSourceJob("drill", args?.source, { bundled: !!args?.code && "bundle" in args.code, value: args?.code, imageFix: "{ imageUri }" }, problems);
    const plan = checkJobArgs(args, design.defaultMemoryMb, "drill", problems);
    problems.throwIfAny(`DrillJob "${name}"`);
    const sourceName = args.source.name as string;
    const config = pulumi
      .all([pulumi.output(args.source), args.vault.bucketName, args.vault.keyArn])
      .apply(([source, bucket, kmsKeyArn]) => JSON.stringify({ vault: { bucket, kmsKeyArn, ...(args.vaultClient ?? {}) }, sources: [source] } as JobConfig));
    const scratchPrefix = pulumi.output(args.source).apply((s) => designSourceJob("drill", s, { bundled: false, value: undefined, imageFix: "" }, new Problems()).scratchPrefix);
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
          .all([args.vault.bucketArn, args.vault.keyArn, secretArnsOf([args.source]), pulumi.output(args.secretKeyArns ?? []), pulumi.output(args.scratchBucketArn ?? ""), scratchPrefix])
          .apply(([bucketArn, keyArn, secretArns, secretKeyArns, scratchBucketArn, prefix]) =>
            drillRoleStatements({ bucketArn, keyArn }, sourceName, { ...job, secretArns, secretKeyArns, vpc: args.vpc !== undefined }, scratchBucketArn ? { bucketArn: scratchBucketArn, prefix } : undefined),
          ),
    };
    super("lifeboat:aws:DrillJob", name, plan as ScheduledJobPlan, job, opts);
    this.sourceName = sourceName;
    this.registerOutputs({ functionName: this.functionName, schedule: this.plan.schedule });
  }
}
