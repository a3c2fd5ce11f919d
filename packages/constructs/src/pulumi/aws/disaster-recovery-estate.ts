import * as pulumi from "@pulumi/pulumi";
import * as ecs from "@pulumi/aws/ecs";
import type * as elasticache from "@pulumi/aws/elasticache";
import type * as rds from "@pulumi/aws/rds";
import {
  type BackupManifest,
  checkEstateFargate,
  type CredentialsSource,
  deadLetterAlarmSpec,
  describeDrillEvery,
  designEstateJobs,
  jobPlacementsOf,
  type DrillRecord,
  type DrillSettings,
  fargateJobDesign,
  fargateJobTaskStatements,
  type JobRuntime,
  Problems,
  type SourceJobsDesign,
  type DeployedAlarm,
  type DeployedSource,
  type EstatePlan,
  type EstatePosture,
  estatePosture,
  type JobConfig,
  type ObjectivesArgs,
  type ObjectLockArgs,
  planEstate,
  type PostureAlarm,
  renderRunbook,
  type SourceObjectives,
  type SourcePlan,
} from "../../core";
import { AlertTopic } from "./alert-topic";
import { AwsBackupPlan, type AwsBackupPlanArgs } from "./aws-backup-plan";
import { configuredRegion } from "./configured-region";
import { accountContext } from "./account";
import { DatabaseBackups } from "./database-backups";
import { DrillJob } from "./drill-job";
import { FargateJob } from "./fargate-job";
import { ServiceMonitor, type ServiceMonitorArgs } from "./service-monitor";
import { BackupAlarms, type WatchedJob } from "./backup-alarms";
import { BackupJob } from "./backup-job";
import { type JobSource, secretArnsOf } from "./scheduled-job";
import { ReplicatedBackupVault } from "./replicated-backup-vault";
import type { JobCode, JobVpc } from "./scheduled-function";
import { VaultKey } from "./vault-key";
import { VerifyJob } from "./verify-job";

interface EstateSourceCommon {
  /** The source's name: its prefix in the vault, its metric dimension, part of resource names. */
  readonly name: string;
  /** @default - the estate's RPO */
  readonly rpo?: SourceObjectives["rpo"];
  /** @default - the estate's RTO */
  readonly rto?: SourceObjectives["rto"];
  /** The data's size, for the restore-time estimate. @default 10 */
  readonly sizeGiB?: number;
  /** Sources restored before this one. @default - none */
  readonly restoreAfter?: readonly string[];
  /** Logical backup interval instead of the derived one. @default - derived from the RPO */
  readonly logicalInterval?: SourceObjectives["logicalInterval"];
  /**
   * The restore drill: scratch target, smoke queries, interval; `false` for none.
   * @default - PostgreSQL: monthly into a new database on the source's server; Redis and objects: none until `scratch` is declared
   */
  readonly drill?: DrillSettings | false;
  /** Run this source's jobs on Lambda or Fargate whatever their expected duration. @default - chosen per job from the expected duration */
  readonly runtime?: JobRuntime;
}

/** A PostgreSQL database on RDS or Aurora, whose master password RDS manages. */
interface ManagedPostgresSource extends EstateSourceCommon {
  readonly kind: "postgres";
  /** The database to dump. */
  readonly database: pulumi.Input<string>;
  /**
   * Where the job finds the credentials.
   * @default - the database's RDS-managed master user secret (`manageMasterUserPassword: true`)
   */
  readonly credentials?: pulumi.Input<CredentialsSource>;
}

/** A PostgreSQL database on an RDS instance of this program. */
export interface RdsPostgresSource extends ManagedPostgresSource {
  readonly engine: "rds-instance";
  readonly instance: rds.Instance;
}

/** A PostgreSQL database on an Aurora cluster of this program. */
export interface AuroraPostgresSource extends ManagedPostgresSource {
  readonly engine: "aurora-cluster";
  readonly cluster: rds.Cluster;
}

