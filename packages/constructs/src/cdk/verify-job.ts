import type { Construct } from "constructs";
import { checkSourceName, jobRoleStatements, type JobConfig, Problems, type ScheduledJobPlan, type SourceConfig, type VerifyJobArguments } from "../core";
import type { JobSource } from "./backup-job";
import { checkJobProps, ScheduledJob, type ScheduledJobProps } from "./scheduled-job";

/** Properties of a {@link VerifyJob}: core's {@link VerifyJobArguments} and the shared {@link ScheduledJobProps}, with CDK values. */
export interface VerifyJobProps extends ScheduledJobProps, VerifyJobArguments<JobSource> {}

/**
 * A scheduled verification of every source's backups: freshness against each source's RPO,
 * completeness, integrity (size and SHA-256), consistency, restorability and the copy in the
 * replica vault. It reports the metrics the freshness alarms watch. Its role may only read.
 *
 * @example
 * new VerifyJob(stack, "Verify", { sources: [postgresSource], vault: vault.primary, schedule: "rate(15 minutes)", code: { repository, tag: "0.1.0" } });
 */
export class VerifyJob extends ScheduledJob {
  /** The names of the verified sources. */
  readonly sourceNames: readonly string[];

  constructor(scope: Construct, id: string, props: VerifyJobProps) {
    const problems = new Problems();
    const sources = props.sources ?? [];
    if (sources.length === 0) problems.add("sources", props.sources, "must list at least one source to verify.");
    sources.forEach((s, i) => checkSourceName(s?.name, `sources[${i}].name`, problems));
    const plan = checkJobProps(props, 1024, problems);
    if (props.verify?.testRestore && props.code && "bundle" in props.code) {
      problems.add("verify.testRestore", true, "needs pg_restore from the jobs image: pass { repository, tag } as `code`, or turn test restores off.");
    }
    problems.throwIfAny(`VerifyJob "${id}"`);
    const replica = props.replica;
    const config: JobConfig = {
      vault: { bucket: props.vault.bucketName, kmsKeyArn: props.vault.keyArn, ...(props.vaultClient ?? {}), ...(replica ? { replica: { bucket: replica.bucketName, region: replica.region } } : {}) },
      sources: sources as SourceConfig[],
      ...(props.verify ? { verify: props.verify } : {}),
    };
    const secretArns = sources.flatMap((s) => ("credentials" in s && s.credentials && "secretArn" in s.credentials ? [s.credentials.secretArn] : []));
    const names = sources.map((s) => s.name);
    super(scope, id, plan as ScheduledJobPlan, props, {
      handler: "verify",
      description: `Lifeboat verification of ${names.join(", ")}`,
      config,
      input: {},
      statements: (job) =>
        jobRoleStatements(
          { mode: "read", vault: { bucketArn: props.vault.bucketArn, keyArn: props.vault.keyArn }, prefix: "", ...(replica ? { replica: { bucketArn: replica.bucketArn, keyArn: replica.keyArn } } : {}) },
          { ...job, secretArns, secretKeyArns: props.secretKeyArns ?? [], vpc: props.vpc !== undefined },
        ),
    });
    this.sourceNames = names;
  }
}
