import { type RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import type * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type * as rds from "aws-cdk-lib/aws-rds";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  type BackupManifest,
  type CredentialsSource,
  type DeployedAlarm,
  type DeployedSourceIds,
  designEstate,
  estateDesignArgs,
  type DrillRecord,
  type EstateDesign,
  estateDesignPosture,
  estateExtraAlarms,
  estateJobConfigs,
  estateJobSource,
  type EstateJobDesign,
  fargateJobConfig,
  fargateJobTaskStatements,
  type EstatePlan,
  type EstatePosture,
  type EstateSourceDeclaration,
  type EstateSourceSettings,
  estateSourceSettings,
  type JobConfig,
  type JobNetworkRoutes,
  type ObjectivesArgs,
  type ObjectLockArgs,
  checkEstateMonitor,
  Problems,
  renderRunbook,
  type SourceEndpoint,
  type SourceJobsDesign,
  verificationFunctionSources,
} from "../core";
import { AlertTopic } from "./alert-topic";
import { AwsBackupPlan, type AwsBackupPlanProps } from "./aws-backup-plan";
import { BackupAlarms, type WatchedJob } from "./backup-alarms";
import { BackupJob, type JobSource } from "./backup-job";
import { DatabaseBackups } from "./database-backups";
import { DrillJob } from "./drill-job";
import { FargateJob } from "./fargate-job";
import { ReplicatedBackupVault } from "./replicated-backup-vault";
import { ServiceMonitor, type ServiceMonitorProps, serviceMonitorSettings } from "./service-monitor";
import type { JobCode, JobVpc } from "./scheduled-job";
import { VaultKey } from "./vault-key";
import { VerifyJob } from "./verify-job";

type EstateSourceCommon = EstateSourceSettings;

/** A PostgreSQL database on an RDS instance of this app. */
export interface RdsPostgresSource extends EstateSourceCommon {
  readonly kind: "postgres";
  readonly engine: "rds-instance";
  readonly instance: rds.DatabaseInstance;
  /** The database to dump. */
  readonly database: string;
  /** @default - the instance's generated secret (`instance.secret`) */
  readonly credentials?: CredentialsSource;
}

/** A PostgreSQL database on an Aurora cluster of this app. */
export interface AuroraPostgresSource extends EstateSourceCommon {
  readonly kind: "postgres";
  readonly engine: "aurora-cluster";
  readonly cluster: rds.DatabaseCluster;
  /** The database to dump. */
  readonly database: string;
  /** @default - the cluster's generated secret (`cluster.secret`) */
  readonly credentials?: CredentialsSource;
}

/** A PostgreSQL server Lifeboat reaches by host name. */
export interface SelfManagedPostgresSource extends EstateSourceCommon {
  readonly kind: "postgres";
  readonly engine: "self-managed";
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  readonly database: string;
  readonly credentials: CredentialsSource;
}

/** A Redis replication group on ElastiCache: protected by its own daily snapshots. */
export interface ElastiCacheRedisSource extends EstateSourceCommon {
  readonly kind: "redis";
  readonly engine: "elasticache";
  readonly replicationGroup: elasticache.CfnReplicationGroup;
}

/** A Redis server Lifeboat reaches by host name. */
export interface SelfManagedRedisSource extends EstateSourceCommon {
  readonly kind: "redis";
  readonly engine: "self-managed";
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default false */
  readonly tls?: boolean;
  /** @default - no AUTH */
  readonly credentials?: CredentialsSource;
}

/** An S3 bucket whose objects are copied into the vault incrementally. */
export interface BucketSource extends EstateSourceCommon {
  readonly kind: "objects";
  readonly engine: "s3";
  readonly bucket: s3.IBucket;
  /** @default "" (the whole bucket) */
  readonly prefix?: string;
}

export type EstateSource = RdsPostgresSource | AuroraPostgresSource | SelfManagedPostgresSource | ElastiCacheRedisSource | SelfManagedRedisSource | BucketSource;

