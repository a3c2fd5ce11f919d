import type { Construct } from "constructs";
import { designSourceJob, type DrillJobArguments, drillRoleStatements, Problems, type ScheduledJobPlan, type SourceConfig } from "../core";
import type { JobSource } from "./backup-job";
import { checkJobProps, ScheduledJob, type ScheduledJobProps } from "./scheduled-job";

/** Properties of a {@link DrillJob}: core's {@link DrillJobArguments} and the shared {@link ScheduledJobProps}, with CDK values. */
export interface DrillJobProps extends ScheduledJobProps, DrillJobArguments<JobSource> {}

/**
 * A scheduled restore drill of one source: a Lambda function from the jobs image that restores the
 * newest complete backup into a scratch target, checks it, removes it and writes
 * `drills/<source>/<stamp>.json`; its role reads the source's backups and writes only its drill
 * records. The same design as the Pulumi `DrillJob`.
 *
 * @example
 * new DrillJob(stack, "PostgresDrill", {
 *   source: { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: db.dbInstanceEndpointAddress, database: "app", credentials: { secretArn } },
 *   vault: vault.primary,
 *   schedule: "rate(30 days)",
 *   code: { repository, tag: "0.1.0" },
 * });
 */
export class DrillJob extends ScheduledJob {
  readonly sourceName: string;

  constructor(scope: Construct, id: string, props: DrillJobProps) {
    const problems = new Problems();
    const design = designSourceJob("drill", props?.source, { bundled: !!props?.code && "bundle" in props.code, value: props?.code, imageFix: "{ repository, tag }" }, problems);
    const plan = checkJobProps(props, design.defaultMemoryMb, problems);
    problems.throwIfAny(`DrillJob "${id}"`);
    const sourceName = props.source.name;
    const source = props.source;
    const secretArns = "credentials" in source && source.credentials && "secretArn" in source.credentials ? [source.credentials.secretArn] : [];
    const scratchPrefix = design.scratchPrefix;
    super(scope, id, plan as ScheduledJobPlan, props, {
      handler: design.handler,
      description: design.description,
      config: { vault: { bucket: props.vault.bucketName, kmsKeyArn: props.vault.keyArn, ...(props.vaultClient ?? {}) }, sources: [source as SourceConfig] },
      input: design.input,
      statements: (job) =>
        drillRoleStatements(
          { bucketArn: props.vault.bucketArn, keyArn: props.vault.keyArn },
          sourceName,
          { ...job, secretArns, secretKeyArns: props.secretKeyArns ?? [], vpc: props.vpc !== undefined },
          props.scratchBucketArn ? { bucketArn: props.scratchBucketArn, prefix: scratchPrefix } : undefined,
        ),
    });
    this.sourceName = sourceName;
  }
}
