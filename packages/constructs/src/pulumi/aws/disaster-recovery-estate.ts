import * as pulumi from "@pulumi/pulumi";
import * as ecs from "@pulumi/aws/ecs";
import type * as elasticache from "@pulumi/aws/elasticache";
import type * as rds from "@pulumi/aws/rds";
import {
  type BackupManifest,
  type CredentialsSource,
  designEstate,
  estateDesignArgs,
  type DeployedAlarm,
  type DeployedSourceIds,
  type DrillRecord,
  type EstateDesign,
  estateDesignPosture,
  estateExtraAlarms,
  type EstateJobDesign,
  estateJobConfigs,
  estateJobSource,
  type EstatePlan,
  type EstatePosture,
  type EstateSourceDeclaration,
  type EstateSourceSettings,
  estateSourceSettings,
  type FargateJobDesign,
  fargateJobConfig,
  fargateJobTaskStatements,
  verificationFunctionSources,
  type JobNetworkRoutes,
  type ObjectivesArgs,
  type ObjectLockArgs,
  monitorPostureAlarm,
  renderRunbook,
  type SourceEndpoint,
  type SourceJobsDesign,
  type JobImageArchitecture,
  checkEstateMonitor,
  Problems,
} from "../../core";
import { AlertTopic } from "./alert-topic";
import { AwsBackupPlan, type AwsBackupPlanArgs } from "./aws-backup-plan";
import { configuredRegion } from "./configured-region";
import { accountContext } from "./account";
import { DatabaseBackups } from "./database-backups";
import { DrillJob } from "./drill-job";
import { deploymentScope } from "./deployment-scope";
import { FargateJob } from "./fargate-job";
import { ServiceMonitor, type ServiceMonitorArgs, serviceMonitorSettings } from "./service-monitor";
import { BackupAlarms, type WatchedJob } from "./backup-alarms";
import { BackupJob } from "./backup-job";
import { type JobSource, secretArnsOf } from "./scheduled-job";
import { ReplicatedBackupVault } from "./replicated-backup-vault";
import type { JobCode, JobVpc } from "./scheduled-function";
import { VaultKey } from "./vault-key";
import { VerifyJob } from "./verify-job";

type EstateSourceCommon = EstateSourceSettings;

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
  /**
   * The instance's weekly maintenance window as you gave it (`rdsInstanceBackupArgs(...).maintenanceWindow`):
   * the AWS Backup plan starts clear of it and the hour before it, and a `awsBackup.backupTime` that does not is refused.
   * @default - the instance's, known only at deploy time and then not checked
   */
  readonly maintenanceWindow?: pulumi.Input<string | undefined>;
}

