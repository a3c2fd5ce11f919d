import * as pulumi from "@pulumi/pulumi";
import { checkSourceName, type JobConfig, jobRoleStatements, Problems, type ScheduledJobPlan, type VerifyJobArguments } from "../../core";
import type { ScheduledFunctionArgs } from "./scheduled-function";
import { checkJobArgs, type JobSource, ScheduledJob, type ScheduledJobArgs, secretArnsOf } from "./scheduled-job";

/** Arguments of a {@link VerifyJob}: core's {@link VerifyJobArguments} and the shared {@link ScheduledJobArgs}, with Pulumi values. */
export interface VerifyJobArgs extends ScheduledJobArgs, VerifyJobArguments<JobSource, pulumi.Input<string>> {}

/**
 * A scheduled verification of every source's backups: freshness against each source's RPO,
 * completeness (artifacts without a manifest), integrity (size and SHA-256 recomputed by streaming),
 * consistency (size change against the previous backup), restorability (the archive's table of
 * contents) and the copy in the replica vault. It reports the `BackupAgeMinutes` and `VerifyFailed`
 * metrics the freshness alarms watch, and fails the run when any check fails.
 *
 * Its role may only read: the vault (and the replica), the credentials secrets, its logs.
 *
 * @example
 * const verify = new VerifyJob("verify", {
 *   sources: [postgresSource, uploadsSource],
 *   vault: vault.primary,
 *   replica: { ...vault.replica, region: "us-west-2" },
 *   schedule: "rate(15 minutes)",
 *   code: { imageUri },
 * });
 */
export class VerifyJob extends ScheduledJob {
  /** The names of the verified sources. */
  readonly sourceNames: readonly string[];

  constructor(name: string, args: VerifyJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    const sources = args.sources ?? [];
    if (sources.length === 0) problems.add("sources", args.sources, "must list at least one source to verify.");
    sources.forEach((s, i) => {
      if (typeof s?.name !== "string") problems.add(`sources[${i}].name`, s?.name, "must be known when the program runs.");
      else checkSourceName(s.name, `sources[${i}].name`, problems);
    });
    const plan = checkJobArgs(args, 1024, "verify", problems);
    if (args.verify?.testRestore && args.code && "bundle" in args.code) {
      problems.add("verify.testRestore", true, "needs pg_restore from the jobs image: pass { imageUri } as `code`, or turn test restores off.");
    }
    problems.throwIfAny(`VerifyJob "${name}"`);
    const sourceNames = sources.map((s) => s.name as string);

    const replica = args.replica;
    const config = pulumi
      .all([pulumi.output(sources as JobSource[]), args.vault.bucketName, args.vault.keyArn, replica ? pulumi.output(replica.bucketName) : undefined])
      .apply(([resolved, bucket, kmsKeyArn, replicaBucket]) =>
        JSON.stringify({
          vault: {
            bucket,
            kmsKeyArn,
            ...(args.vaultClient ?? {}),
            ...(replica && replicaBucket ? { replica: { bucket: replicaBucket, region: replica.region } } : {}),
          },
          sources: resolved,
          ...(args.verify ? { verify: args.verify } : {}),
        } as JobConfig),
      );
    const job: Omit<ScheduledFunctionArgs, "plan"> = {
      handler: "verify",
      code: args.code,
      description: `Lifeboat verification of ${sourceNames.join(", ")}`,
      config,
      input: {},
      ...(args.key !== undefined ? { key: args.key } : {}),
      ...(args.vpc ? { vpc: args.vpc } : {}),
      ...(args.tags ? { tags: args.tags } : {}),
      statements: (job) =>
        pulumi
          .all([args.vault.bucketArn, args.vault.keyArn, replica?.bucketArn ?? "", replica?.keyArn ?? "", secretArnsOf(sources), pulumi.output(args.secretKeyArns ?? [])])
          .apply(([bucketArn, keyArn, replicaBucketArn, replicaKeyArn, secretArns, secretKeyArns]) =>
            jobRoleStatements(
              { mode: "read", vault: { bucketArn, keyArn }, prefix: "", ...(replicaBucketArn ? { replica: { bucketArn: replicaBucketArn, keyArn: replicaKeyArn } } : {}) },
              { ...job, secretArns, secretKeyArns, vpc: args.vpc !== undefined },
            ),
          ),
    };
    super("lifeboat:aws:VerifyJob", name, plan as ScheduledJobPlan, job, opts);
    this.sourceNames = sourceNames;
    this.registerOutputs({ functionName: this.functionName, schedule: this.plan.schedule });
  }
}