/** A PostgreSQL server Lifeboat reaches by host name (on EC2, in a container, elsewhere). */
export interface SelfManagedPostgresSource extends EstateSourceCommon {
  readonly kind: "postgres";
  readonly engine: "self-managed";
  readonly host: pulumi.Input<string>;
  /** @default 5432 */
  readonly port?: pulumi.Input<number>;
  readonly database: pulumi.Input<string>;
  readonly credentials: pulumi.Input<CredentialsSource>;
}

/** A Redis replication group on ElastiCache: protected by its own daily snapshots. */
export interface ElastiCacheRedisSource extends EstateSourceCommon {
  readonly kind: "redis";
  readonly engine: "elasticache";
  readonly replicationGroup: elasticache.ReplicationGroup;
}

/** A Redis server Lifeboat reaches by host name. */
export interface SelfManagedRedisSource extends EstateSourceCommon {
  readonly kind: "redis";
  readonly engine: "self-managed";
  readonly host: pulumi.Input<string>;
  /** @default 6379 */
  readonly port?: pulumi.Input<number>;
  /** @default false */
  readonly tls?: boolean;
  /** @default - no AUTH */
  readonly credentials?: pulumi.Input<CredentialsSource>;
}

/** An S3 bucket whose objects are copied into the vault incrementally. */
export interface BucketSource extends EstateSourceCommon {
  readonly kind: "objects";
  readonly engine: "s3";
  /** The bucket: a resource of this program (anything with `bucket` and `arn`). */
  readonly bucket: { readonly bucket: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** @default "" (the whole bucket) */
  readonly prefix?: string;
}

export type EstateSource = RdsPostgresSource | AuroraPostgresSource | SelfManagedPostgresSource | ElastiCacheRedisSource | SelfManagedRedisSource | BucketSource;

/** Arguments of a {@link DisasterRecoveryEstate}. */
export interface DisasterRecoveryEstateArgs {
  /** RPO, RTO, retention tiers and the DR region: everything else is derived from them. */
  readonly objectives: ObjectivesArgs;
  /** What to protect. */
  readonly sources: readonly EstateSource[];
  /** Who receives alarms. */
  readonly alerts: { readonly emails?: readonly pulumi.Input<string>[]; readonly httpsEndpoints?: readonly pulumi.Input<string>[] };
  /**
   * How the jobs run: their code (the jobs image for PostgreSQL and Redis) and network; `fargate`
   * lets jobs too long for Lambda run as ECS Fargate tasks from the same image (it needs `vpc` and
   * `code.imageUri`; a cluster is created unless `clusterArn` is given).
   */
  readonly jobs: { readonly code: JobCode; readonly vpc?: JobVpc; readonly fargate?: { readonly clusterArn?: pulumi.Input<string> } };
  /**
   * Drill records and backup manifests read from the vault: the posture shows measured restore times
   * beside the estimates, and jobs are placed by measured throughput.
   * @default - none (estimates and assumed throughput)
   */
  readonly records?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] };
  /** Scheduled restore drills; `false` turns them off for every source. @default true */
  readonly drills?: boolean;
  /**
   * Vault settings beyond retention (which comes from the objectives).
   * @default - no Object Lock, generated bucket names, protected from deletion
   */
  readonly vault?: { readonly objectLock?: ObjectLockArgs; readonly bucketName?: pulumi.Input<string>; readonly replicaBucketName?: pulumi.Input<string>; readonly protect?: boolean };
  /**
   * AWS Backup for the RDS and Aurora sources: a rule per tier with the objectives' retention, a copy
   * of every recovery point to the DR region, a locked vault and weekly restore tests. Settings here
   * refine it; `false` turns it off.
   * @default - on when a source runs on RDS or Aurora
   */
  readonly awsBackup?: Omit<AwsBackupPlanArgs, "selection" | "dr" | "topic" | "retention"> | false;
  /**
   * The production monitoring: a Route 53 health check, an optional load balancer 5xx-rate alarm and
   * database connection and storage alarms, all to the estate's topic.
   * @default - no service monitor
   */
  readonly monitor?: Omit<ServiceMonitorArgs, "topic">;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** How a source is reached at deploy time, for the job configuration. */
