import * as pulumi from "@pulumi/pulumi";
import { checkDrillSettings, checkSourceName, DEFAULT_DRILL_OBJECTS_PREFIX, drillRoleStatements, type JobConfig, Problems, type ScheduledJobPlan } from "../../core";
import type { ScheduledFunctionArgs } from "./scheduled-function";
import { checkJobArgs, type JobSource, ScheduledJob, type ScheduledJobArgs, secretArnsOf, type VaultTarget } from "./scheduled-job";

/** Arguments of a {@link DrillJob}. */
export interface DrillJobArgs extends ScheduledJobArgs {
  /** The source to drill, with its `drill` settings (scratch target, smoke queries). */
  readonly source: JobSource;
  /** The vault its backups are in and its drill records go to. */
  readonly vault: VaultTarget;
  /** An objects drill's scratch bucket ARN (its `drill.scratch.bucket`): the role may write and delete under the drill prefix there. @default - none */
  readonly scratchBucketArn?: pulumi.Input<string>;
}

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
    const sourceName = args.source?.name;
    if (typeof sourceName !== "string") problems.add("source.name", sourceName, "must be known when the program runs: it names the drill's records and permissions.");
    else checkSourceName(sourceName, "source.name", problems);
    const kind = args.source?.kind;
    if (typeof kind === "string" && args.source.drill !== undefined && !pulumi.Output.isInstance(args.source.drill)) checkDrillSettings(args.source.drill, kind, "source.drill", problems);
    const plan = checkJobArgs(args, 1024, "drill", problems);
    if ((kind === "postgres" || kind === "redis") && args.code && "bundle" in args.code) {
      problems.add("code", args.code, `cannot drill ${kind} with the bundled handler: the restore needs ${kind === "postgres" ? "pg_restore and psql" : "zstd"} from the jobs image. Pass { imageUri }.`);
    }
    problems.throwIfAny(`DrillJob "${name}"`);
    const config = pulumi
      .all([pulumi.output(args.source), args.vault.bucketName, args.vault.keyArn])
      .apply(([source, bucket, kmsKeyArn]) => JSON.stringify({ vault: { bucket, kmsKeyArn, ...(args.vaultClient ?? {}) }, sources: [source] } as JobConfig));
    const scratchPrefix = pulumi.output(args.source).apply((s) => (s.kind === "objects" ? (s.drill?.scratch?.prefix ?? DEFAULT_DRILL_OBJECTS_PREFIX) : ""));
    const job: Omit<ScheduledFunctionArgs, "plan"> = {
      handler: "drill",
      code: args.code,
      description: `Lifeboat restore drill of ${sourceName} (${kind})`,
      config,
      input: { source: sourceName },
      ...(args.key !== undefined ? { key: args.key } : {}),
      ...(args.vpc ? { vpc: args.vpc } : {}),
      ...(args.tags ? { tags: args.tags } : {}),
      statements: (job) =>
        pulumi
          .all([args.vault.bucketArn, args.vault.keyArn, secretArnsOf([args.source]), pulumi.output(args.secretKeyArns ?? []), pulumi.output(args.scratchBucketArn ?? ""), scratchPrefix])
          .apply(([bucketArn, keyArn, secretArns, secretKeyArns, scratchBucketArn, prefix]) =>
            drillRoleStatements({ bucketArn, keyArn }, sourceName as string, { ...job, secretArns, secretKeyArns, vpc: args.vpc !== undefined }, scratchBucketArn ? { bucketArn: scratchBucketArn, prefix } : undefined),
          ),
    };
    super("lifeboat:aws:DrillJob", name, plan as ScheduledJobPlan, job, opts);
    this.sourceName = sourceName as string;
    this.registerOutputs({ functionName: this.functionName, schedule: this.plan.schedule });
  }
}