/**
 * The network the estate's jobs run in: the VPC, subnets, security groups, and how the subnets
 * reach AWS. Jobs that connect to a database or cache run here; the others outside unless `everyJob`.
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

/** Properties of a {@link DisasterRecoveryEstate}. */
export interface DisasterRecoveryEstateProps {
  /** RPO, RTO, retention tiers and the DR region: everything else is derived from them. */
  readonly objectives: Omit<ObjectivesArgs, "primaryRegion">;
  /** What to protect. */
  readonly sources: readonly EstateSource[];
  /** Who receives alarms. */
  readonly alerts: { readonly emails?: readonly string[]; readonly httpsEndpoints?: readonly string[] };
  /**
   * How the jobs run: their code (the jobs image for PostgreSQL and Redis) and network; `fargate`
   * lets jobs too long for Lambda run as ECS Fargate tasks from the same image (it needs `vpc` and
   * `code.repository`; a cluster in `vpc` is created unless `cluster` is given).
   */
  readonly jobs: { readonly code: JobCode; readonly vpc?: EstateJobsVpc; readonly fargate?: { readonly cluster?: ecs.ICluster } };
  /**
   * Vault settings beyond retention (which comes from the objectives).
   * @default - no Object Lock, generated bucket names, retained on removal
   */
  readonly vault?: { readonly objectLock?: ObjectLockArgs; readonly bucketName?: string; readonly replicaBucketName?: string; readonly removalPolicy?: RemovalPolicy };
  /**
   * AWS Backup for the RDS and Aurora sources; settings here refine it; `false` turns it off. It
   * starts clear of the databases' maintenance windows (read from their props) and the hour before them.
   * @default - on when a source runs on RDS or Aurora
   */
  readonly awsBackup?: Omit<AwsBackupPlanProps, "selection" | "dr" | "topic" | "retention"> | false;
  /** Drill records and backup manifests read from the vault, for measured restore times and job placement. @default - none */
  readonly records?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] };
  /** Scheduled restore drills; `false` turns them off for every source. @default true */
  readonly drills?: boolean;
  /**
   * The production monitoring: a Route 53 health check, an optional load balancer 5xx-rate alarm and
   * database connection and storage alarms, all to the estate's topic (a {@link ServiceMonitor}).
   * @default - no service monitor
   */
  readonly monitor?: Omit<ServiceMonitorProps, "topic">;
}

/**
 * A whole backup and disaster-recovery estate from one declaration of objectives and sources: a
 * replicated vault (the replica in a DR-region stack created for you), an alert topic, a backup job
 * per source that needs one, a verification job, cross-region automated backups and AWS Backup for
 * RDS and Aurora, alarms, and the posture and runbook. Every decision comes from `designEstate` in
 * core; this construct renders it. The stack must name its account and region and set
 * `crossRegionReferences: true`.
 *
 * @example
 * const estate = new DisasterRecoveryEstate(stack, "Estate", {
 *   objectives: { rpo: "1h", rto: "4h", drRegion: "us-west-2" },
 *   sources: [{ name: "uploads", kind: "objects", engine: "s3", bucket: uploads }],
 *   alerts: { emails: ["oncall@example.com"] },
 *   jobs: { code: { repository, tag: "0.1.0" } },
 * });
 */
export class DisasterRecoveryEstate extends Construct {
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
  /** The cluster the Fargate jobs run in, when any job runs on Fargate. */
  readonly cluster?: ecs.ICluster;
  /** Per source with a logical backup: where its backup and drill run, and its drill plan. */
  readonly jobDesigns: readonly SourceJobsDesign[];
  readonly alarms: BackupAlarms;
  /** Cross-region automated backups of RDS instances, by source name. */
  readonly databases: Readonly<Record<string, DatabaseBackups>>;
  readonly awsBackup?: AwsBackupPlan;
  /** The service monitor, when `monitor` is given. */
  readonly monitor?: ServiceMonitor;
  /** The job configurations the `lifeboat` command line needs, for the primary vault and the replica (tokens until deployed). */
  readonly jobConfigs: Readonly<Record<string, JobConfig>>;
  private readonly props: DisasterRecoveryEstateProps;