function jobSource(source: EstateSource, plan: SourcePlan): JobSource | undefined {
  const base = { name: source.name, rpoMinutes: plan.objective.rpoMinutes };
  switch (source.engine) {
    case "rds-instance":
      return {
        ...base,
        kind: "postgres",
        host: source.instance.address,
        port: source.instance.port,
        database: source.database,
        sslMode: "require",
        credentials: source.credentials ?? managedSecret(source.name, source.instance.masterUserSecrets),
      };
    case "aurora-cluster":
      return {
        ...base,
        kind: "postgres",
        host: source.cluster.endpoint,
        port: source.cluster.port,
        database: source.database,
        sslMode: "require",
        credentials: source.credentials ?? managedSecret(source.name, source.cluster.masterUserSecrets),
      };
    case "self-managed":
      return source.kind === "postgres"
        ? { ...base, kind: "postgres", host: source.host, port: source.port ?? 5432, database: source.database, credentials: source.credentials }
        : { ...base, kind: "redis", host: source.host, port: source.port ?? 6379, tls: source.tls ?? false, ...(source.credentials ? { credentials: source.credentials } : {}) };
    case "s3":
      return { ...base, kind: "objects", bucket: source.bucket.bucket, prefix: source.prefix ?? "" };
    case "elasticache":
      return undefined;
  }
}

/** The RDS-managed master user secret, or a deploy-time error saying how to give credentials. */
function managedSecret(name: string, secrets: pulumi.Output<{ secretArn: string }[]>): pulumi.Output<CredentialsSource> {
  return secrets.apply((list) => {
    const arn = list?.[0]?.secretArn;
    if (!arn) {
      throw new Error(`DisasterRecoveryEstate source "${name}": the database has no RDS-managed master user secret; set manageMasterUserPassword: true on it, or pass \`credentials: { secretArn }\`.`);
    }
    return { secretArn: arn };
  });
}

/**
 * A whole backup and disaster-recovery estate from one declaration of objectives and sources: the
 * replicated, tiered vault; the alert topic; a backup job per source that has a logical backup and
 * one verification job; every alarm; and a `posture` that says, per source, the RPO and RTO the
 * configuration achieves against the objectives, where each copy lives and for how long, which
 * alarms watch it and the exact commands to restore it. `runbook` is that posture in Markdown.
 *
 * Objectives that cannot be met are refused before anything is created, saying why.
 *
 * @example
 * const estate = new DisasterRecoveryEstate("prod", {
 *   objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, drRegion: "us-west-2" },
 *   sources: [{ name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app" }],
 *   alerts: { emails: ["oncall@example.com"] },
 *   jobs: { code: { imageUri }, vpc: { subnetIds, securityGroupIds } },
 * });
 * export const posture = estate.posture;
 */