/** A PostgreSQL database on an Aurora cluster of this program. */
export interface AuroraPostgresSource extends ManagedPostgresSource {
  readonly engine: "aurora-cluster";
  readonly cluster: rds.Cluster;
  /**
   * The cluster's weekly maintenance window as you gave it (`auroraClusterBackupArgs(...).preferredMaintenanceWindow`).
   * @default - the cluster's, known only at deploy time and then not checked
   */
  readonly maintenanceWindow?: pulumi.Input<string | undefined>;
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

/**
 * The network the estate's jobs run in: subnets, security groups, and how the subnets reach AWS.
 * Jobs that connect to a database or cache run here; the others run outside unless `everyJob`.
 */
export interface EstateJobsVpc extends JobVpc {
  /**
   * How the subnets reach AWS services: `{ nat: true }`, or the VPC endpoints they have
   * (`{ endpoints: ["s3", "secretsmanager"] }`; an endpoint serves only the VPC's own region).
   * A job that cannot reach what it needs is refused, naming the job and the fix.
   */
  readonly routes: JobNetworkRoutes;
  /**
   * Run every job in the VPC, also those that only call AWS (verification reads the replica in the
   * DR region: that takes `nat: true`).
   * @default false
   */
  readonly everyJob?: boolean;
}

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
  readonly jobs: { readonly code: JobCode; readonly vpc?: EstateJobsVpc; readonly fargate?: { readonly clusterArn?: pulumi.Input<string> } };
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
function endpointOf(source: EstateSource): SourceEndpoint<pulumi.Input<unknown>> | undefined {
  switch (source.engine) {
    case "rds-instance":
      return { host: source.instance.address, port: source.instance.port, database: source.database, credentials: source.credentials ?? managedSecret(source.name, source.instance.masterUserSecrets) };
    case "aurora-cluster":
      return { host: source.cluster.endpoint, port: source.cluster.port, database: source.database, credentials: source.credentials ?? managedSecret(source.name, source.cluster.masterUserSecrets) };
    case "self-managed":
      return source.kind === "postgres"
        ? { host: source.host, ...(source.port !== undefined ? { port: source.port } : {}), database: source.database, credentials: source.credentials }
        : { host: source.host, ...(source.port !== undefined ? { port: source.port } : {}), ...(source.tls !== undefined ? { tls: source.tls } : {}), ...(source.credentials ? { credentials: source.credentials } : {}) };
    case "s3":
      return { bucket: source.bucket.bucket, ...(source.prefix !== undefined ? { prefix: source.prefix } : {}) };
    case "elasticache":
      return undefined;
  }
}

/** The source as the design sees it: no resources, only what decisions need. */
function declarationOf(source: EstateSource): EstateSourceDeclaration {
  const credentials = "credentials" in source ? source.credentials : undefined;
  const managed = source.engine === "rds-instance" || source.engine === "aurora-cluster";
  // Credentials in the environment need no secret; anything else (a secret, a deploy-time value) may.
  const inEnvironment = credentials !== undefined && typeof credentials === "object" && !pulumi.Output.isInstance(credentials) && "env" in credentials;
  return {
    ...estateSourceSettings(source),
    kind: source.kind,
    engine: source.engine,
    readsSecret: (managed || credentials !== undefined) && !inEnvironment,
    ...(source.engine === "rds-instance" ? { maintenanceWindow: source.maintenanceWindow ?? source.instance.maintenanceWindow } : {}),
    ...(source.engine === "aurora-cluster" ? { maintenanceWindow: source.maintenanceWindow ?? source.cluster.preferredMaintenanceWindow } : {}),
  };
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
 * Every decision comes from `designEstate` in core; this component renders it.
 *
 * Objectives that cannot be met, jobs that could not reach their database or AWS, and AWS Backup
 * rules that would start in a maintenance window are refused before anything is created, saying why.
 *
 * @example
 * const estate = new DisasterRecoveryEstate("prod", {
 *   objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, drRegion: "us-west-2" },
 *   sources: [{ name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app" }],
 *   alerts: { emails: ["oncall@example.com"] },
 *   jobs: { code: { imageUri }, vpc: { subnetIds, securityGroupIds, routes: { endpoints: ["s3", "secretsmanager"] } } },
 * });
 * export const posture = estate.posture;
 */
export class DisasterRecoveryEstate extends pulumi.ComponentResource {
  readonly plan: EstatePlan;
  /** Every decision of the estate, as `designEstate` made it. */
  readonly design: EstateDesign;
  readonly vault: ReplicatedBackupVault;
  readonly alerts: AlertTopic;
  readonly jobsKey: VaultKey;
  /** Backup jobs by source name. */
  readonly backupJobs: Readonly<Record<string, BackupJob>>;
  readonly verifyJob?: VerifyJob;
  /** Drill jobs on Lambda, by source name. */
  readonly drillJobs: Readonly<Record<string, DrillJob>>;
  /** Jobs on Fargate, by `<source>-backup`, `<source>-verify` or `<source>-drill`. */
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
    const vpc = args.jobs?.vpc;
    // The monitor is created last; its problems are found with the estate's, before anything is created.
    const found = new Problems();
    if (args.monitor) checkEstateMonitor(serviceMonitorSettings({ ...args.monitor, topic: undefined as never }), primaryRegion, found);
    const design = designEstate(
      estateDesignArgs({
        estate: name,
        // Task families are account-wide per region: the project and stack keep two stacks' apart.
        scope: `${deploymentScope()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-"),
        ...(primaryRegion !== undefined ? { primaryRegion } : {}),
        declared: { ...args, sources: (args.sources ?? []).map(declarationOf) },
        image: { given: Boolean(args.jobs?.code && "imageUri" in args.jobs.code), argument: "jobs.code.imageUri" },
        problems: found.all,
      }),
    );
    super("lifeboat:aws:DisasterRecoveryEstate", name, {}, opts);
    this.design = design;
    this.plan = design.plan;
    this.jobDesigns = design.jobDesigns;
    const tags = args.tags ? { tags: args.tags } : {};
    const parent = { parent: this };
    const sourcesByName = new Map((args.sources ?? []).map((s) => [s.name, s]));
    const sourceOf = (source: string) => sourcesByName.get(source) as EstateSource;

    this.vault = new ReplicatedBackupVault(
      `${name}-vault`,
      {
        ...(args.objectives.retention ? { retention: args.objectives.retention } : {}),
        ...(args.vault?.objectLock ? { objectLock: args.vault.objectLock } : {}),
        ...(args.vault?.bucketName !== undefined ? { bucketName: args.vault.bucketName } : {}),
        ...(args.vault?.protect !== undefined ? { protect: args.vault.protect } : {}),
        ...(primaryRegion !== undefined ? { primaryRegion } : {}),
        replica: { region: design.drRegion, ...(args.vault?.replicaBucketName !== undefined ? { bucketName: args.vault.replicaBucketName } : {}) },
        ...tags,
      },
      parent,
    );
    this.alerts = new AlertTopic(
      `${name}-alerts`,
      { ...(args.alerts?.emails ? { emails: args.alerts.emails } : {}), ...(args.alerts?.httpsEndpoints ? { httpsEndpoints: args.alerts.httpsEndpoints } : {}), ...tags },
      parent,
    );
    this.jobsKey = new VaultKey(`${name}-jobs-key`, { description: design.jobsKey.description, ...tags }, parent);

    const jobSources: Record<string, JobSource> = {};
    for (const s of design.sources) {
      const endpoint = endpointOf(sourceOf(s.name));
      if (s.jobs && endpoint) jobSources[s.name] = estateJobSource(design, s.name, endpoint) as JobSource;
    }
    const jobVpc = (inVpc: boolean) => (inVpc && vpc ? { vpc: { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds } } : {});
    const { partition } = accountContext(this);

    const backupJobs: Record<string, BackupJob> = {};
    const drillJobs: Record<string, DrillJob> = {};
    const fargateJobs: Record<string, FargateJob> = {};
    let cluster: pulumi.Input<string> | undefined;
    for (const job of design.jobs) {
      const source = job.source !== undefined ? sourceOf(job.source) : undefined;
      const keys = source ? secretKeyArns(source) : undefined;
      const common = { vault: this.vault.primary, schedule: job.schedule.expression, code: args.jobs.code, key: this.jobsKey, ...jobVpc(job.inVpc), ...tags };
      if (job.fargate) {
        cluster ??= args.jobs.fargate?.clusterArn ?? new ecs.Cluster(`${name}-jobs`, { settings: [{ name: "containerInsights", value: "enabled" }], ...tags }, parent).arn;
        fargateJobs[job.id] = this.fargateJob(name, job, jobSources[job.source as string] as JobSource, source as EstateSource, cluster, partition, args, tags);
        continue;
      }
      if (job.job === "verify") {
        const allKeys = (args.sources ?? []).map(secretKeyArns).filter((k): k is pulumi.Output<string[]> => k !== undefined);
        this.verifyJob = new VerifyJob(
          `${name}-verify`,
          {
            ...common,
            sources: verificationFunctionSources(design, jobSources),
            replica: { bucketName: this.vault.replica.bucketName, bucketArn: this.vault.replica.bucketArn, keyArn: this.vault.replica.keyArn, region: design.drRegion },
            ...(allKeys.length > 0 ? { secretKeyArns: pulumi.all(allKeys).apply((k) => k.flat()) } : {}),
          },
          parent,
        );
        continue;
      }
      const described = jobSources[job.source as string] as JobSource;
      const scratchBucket = job.job === "drill" ? design.sources.find((s) => s.name === job.source)?.jobs?.drill?.settings?.scratch?.bucket : undefined;
      if (job.job === "backup") {
        backupJobs[job.source as string] = new BackupJob(
          `${name}-${job.id}`,
          { ...common, source: described, ...(source?.engine === "s3" ? { sourceBucketArn: source.bucket.arn } : {}), ...(keys ? { secretKeyArns: keys } : {}) },
          parent,
        );
      } else {
        drillJobs[job.source as string] = new DrillJob(
          `${name}-${job.id}`,
          { ...common, source: described, ...(scratchBucket ? { scratchBucketArn: pulumi.interpolate`arn:${partition}:s3:::${scratchBucket}` } : {}), ...(keys ? { secretKeyArns: keys } : {}) },
          parent,
        );
      }
    }
    this.backupJobs = backupJobs;
    this.drillJobs = drillJobs;
    this.fargateJobs = fargateJobs;

    const databases: Record<string, DatabaseBackups> = {};
    for (const s of design.sources) {
      const source = sourceOf(s.name);
      if (s.drAutomatedBackupDays === undefined || source.engine !== "rds-instance") continue;
      databases[s.name] = new DatabaseBackups(
        `${name}-${s.name}-database`,
        { database: { rdsInstance: source.instance }, dr: { region: design.drRegion, retention: `${s.drAutomatedBackupDays}d` }, ...(primaryRegion !== undefined ? { primaryRegion } : {}), ...tags },
        parent,
      );
    }
    this.databases = databases;

    if (design.awsBackup) {
      const resources = design.awsBackup.sources.map((n) => {
        const s = sourceOf(n);
        return s.engine === "rds-instance" ? s.instance.arn : (s as AuroraPostgresSource).cluster.arn;
      });
      this.awsBackup = new AwsBackupPlan(
        `${name}-aws-backup`,
        {
          ...(args.awsBackup || {}),
          selection: { resources },
          dr: { region: design.awsBackup.drRegion },
          topic: this.alerts,
          retention: design.awsBackup.retention,
          maintenanceWindows: design.awsBackup.maintenanceWindows as pulumi.Input<string>[],
          ...(primaryRegion !== undefined ? { primaryRegion } : {}),
          ...tags,
        },
        parent,
      );
    }
    if (args.monitor) this.monitor = new ServiceMonitor(`${name}-monitor`, { ...args.monitor, topic: this.alerts, ...tags }, parent);

    const lambdaJobs = (id: string) => (id === "verify" ? this.verifyJob : id.endsWith("-backup") ? this.backupJobs[id.slice(0, -"-backup".length)] : this.drillJobs[id.slice(0, -"-drill".length)]);
    const watched: WatchedJob[] = design.alarms.lambdaJobs.flatMap(({ id, source }) => {
      const job = lambdaJobs(id);
      return job ? [{ id, functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.name, ...(source ? { source } : {}) }] : [];
    });
    const extraAlarms = estateExtraAlarms<pulumi.Input<string>>(design, (id) => (this.fargateJobs[id] as FargateJob).deadLetterQueue.name);
    this.alarms = new BackupAlarms(
      `${name}-alarms`,
      {
        topic: this.alerts,
        sources: design.alarms.sources,
        ...(design.alarms.verifyPeriodSeconds !== undefined ? { verifyPeriodSeconds: design.alarms.verifyPeriodSeconds } : {}),
        jobs: watched,
        replicatedVaults: [this.vault],
        awsBackupFailures: design.alarms.awsBackupFailures,
        ...(extraAlarms.length > 0 ? { extraAlarms } : {}),
      },
      parent,
    );

    this.jobConfigs = pulumi
      .all([pulumi.output(Object.values(jobSources)), this.vault.primary.bucketName, this.vault.primary.keyArn, this.vault.replica.bucketName, this.vault.replica.keyArn])
      .apply(([sources, bucket, kmsKeyArn, replicaBucket, replicaKeyArn]): Record<string, string> => {
        const configs = estateJobConfigs(design, sources, { bucket, kmsKeyArn, replicaBucket, replicaKeyArn });
        return Object.fromEntries(Object.entries(configs).map(([file, config]) => [file, JSON.stringify(config, null, 2)]));
      });

    this.posture = this.buildPosture(name, args, primaryRegion);
    this.runbook = pulumi.all([this.posture, this.jobConfigs]).apply(([posture, jobConfigs]) => renderRunbook(posture, { jobConfigs }));
    this.registerOutputs({ posture: this.posture });
  }

  /** One job of one source as a scheduled Fargate task, with the role statements its design needs. */
  private fargateJob(
    name: string,
    job: EstateJobDesign,
    described: JobSource,
    source: EstateSource,
    clusterArn: pulumi.Input<string>,
    partition: pulumi.Output<string>,
    args: DisasterRecoveryEstateArgs,
    tags: { tags?: DisasterRecoveryEstateArgs["tags"] },
  ): FargateJob {
    const design = this.design;
    const sourceName = job.source as string;
    const keys = secretKeyArns(source);
    const sourceBucketArn = source.engine === "s3" ? source.bucket.arn : undefined;
    const scratch = job.job === "drill" ? design.sources.find((s) => s.name === sourceName)?.jobs?.drill?.settings?.scratch : undefined;
    const taskStatements = pulumi
      .all([this.vault.primary.bucketArn, this.vault.primary.keyArn, secretArnsOf([described]), keys ?? pulumi.output([] as string[]), pulumi.output(sourceBucketArn ?? ""), partition])
      .apply(([bucketArn, keyArn, secretArns, secretKeyArns, bucketSourceArn, p]) =>
        fargateJobTaskStatements({
          job: job.job,
          source: sourceName,
          vault: { bucketArn, keyArn },
          secretArns,
          secretKeyArns,
          ...(bucketSourceArn && source.engine === "s3" ? { sourceBucket: { arn: bucketSourceArn, prefix: source.prefix ?? "" } } : {}),
          ...(scratch?.bucket ? { scratch: { bucketArn: `arn:${p}:s3:::${scratch.bucket}`, ...(scratch.prefix ? { prefix: scratch.prefix } : {}) } } : {}),
        }),
      );
    const config = pulumi
      .all([pulumi.output(described), this.vault.primary.bucketName, this.vault.primary.keyArn])
      .apply(([resolved, bucket, kmsKeyArn]) => JSON.stringify(fargateJobConfig(design, job.id, resolved, { bucket, kmsKeyArn })));
    return new FargateJob(
      `${name}-${job.id}-task`,
      {
        design: job.fargate as FargateJobDesign,
        imageUri: (args.jobs.code as { imageUri: pulumi.Input<string> }).imageUri,
        ...((args.jobs.code as { architecture?: JobImageArchitecture }).architecture !== undefined ? { architecture: (args.jobs.code as { architecture: JobImageArchitecture }).architecture } : {}),
        clusterArn,
        vpc: { subnetIds: (args.jobs.vpc as EstateJobsVpc).subnetIds, securityGroupIds: (args.jobs.vpc as EstateJobsVpc).securityGroupIds },
        config,
        taskStatements,
        keyArn: this.jobsKey.arn,
        topicArn: this.alerts.arn,
        ...tags,
      },
      { parent: this },
    );
  }

  private buildPosture(name: string, args: DisasterRecoveryEstateArgs, primaryRegion: string | undefined): pulumi.Output<EstatePosture> {
    const design = this.design;
    const alarms = pulumi.all(
      this.alarms.alarms.map((a) => a.alarm.name.apply((n): DeployedAlarm => ({ id: a.id, name: n, description: a.description, ...(a.source ? { source: a.source } : {}) }))),
    );
    const sourcesByName = new Map((args.sources ?? []).map((s) => [s.name, s]));
    const deployed = pulumi.all(
      design.sources.map((s): pulumi.Output<DeployedSourceIds> => {
        const source = sourcesByName.get(s.name) as EstateSource;
        switch (source.engine) {
          case "rds-instance": {
            const replication = this.databases[s.name]?.replicationArn ?? pulumi.output("");
            return pulumi
              .all([source.instance.identifier, pulumi.output(source.database), source.instance.backupRetentionPeriod, replication])
              .apply(([identifier, database, retentionDays, replicationArn]) => ({ name: s.name, identifier, database, retentionDays, ...(replicationArn ? { replicationArn } : {}) }));
          }
          case "aurora-cluster":
            return pulumi
              .all([source.cluster.clusterIdentifier, pulumi.output(source.database), source.cluster.backupRetentionPeriod])
              .apply(([identifier, database, retentionDays]) => ({ name: s.name, identifier, database, retentionDays }));
          case "elasticache":
            return pulumi.all([source.replicationGroup.replicationGroupId, source.replicationGroup.snapshotRetentionLimit]).apply(([identifier, retentionDays]) => ({ name: s.name, identifier, ...(retentionDays ? { retentionDays } : {}) }));
          case "s3":
            return pulumi.output(source.bucket.bucket).apply((identifier) => ({ name: s.name, identifier }));
          default:
            return pulumi.output({ name: s.name, identifier: "" });
        }
      }),
    );
    // Pulumi shows a job by its component's name.
    const jobNames: Record<string, string> = Object.fromEntries(design.jobs.filter((j) => j.job === "drill").map((j) => [j.id, j.fargate ? `${name}-${j.id}-task` : `${name}-${j.id}`]));
    const awsBackup = this.awsBackup
      ? pulumi.all([this.awsBackup.vaultName, this.awsBackup.drVaultName, this.awsBackup.roleArn]).apply(([vaultName, drVaultName, restoreRoleArn]) => ({ vaultName, drVaultName, restoreRoleArn, rules: this.awsBackup?.rules ?? [] }))
      : pulumi.output(undefined);
    const monitorAlarms = pulumi.all(
      (this.monitor?.alarms ?? []).map((a) => a.alarm.name.apply((n) => monitorPostureAlarm({ id: a.role, treatMissingData: a.treatMissingData, missingDataReason: a.missingDataReason }, n))),
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
        estateDesignPosture(design, {
          ...rest,
          jobNames: { ...jobNames, ...(verifyJob ? { verify: verifyJob } : {}) },
          ...(backupVaults ? { awsBackup: backupVaults } : {}),
          ...(args.records?.drills ? { drillRecords: args.records.drills } : {}),
        }),
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
