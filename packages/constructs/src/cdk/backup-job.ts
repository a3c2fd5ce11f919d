import type { Construct } from "constructs";
import { type BackupJobArguments, designSourceJob, jobRoleStatements, Problems, type ScheduledJobPlan, type SourceConfig, sourceBucketReadStatements } from "../core";
import { checkJobProps, ScheduledJob, type ScheduledJobProps } from "./scheduled-job";

/** A source as the job configuration describes it, without the interval its schedule sets. */
export type JobSource = SourceConfig extends infer S ? (S extends unknown ? Omit<S, "intervalMinutes"> : never) : never;

/** Properties of a {@link BackupJob}: core's {@link BackupJobArguments} and the shared {@link ScheduledJobProps}, with CDK values. */
export interface BackupJobProps extends ScheduledJobProps, BackupJobArguments<JobSource> {}

/**
 * A scheduled backup of one source into a vault: a Lambda function whose role may only write its
 * own prefix in the vault (never delete), use the vault key, read its credentials secret and write
 * its logs; a log group with retention; an EventBridge Scheduler schedule with a retry policy; an
 * encrypted dead-letter queue. The function reads its configuration from `LIFEBOAT_CONFIG`.
 *
 * @example
 * new BackupJob(stack, "PostgresBackup", {
 *   source: { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: db.dbInstanceEndpointAddress, database: "app", credentials: { secretArn } },
 *   vault: vault.primary,
 *   schedule: "rate(30 minutes)",
 *   code: { repository, tag: "0.1.0" },
 * });
 */
export class BackupJob extends ScheduledJob {
  /** The source's name: the job's prefix in the vault and its metric dimension. */
  readonly sourceName: string;

  constructor(scope: Construct, id: string, props: BackupJobProps) {
    const problems = new Problems();
    const design = designSourceJob("backup", props?.source, { bundled: !!props?.code && "bundle" in props.code, value: props?.code, imageFix: "{ repository, tag }" }, problems);
    const plan = checkJobProps(props, design.defaultMemoryMb, problems);
    problems.throwIfAny(`BackupJob "${id}"`);
    const sourceName = props.source.name;
    const prefix = design.prefix;
    const intervalMinutes = (plan as ScheduledJobPlan).intervalMinutes;
    const source = props.source;
    const secretArns = "credentials" in source && source.credentials && "secretArn" in source.credentials ? [source.credentials.secretArn] : [];
    super(scope, id, plan as ScheduledJobPlan, props, {
      handler: design.handler,
      description: design.description,
      config: { vault: { bucket: props.vault.bucketName, kmsKeyArn: props.vault.keyArn, ...(props.vaultClient ?? {}) }, sources: [{ ...source, intervalMinutes } as SourceConfig] },
      input: design.input,
      statements: (job) =>
        jobRoleStatements(
          { mode: "write", vault: { bucketArn: props.vault.bucketArn, keyArn: props.vault.keyArn }, prefix },
          { ...job, secretArns, secretKeyArns: props.secretKeyArns ?? [], vpc: props.vpc !== undefined },
          props.sourceBucketArn ? sourceBucketReadStatements(props.sourceBucketArn, source.kind === "objects" ? (source.prefix ?? "") : "") : [],
        ),
    });
    this.sourceName = sourceName;
  }
}