export class DisasterRecoveryEstate extends pulumi.ComponentResource {
  readonly plan: EstatePlan;
  readonly vault: ReplicatedBackupVault;
  readonly alerts: AlertTopic;
  readonly jobsKey: VaultKey;
  /** Backup jobs by source name. */
  readonly backupJobs: Readonly<Record<string, BackupJob>>;
  readonly verifyJob?: VerifyJob;
  /** Drill jobs on Lambda, by source name. */
  readonly drillJobs: Readonly<Record<string, DrillJob>>;
  /** Jobs on Fargate, by `<source>-backup` or `<source>-drill`. */
  readonly fargateJobs: Readonly<Record<string, FargateJob>>;
  /** Per source with a logical backup: where its backup and drill run, and its drill plan. */
  readonly jobDesigns: readonly SourceJobsDesign[];
  readonly alarms: BackupAlarms;
  /** Cross-region automated backups of RDS instances, by source name. */
  readonly databases: Readonly<Record<string, DatabaseBackups>>;
  readonly awsBackup?: AwsBackupPlan;
  readonly monitor?: ServiceMonitor;
  /** Per source: achieved RPO/RTO against the objectives, copies, alarms, restore commands. */
  readonly posture: pulumi.Output<EstatePosture>;
  /** The posture as a Markdown runbook. */
  readonly runbook: pulumi.Output<string>;
  /** The job configuration the `lifeboat` command line needs, for the primary vault and for the replica. */
  readonly jobConfigs: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: DisasterRecoveryEstateArgs, opts?: pulumi.ComponentResourceOptions) {
    const primaryRegion = args.objectives?.primaryRegion ?? configuredRegion(opts);
    const plan = planEstate(
      { ...args.objectives, ...(primaryRegion !== undefined ? { primaryRegion } : {}) },
      (args.sources ?? []).map((s) => ({
        name: s.name,
        kind: s.kind,
        engine: s.engine,
        ...(s.rpo !== undefined ? { rpo: s.rpo } : {}),
        ...(s.rto !== undefined ? { rto: s.rto } : {}),
        ...(s.sizeGiB !== undefined ? { sizeGiB: s.sizeGiB } : {}),
        ...(s.restoreAfter !== undefined ? { restoreAfter: s.restoreAfter } : {}),
        ...(s.logicalInterval !== undefined ? { logicalInterval: s.logicalInterval } : {}),
      })),
      `DisasterRecoveryEstate "${name}"`,
    );
    const problems = new Problems();
    const fargateWanted = args.jobs?.fargate !== undefined;
    checkEstateFargate(args.jobs?.fargate, { vpc: args.jobs?.vpc !== undefined, image: !!args.jobs?.code && "imageUri" in args.jobs.code, imageArgument: "jobs.code.imageUri" }, problems);
    const jobDesigns = designEstateJobs(
      plan,
      (args.sources ?? []).map((s) => ({ name: s.name, ...(s.drill !== undefined ? { drill: s.drill } : {}), ...(s.runtime !== undefined ? { runtime: s.runtime } : {}) })),
      { fargate: fargateWanted, drills: args.drills !== false, ...(args.records ? { records: args.records } : {}) },
      problems,
    );
    problems.throwIfAny(`DisasterRecoveryEstate "${name}"`);
    super("lifeboat:aws:DisasterRecoveryEstate", name, {}, opts);
    this.plan = plan;
    this.jobDesigns = jobDesigns;
    const tags = args.tags ? { tags: args.tags } : {};
    const parent = { parent: this };

    this.vault = new ReplicatedBackupVault(
      `${name}-vault`,
      {
        ...(args.objectives.retention ? { retention: args.objectives.retention } : {}),
        ...(args.vault?.objectLock ? { objectLock: args.vault.objectLock } : {}),
        ...(args.vault?.bucketName !== undefined ? { bucketName: args.vault.bucketName } : {}),
        ...(args.vault?.protect !== undefined ? { protect: args.vault.protect } : {}),
        ...(primaryRegion !== undefined ? { primaryRegion } : {}),
        replica: { region: plan.drRegion, ...(args.vault?.replicaBucketName !== undefined ? { bucketName: args.vault.replicaBucketName } : {}) },
        ...tags,
      },
      parent,
    );
    this.alerts = new AlertTopic(
      `${name}-alerts`,
      { ...(args.alerts?.emails ? { emails: args.alerts.emails } : {}), ...(args.alerts?.httpsEndpoints ? { httpsEndpoints: args.alerts.httpsEndpoints } : {}), ...tags },
      parent,
    );
    this.jobsKey = new VaultKey(`${name}-jobs-key`, { description: `Lifeboat estate ${name}: job environments and failed-run queues`, ...tags }, parent);

    const sourcesByName = new Map((args.sources ?? []).map((s) => [s.name, s]));
    const jobSources: JobSource[] = [];
    const backupJobs: Record<string, BackupJob> = {};
    const fargateSources: { source: JobSource; estateSource: EstateSource; plan: SourcePlan; job: "backup" | "drill" }[] = [];
    for (const sourcePlan of plan.sources) {
      const source = sourcesByName.get(sourcePlan.name) as EstateSource;
      const described = jobSource(source, sourcePlan);
      if (!described || !sourcePlan.logical) continue;
      const design = jobDesigns.find((d) => d.source === sourcePlan.name);
      const withDrill = (design?.drill?.settings ? { ...described, drill: design.drill.settings } : described) as JobSource;
      jobSources.push(withDrill);
      if (design?.backup.runtime === "fargate") {
        fargateSources.push({ source: withDrill, estateSource: source, plan: sourcePlan, job: "backup" });
        continue;
      }
      backupJobs[sourcePlan.name] = new BackupJob(
        `${name}-${sourcePlan.name}-backup`,
        {
          source: described,
          vault: this.vault.primary,
          schedule: sourcePlan.logical.expression,
          code: args.jobs.code,
          key: this.jobsKey,
          ...(args.jobs.vpc ? { vpc: args.jobs.vpc } : {}),
          ...(source.engine === "s3" ? { sourceBucketArn: source.bucket.arn } : {}),
          ...(secretKeyArns(source) ? { secretKeyArns: secretKeyArns(source) } : {}),
          ...tags,
        },
        parent,
      );
    }
    this.backupJobs = backupJobs;

    const replicaTarget = { bucketName: this.vault.replica.bucketName, bucketArn: this.vault.replica.bucketArn, keyArn: this.vault.replica.keyArn, region: plan.drRegion };
    if (plan.verify && jobSources.length > 0) {
      const keys = (args.sources ?? []).map(secretKeyArns).filter((k): k is pulumi.Output<string[]> => k !== undefined);
      this.verifyJob = new VerifyJob(
        `${name}-verify`,
        {
          sources: jobSources,
          vault: this.vault.primary,
          replica: replicaTarget,
          schedule: plan.verify.expression,
          code: args.jobs.code,
          key: this.jobsKey,
          ...(args.jobs.vpc ? { vpc: args.jobs.vpc } : {}),
          ...(keys.length > 0 ? { secretKeyArns: pulumi.all(keys).apply((k) => k.flat()) } : {}),
          ...tags,
        },
        parent,
      );
    }

    const drillJobs: Record<string, DrillJob> = {};
    const { partition } = accountContext(this);
    for (const design of jobDesigns) {
      if (!design.drill) continue;
      const source = sourcesByName.get(design.source) as EstateSource;
      const described = jobSources.find((j) => j.name === design.source) as JobSource;
      const sourcePlan = plan.sources.find((p) => p.name === design.source) as SourcePlan;
      if (design.drill.placement.runtime === "fargate") {
        fargateSources.push({ source: described, estateSource: source, plan: sourcePlan, job: "drill" });
        continue;
      }
      drillJobs[design.source] = new DrillJob(
        `${name}-${design.source}-drill`,
        {
          source: described,
          vault: this.vault.primary,
          schedule: design.drill.plan.schedule.expression,
          code: args.jobs.code,
          ...(design.drill.settings?.scratch?.bucket ? { scratchBucketArn: pulumi.interpolate`arn:${partition}:s3:::${design.drill.settings.scratch.bucket}` } : {}),
          key: this.jobsKey,
          ...(args.jobs.vpc ? { vpc: args.jobs.vpc } : {}),
          ...(secretKeyArns(source) ? { secretKeyArns: secretKeyArns(source) } : {}),
          ...tags,
        },
        parent,
      );
    }
    this.drillJobs = drillJobs;

    const fargateJobs: Record<string, FargateJob> = {};
    if (fargateSources.length > 0) {
      const clusterArn = args.jobs.fargate?.clusterArn ?? new ecs.Cluster(`${name}-jobs`, { settings: [{ name: "containerInsights", value: "enabled" }], ...tags }, parent).arn;
      const imageUri = (args.jobs.code as { imageUri: pulumi.Input<string> }).imageUri;
      for (const f of fargateSources) {
        const design = jobDesigns.find((d) => d.source === f.plan.name) as SourceJobsDesign;
        const schedule = f.job === "drill" ? design.drill!.plan.schedule : f.plan.logical!;
        const keys = secretKeyArns(f.estateSource);
        const sourceBucketArn = f.estateSource.engine === "s3" ? f.estateSource.bucket.arn : undefined;
        const scratchBucket = f.job === "drill" ? design.drill?.settings?.scratch?.bucket : undefined;
        const taskStatements = pulumi
          .all([this.vault.primary.bucketArn, this.vault.primary.keyArn, secretArnsOf([f.source]), keys ?? pulumi.output([] as string[]), pulumi.output(sourceBucketArn ?? ""), partition])
          .apply(([bucketArn, keyArn, secretArns, secretKeyArns, bucketSourceArn, p]) =>
            fargateJobTaskStatements({
              job: f.job,
              source: f.plan.name,
              vault: { bucketArn, keyArn },
              secretArns,
              secretKeyArns,
              ...(bucketSourceArn && f.estateSource.engine === "s3" ? { sourceBucket: { arn: bucketSourceArn, prefix: f.estateSource.prefix ?? "" } } : {}),
              ...(scratchBucket ? { scratch: { bucketArn: `arn:${p}:s3:::${scratchBucket}`, ...(design.drill?.settings?.scratch?.prefix ? { prefix: design.drill.settings.scratch.prefix } : {}) } } : {}),
            }),
          );
        const config = pulumi
          .all([pulumi.output(f.source), this.vault.primary.bucketName, this.vault.primary.keyArn])
          .apply(([source, bucket, kmsKeyArn]) => JSON.stringify({ vault: { bucket, kmsKeyArn, ...(primaryRegion ? { region: primaryRegion } : {}) }, sources: [{ ...source, ...(f.job === "backup" ? { intervalMinutes: schedule.intervalMinutes } : {}) }] } as JobConfig));
        fargateJobs[`${f.plan.name}-${f.job}`] = new FargateJob(
          `${name}-${f.plan.name}-${f.job}-task`,
          {
            design: fargateJobDesign({ estate: name, job: f.job, source: f.plan.name, sizeGiB: f.plan.sizeGiB, schedule }),
            imageUri,
            clusterArn,
            vpc: args.jobs.vpc as JobVpc,
            config,
            taskStatements,
            keyArn: this.jobsKey.arn,
            topicArn: this.alerts.arn,
            ...tags,
          },
          parent,
        );
      }
    }
    this.fargateJobs = fargateJobs;

    const databases: Record<string, DatabaseBackups> = {};
    const nativeSources = plan.sources.map((p) => [p, sourcesByName.get(p.name) as EstateSource] as const);
    for (const [sourcePlan, source] of nativeSources) {
      if (source.engine !== "rds-instance") continue;
      databases[source.name] = new DatabaseBackups(
        `${name}-${source.name}-database`,
        {
          database: { rdsInstance: source.instance },
          dr: { region: plan.drRegion, retention: `${sourcePlan.nativeRetentionDays}d` },
          ...(primaryRegion !== undefined ? { primaryRegion } : {}),
          ...tags,
        },
        parent,
      );
    }
    this.databases = databases;

    const protectedByAwsBackup = nativeSources.flatMap(([, s]) => (s.engine === "rds-instance" ? [s.instance.arn] : s.engine === "aurora-cluster" ? [s.cluster.arn] : []));
    if (args.awsBackup !== false && protectedByAwsBackup.length > 0) {
      const tiers = plan.retention.tiers;
      this.awsBackup = new AwsBackupPlan(
        `${name}-aws-backup`,
        {
          ...(args.awsBackup ?? {}),
          selection: { resources: protectedByAwsBackup },
          dr: { region: plan.drRegion },
          topic: this.alerts,
          retention: { daily: `${tiers.daily}d`, weekly: `${tiers.weekly}d`, monthly: `${tiers.monthly}d` },
          ...(primaryRegion !== undefined ? { primaryRegion } : {}),
          ...tags,
        },
        parent,
      );
    }
    if (args.monitor) this.monitor = new ServiceMonitor(`${name}-monitor`, { ...args.monitor, topic: this.alerts, ...tags }, parent);

    const watched: WatchedJob[] = Object.entries(this.backupJobs).map(([source, job]) => ({
      id: `${source}-backup`,
      functionName: job.functionName,
      deadLetterQueueName: job.deadLetterQueue.name,
      source,
    }));
    if (this.verifyJob) watched.push({ id: "verify", functionName: this.verifyJob.functionName, deadLetterQueueName: this.verifyJob.deadLetterQueue.name });
    for (const [source, job] of Object.entries(this.drillJobs)) watched.push({ id: `${source}-drill`, functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.name, source });
    const extraAlarms = [
      ...jobDesigns.flatMap((d) => d.drill?.plan.alarms ?? []),
      ...Object.entries(this.fargateJobs).map(([id, job]) => deadLetterAlarmSpec<pulumi.Input<string>>(`${id}-task`, job.deadLetterQueue.name, id.replace(/-(backup|drill)$/, ""))),
    ];
    this.alarms = new BackupAlarms(
      `${name}-alarms`,
      {
        topic: this.alerts,
        sources: plan.sources.flatMap((s) => (s.freshness ? [{ name: s.name, freshness: s.freshness }] : [])),
        ...(plan.verify ? { verifyPeriodSeconds: plan.verify.intervalMinutes * 60 } : {}),
        jobs: watched,
        replicatedVaults: [this.vault],
        awsBackupFailures: this.awsBackup !== undefined,
        ...(extraAlarms.length > 0 ? { extraAlarms } : {}),
      },
      parent,
    );

    this.jobConfigs = pulumi
      .all([pulumi.output(jobSources), this.vault.primary.bucketName, this.vault.primary.keyArn, this.vault.replica.bucketName, this.vault.replica.keyArn])
      .apply(([sources, bucket, kmsKeyArn, replicaBucket, replicaKeyArn]): Record<string, string> => {
        const primary: JobConfig = { vault: { bucket, kmsKeyArn, ...(primaryRegion ? { region: primaryRegion } : {}), replica: { bucket: replicaBucket, region: plan.drRegion } }, sources };
        const dr: JobConfig = { vault: { bucket: replicaBucket, kmsKeyArn: replicaKeyArn, region: plan.drRegion }, sources };
        return { "lifeboat.json": JSON.stringify(primary, null, 2), "lifeboat-dr.json": JSON.stringify(dr, null, 2) };
      });

    this.posture = this.buildPosture(name, args, primaryRegion);
    this.runbook = pulumi.all([this.posture, this.jobConfigs]).apply(([posture, jobConfigs]) => renderRunbook(posture, { jobConfigs }));
    this.registerOutputs({ posture: this.posture });
  }

  private buildPosture(name: string, args: DisasterRecoveryEstateArgs, primaryRegion: string | undefined): pulumi.Output<EstatePosture> {
    const plan = this.plan;
    const alarms = pulumi.all(
      this.alarms.alarms.map((a) => a.alarm.name.apply((n): DeployedAlarm => ({ id: a.id, name: n, description: a.description, ...(a.source ? { source: a.source } : {}) }))),
    );
    const sourcesByName = new Map((args.sources ?? []).map((s) => [s.name, s]));
    const deployed = pulumi.all(
      plan.sources.map((s): pulumi.Output<DeployedSource> => {
        const source = sourcesByName.get(s.name) as EstateSource;
        const design = this.jobDesigns.find((d) => d.source === s.name);
        const base = {
          name: s.name,
          engine: source.engine,
          ...(design
            ? {
                jobs: jobPlacementsOf(design),
                ...(design.notes.length > 0 ? { jobNotes: design.notes } : {}),
                ...(design.drill ? { drill: { every: describeDrillEvery(design.drill.plan), job: design.drill.placement.runtime === "fargate" ? `${name}-${s.name}-drill-task` : `${name}-${s.name}-drill` } } : {}),
              }
            : {}),
        };
        switch (source.engine) {
          case "rds-instance": {
            const replication = this.databases[s.name]?.replicationArn ?? pulumi.output("");
            return pulumi
              .all([source.instance.identifier, pulumi.output(source.database), source.instance.backupRetentionPeriod, replication])
              .apply(([identifier, database, retentionDays, replicationArn]) => ({ ...base, identifier, database, retentionDays, ...(replicationArn ? { replicationArn } : {}) }));
          }
          case "aurora-cluster":
            return pulumi
              .all([source.cluster.clusterIdentifier, pulumi.output(source.database), source.cluster.backupRetentionPeriod])
              .apply(([identifier, database, retentionDays]) => ({ ...base, identifier, database, retentionDays }));
          case "elasticache":
            return pulumi.all([source.replicationGroup.replicationGroupId, source.replicationGroup.snapshotRetentionLimit]).apply(([identifier, retentionDays]) => ({ ...base, identifier, ...(retentionDays ? { retentionDays } : {}) }));
          case "s3":
            return pulumi.output(source.bucket.bucket).apply((identifier) => ({ ...base, identifier }));
          default:
            return pulumi.output({ ...base, identifier: "" });
        }
      }),
    );
    const awsBackup = this.awsBackup
      ? pulumi.all([this.awsBackup.vaultName, this.awsBackup.drVaultName, this.awsBackup.roleArn]).apply(([vaultName, drVaultName, restoreRoleArn]) => ({ vaultName, drVaultName, restoreRoleArn, rules: this.awsBackup?.rules ?? [] }))
      : pulumi.output(undefined);
    const monitorAlarms = pulumi.all(
      (this.monitor?.alarms ?? []).map((a) => a.alarm.name.apply((n): PostureAlarm => ({ id: `monitor-${a.role}`, name: n, description: `Service monitor: ${a.role} (missing data: ${a.treatMissingData}, ${a.missingDataReason})` }))),
    );
    return pulumi
      .output({
        primaryRegion: pulumi.output(primaryRegion ?? this.vault.primary.bucket.region),
        vaultBucket: this.vault.primary.bucketName,
        replicaBucket: this.vault.replica.bucketName,
        topicArn: this.alerts.arn,
        alarms,
        monitorAlarms,
        sources: deployed,
        awsBackup,
        verifyJob: this.verifyJob ? this.verifyJob.functionName : pulumi.output(""),
        emails: pulumi.all((args.alerts?.emails ?? []).map((e) => pulumi.output(e))),
        httpsEndpoints: pulumi.all((args.alerts?.httpsEndpoints ?? []).map((e) => pulumi.output(e))),
      })
      .apply(({ awsBackup: backupVaults, verifyJob, ...rest }) =>
        estatePosture(plan, { estate: name, ...rest, ...(backupVaults ? { awsBackup: backupVaults } : {}), ...(verifyJob ? { verifyJob } : {}), ...(args.records?.drills ? { drillRecords: args.records.drills } : {}) }),
      );
  }
}

/** Customer keys that encrypt a source's RDS-managed secret, which its jobs must be able to use. */
function secretKeyArns(source: EstateSource): pulumi.Output<string[]> | undefined {
  if (source.engine === "rds-instance" && source.credentials === undefined) {
    return source.instance.masterUserSecrets.apply((s) => (s ?? []).map((x) => x.kmsKeyId).filter((k): k is string => typeof k === "string" && k.startsWith("arn:")));
  }
  if (source.engine === "aurora-cluster" && source.credentials === undefined) {
    return source.cluster.masterUserSecrets.apply((s) => (s ?? []).map((x) => x.kmsKeyId).filter((k): k is string => typeof k === "string" && k.startsWith("arn:")));
  }
  return undefined;
}