  constructor(scope: Construct, id: string, props: DisasterRecoveryEstateProps) {
    const primaryRegion = Stack.of(scope).region;
    const found = new Problems();
    (props.sources ?? []).forEach((s, i) => {
      if ((s.engine === "rds-instance" || s.engine === "aurora-cluster") && s.credentials === undefined && !secretOf(s)) {
        const make = s.engine === "rds-instance" ? "the instance" : "the cluster";
        found.add(`sources[${i}].credentials`, undefined, `is required: ${make} has no generated secret. Create it with credentials: rds.Credentials.fromGeneratedSecret(...), or pass { secretArn }.`);
      }
    });
    if (props.monitor) {
      const region = Stack.of(scope).region;
      checkEstateMonitor(serviceMonitorSettings({ ...props.monitor, topic: undefined as never }), Token.isUnresolved(region) ? undefined : region, found);
    }
    const vpc = props.jobs?.vpc;
    const design = designEstate(
      estateDesignArgs({
        estate: id,
        scope: `${Stack.of(scope).stackName}-${id}`,
        ...(Token.isUnresolved(primaryRegion) ? {} : { primaryRegion }),
        declared: { ...props, sources: (props.sources ?? []).map(declarationOf) },
        image: { given: Boolean(props.jobs?.code && "repository" in props.jobs.code), argument: "jobs.code.repository" },
        problems: found.all,
      }),
    );
    super(scope, id);
    this.design = design;
    this.plan = design.plan;
    this.jobDesigns = design.jobDesigns;
    this.props = props;
    const sourcesByName = new Map((props.sources ?? []).map((s) => [s.name, s]));
    const sourceOf = (name: string) => sourcesByName.get(name) as EstateSource;

    this.vault = new ReplicatedBackupVault(this, "Vault", {
      ...(props.objectives.retention ? { retention: props.objectives.retention } : {}),
      ...(props.vault?.objectLock ? { objectLock: props.vault.objectLock } : {}),
      ...(props.vault?.bucketName !== undefined ? { bucketName: props.vault.bucketName } : {}),
      ...(props.vault?.removalPolicy !== undefined ? { removalPolicy: props.vault.removalPolicy } : {}),
      replica: { region: design.drRegion, ...(props.vault?.replicaBucketName !== undefined ? { bucketName: props.vault.replicaBucketName } : {}) },
    });
    this.alerts = new AlertTopic(this, "Alerts", { ...(props.alerts?.emails ? { emails: props.alerts.emails } : {}), ...(props.alerts?.httpsEndpoints ? { httpsEndpoints: props.alerts.httpsEndpoints } : {}) });
    this.jobsKey = new VaultKey(this, "JobsKey", { description: design.jobsKey.description });

    const jobSources: Record<string, JobSource> = {};
    for (const s of design.sources) {
      const endpoint = endpointOf(sourceOf(s.name));
      if (s.jobs && endpoint) jobSources[s.name] = estateJobSource(design, s.name, endpoint) as JobSource;
    }
    const jobVpc = (inVpc: boolean) => (inVpc && vpc ? { vpc: { vpc: vpc.vpc, securityGroups: vpc.securityGroups, ...(vpc.subnets ? { subnets: vpc.subnets } : {}) } } : {});

    const backupJobs: Record<string, BackupJob> = {};
    const drillJobs: Record<string, DrillJob> = {};
    const onFargate: EstateJobDesign[] = [];
    for (const job of design.jobs) {
      if (job.fargate) {
        onFargate.push(job);
        continue;
      }
      const common = { vault: this.vault.primary, schedule: job.schedule.expression, code: props.jobs.code, key: this.jobsKey, ...jobVpc(job.inVpc) };
      if (job.job === "verify") {
        const keys = (props.sources ?? []).flatMap(secretKeyArns);
        this.verifyJob = new VerifyJob(this, "verify", {
          ...common,
          sources: verificationFunctionSources(design, jobSources),
          replica: { bucketName: this.vault.replicaBucketName, bucketArn: this.vault.replicaBucketArn, keyArn: this.vault.replica.keyArn, region: design.drRegion },
          ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
        });
        continue;
      }
      const source = sourceOf(job.source as string);
      const keys = secretKeyArns(source);
      const described = jobSources[job.source as string] as JobSource;
      if (job.job === "backup") {
        backupJobs[source.name] = new BackupJob(this, job.id, {
          ...common,
          source: described,
          ...(source.engine === "s3" ? { sourceBucketArn: source.bucket.bucketArn } : {}),
          ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
        });
      } else {
        const scratchBucket = design.sources.find((s) => s.name === source.name)?.jobs?.drill?.settings?.scratch?.bucket;
        drillJobs[source.name] = new DrillJob(this, job.id, {
          ...common,
          source: described,
          ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
          ...(scratchBucket ? { scratchBucketArn: `arn:${Stack.of(this).partition}:s3:::${scratchBucket}` } : {}),
        });
      }
    }
    this.backupJobs = backupJobs;
    this.drillJobs = drillJobs;
    if (onFargate.length > 0) this.cluster = props.jobs.fargate?.cluster ?? new ecs.Cluster(this, "Jobs", { vpc: (vpc as EstateJobsVpc).vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.fargateJobs = this.cluster ? this.fargateTasks(this.cluster, onFargate, jobSources) : {};

    const databases: Record<string, DatabaseBackups> = {};
    for (const s of design.sources) {
      const source = sourceOf(s.name);
      if (s.drAutomatedBackupDays === undefined || source.engine !== "rds-instance") continue;
      databases[s.name] = new DatabaseBackups(this, `${s.name}-database`, { rdsInstance: source.instance, dr: { region: design.drRegion, retention: `${s.drAutomatedBackupDays}d` } });
    }
    this.databases = databases;

    if (design.awsBackup) {
      const resources = design.awsBackup.sources.map((n) => {
        const s = sourceOf(n);
        return s.engine === "rds-instance" ? s.instance.instanceArn : (s as AuroraPostgresSource).cluster.clusterArn;
      });
      this.awsBackup = new AwsBackupPlan(this, "AwsBackup", {
        ...(props.awsBackup || {}),
        selection: { resources },
        dr: { region: design.awsBackup.drRegion },
        topic: this.alerts,
        retention: design.awsBackup.retention,
        maintenanceWindows: design.awsBackup.maintenanceWindows as readonly string[],
      });
    }

    if (props.monitor) this.monitor = new ServiceMonitor(this, "Monitor", { ...props.monitor, topic: this.alerts });

    const lambdaJob = (jobId: string) => (jobId === "verify" ? this.verifyJob : jobId.endsWith("-backup") ? this.backupJobs[jobId.slice(0, -"-backup".length)] : this.drillJobs[jobId.slice(0, -"-drill".length)]);
    const watched: WatchedJob[] = design.alarms.lambdaJobs.flatMap(({ id: jobId, source }) => {
      const job = lambdaJob(jobId);
      return job ? [{ id: jobId, functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.queueName, ...(source ? { source } : {}) }] : [];
    });
    const extraAlarms = estateExtraAlarms<string>(design, (jobId) => (this.fargateJobs[jobId] as FargateJob).deadLetterQueue.queueName);
    this.alarms = new BackupAlarms(this, "Alarms", {
      topic: this.alerts,
      sources: design.alarms.sources,
      ...(design.alarms.verifyPeriodSeconds !== undefined ? { verifyPeriodSeconds: design.alarms.verifyPeriodSeconds } : {}),
      jobs: watched,
      replicatedVaults: [this.vault],
      awsBackupFailures: design.alarms.awsBackupFailures,
      ...(extraAlarms.length > 0 ? { extraAlarms } : {}),
    });

    this.jobConfigs = estateJobConfigs(design, Object.values(jobSources), {
      bucket: this.vault.primary.bucketName,
      kmsKeyArn: this.vault.primary.keyArn,
      replicaBucket: this.vault.replicaBucketName,
      replicaKeyArn: this.vault.replica.keyArn,
      region: Stack.of(this).region,
    });
  }

  /** The jobs that run as Fargate tasks in `cluster`, each with core's design and its Lambda twin's data permissions. */
  private fargateTasks(cluster: ecs.ICluster, jobs: readonly EstateJobDesign[], jobSources: Readonly<Record<string, JobSource>>): Record<string, FargateJob> {
    const tasks: Record<string, FargateJob> = {};
    const props = this.props;
    const vpc = props.jobs.vpc as EstateJobsVpc;
    const stack = Stack.of(this);
    for (const job of jobs) {
      const sourceName = job.source as string;
      const described = jobSources[sourceName] as JobSource;
      const source = (props.sources ?? []).find((s) => s.name === sourceName) as EstateSource;
      const secretArns = "credentials" in described && described.credentials && "secretArn" in described.credentials ? [described.credentials.secretArn] : [];
      const scratch = job.job === "drill" ? this.design.sources.find((s) => s.name === sourceName)?.jobs?.drill?.settings?.scratch : undefined;
      tasks[job.id] = new FargateJob(this, `${job.id}-task`, {
        design: job.fargate as NonNullable<EstateJobDesign["fargate"]>,
        code: props.jobs.code,
        cluster,
        vpc: { vpc: vpc.vpc, securityGroups: vpc.securityGroups, ...(vpc.subnets ? { subnets: vpc.subnets } : {}) },
        config: fargateJobConfig(this.design, job.id, described, { bucket: this.vault.primary.bucketName, kmsKeyArn: this.vault.primary.keyArn }),
        taskStatements: fargateJobTaskStatements({
          job: job.job,
          source: sourceName,
          vault: { bucketArn: this.vault.primary.bucketArn, keyArn: this.vault.primary.keyArn },
          secretArns,
          secretKeyArns: secretKeyArns(source),
          ...(job.job === "backup" && source.engine === "s3" ? { sourceBucket: { arn: source.bucket.bucketArn, prefix: source.prefix ?? "" } } : {}),
          ...(scratch?.bucket ? { scratch: { bucketArn: `arn:${stack.partition}:s3:::${scratch.bucket}`, ...(scratch.prefix ? { prefix: scratch.prefix } : {}) } } : {}),
        }),
        key: this.jobsKey,
        topic: this.alerts,
      });
    }
    return tasks;
  }

  /**
   * The estate's posture, with deployed names read through `resolve`: pass a function that turns a
   * token into what the reader should see (the synthesized template's logical reference, or the
   * deployed value from the stack's outputs).
   * @param resolve - how to show a token
   */
  posture(resolve: (value: string) => string = (v) => showToken(this, v)): EstatePosture {
    const design = this.design;
    const sourcesByName = new Map((this.props.sources ?? []).map((s) => [s.name, s]));
    const sources = design.sources.map((s): DeployedSourceIds => {
      const source = sourcesByName.get(s.name) as EstateSource;
      switch (source.engine) {
        case "rds-instance": {
          const cfn = source.instance.node.defaultChild as rds.CfnDBInstance;
          const replicationArn = this.databases[s.name]?.replicationArn;
          const retention = cfn.backupRetentionPeriod;
          return {
            name: s.name,
            identifier: resolve(source.instance.instanceIdentifier),
            database: source.database,
            ...(typeof retention === "number" ? { retentionDays: retention } : {}),
            ...(replicationArn ? { replicationArn } : {}),
          };
        }
        case "aurora-cluster": {
          const retention = (source.cluster.node.defaultChild as rds.CfnDBCluster).backupRetentionPeriod;
          return { name: s.name, identifier: resolve(source.cluster.clusterIdentifier), database: source.database, ...(typeof retention === "number" ? { retentionDays: retention } : {}) };
        }
        case "elasticache": {
          const retention = source.replicationGroup.snapshotRetentionLimit;
          return { name: s.name, identifier: resolve(source.replicationGroup.ref), ...(typeof retention === "number" && retention > 0 ? { retentionDays: retention } : {}) };
        }
        case "s3":
          return { name: s.name, identifier: resolve(source.bucket.bucketName) };
        default:
          return { name: s.name, identifier: source.host };
      }
    });
    const jobNames: Record<string, string> = {
      ...Object.fromEntries(Object.entries(this.fargateJobs).map(([jobId, task]) => [jobId, task.design.family])),
      ...Object.fromEntries(Object.entries(this.drillJobs).map(([source, job]) => [`${source}-drill`, resolve(job.functionName)])),
      ...(this.verifyJob ? { verify: resolve(this.verifyJob.functionName) } : {}),
    };
    const alarms: DeployedAlarm[] = this.alarms.alarms.map((a) => ({ id: a.id, name: resolve(a.alarm.ref), description: a.description, ...(a.source ? { source: a.source } : {}) }));
    return estateDesignPosture(design, {
      primaryRegion: Stack.of(this).region,
      vaultBucket: resolve(this.vault.primary.bucketName),
      replicaBucket: resolve(this.vault.replicaBucketName),
      topicArn: resolve(this.alerts.topicArn),
      emails: [...(this.props.alerts?.emails ?? [])],
      httpsEndpoints: [...(this.props.alerts?.httpsEndpoints ?? [])],
      sources,
      alarms,
      ...(this.monitor ? { monitorAlarms: this.monitor.postureAlarms(resolve) } : {}),
      jobNames,
      ...(this.awsBackup
        ? { awsBackup: { vaultName: resolve(this.awsBackup.vaultName), drVaultName: resolve(this.awsBackup.drVaultName), restoreRoleArn: resolve(this.awsBackup.roleArn), rules: this.awsBackup.rules } }
        : {}),
      ...(this.props.records?.drills ? { drillRecords: this.props.records.drills } : {}),
    });
  }

  /** The posture as a Markdown runbook, with the job configurations. */
  runbook(resolve?: (value: string) => string): string {
    const show = resolve ?? ((v: string) => showToken(this, v));
    const jobConfigs = Object.fromEntries(Object.entries(this.jobConfigs).map(([file, config]) => [file, JSON.stringify(resolveDeep(config, show), null, 2)]));
    return renderRunbook(this.posture(show), { jobConfigs });
  }
}

/** The generated secret of an RDS instance or Aurora cluster, when it has one. */
function secretOf(source: RdsPostgresSource | AuroraPostgresSource) {
  return source.engine === "rds-instance" ? source.instance.secret : source.cluster.secret;
}

/** How a source is reached, for the job configuration. */
function endpointOf(source: EstateSource): SourceEndpoint<string> | undefined {
  switch (source.engine) {
    case "rds-instance":
      return { host: source.instance.dbInstanceEndpointAddress, port: Token.asNumber(source.instance.dbInstanceEndpointPort), database: source.database, credentials: (source.credentials ?? { secretArn: secretOf(source)?.secretArn }) as never };
    case "aurora-cluster":
      return { host: source.cluster.clusterEndpoint.hostname, port: source.cluster.clusterEndpoint.port, database: source.database, credentials: (source.credentials ?? { secretArn: secretOf(source)?.secretArn }) as never };
    case "self-managed":
      return source.kind === "postgres"
        ? { host: source.host, ...(source.port !== undefined ? { port: source.port } : {}), database: source.database, credentials: source.credentials as never }
        : { host: source.host, ...(source.port !== undefined ? { port: source.port } : {}), ...(source.tls !== undefined ? { tls: source.tls } : {}), ...(source.credentials ? { credentials: source.credentials as never } : {}) };
    case "s3":
      return { bucket: source.bucket.bucketName, ...(source.prefix !== undefined ? { prefix: source.prefix } : {}) };
    case "elasticache":
      return undefined;
  }
}

/** The source as the design sees it: no constructs, only what decisions need. */
function declarationOf(source: EstateSource): EstateSourceDeclaration {
  const credentials = "credentials" in source ? source.credentials : undefined;
  const managed = source.engine === "rds-instance" || source.engine === "aurora-cluster";
  const maintenanceWindow =
    source.engine === "rds-instance"
      ? (source.instance.node.defaultChild as rds.CfnDBInstance).preferredMaintenanceWindow
      : source.engine === "aurora-cluster"
        ? (source.cluster.node.defaultChild as rds.CfnDBCluster).preferredMaintenanceWindow
        : undefined;
  return {
    ...estateSourceSettings(source),
    kind: source.kind,
    engine: source.engine,
    readsSecret: (managed || credentials !== undefined) && !(credentials !== undefined && "env" in credentials),
    ...(maintenanceWindow !== undefined ? { maintenanceWindow } : {}),
  };
}

/** Customer keys that encrypt a source's generated secret, which its jobs must be able to use. */
function secretKeyArns(source: EstateSource): string[] {
  if ((source.engine === "rds-instance" || source.engine === "aurora-cluster") && source.credentials === undefined) {
    const key = secretOf(source)?.encryptionKey;
    return key ? [key.keyArn] : [];
  }
  return [];
}

/** A token shown as the CloudFormation it stands for (`<Ref Vault1234>`, `<GetAtt Key.Arn>`), a plain string as itself. */
export function showToken(scope: Construct, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  const resolved = Stack.of(scope).resolve(value) as unknown;
  return describeCfn(resolved);
}

function describeCfn(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(describeCfn).join("");
  if (value && typeof value === "object") {
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (fn === "Ref") return `<${String(arg)}>`;
    if (fn === "Fn::GetAtt") return `<${(arg as string[])[0]}.${(arg as string[]).slice(1).join(".")}>`;
    if (fn === "Fn::Join") {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map(describeCfn).join(separator);
    }
  }
  return "<deploy-time value>";
}

function resolveDeep(value: unknown, show: (v: string) => string): unknown {
  if (typeof value === "string") return show(value);
  if (typeof value === "number") return Token.isUnresolved(value) ? show(Token.asString(value)) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, show));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, show)]));
  return value;
}
