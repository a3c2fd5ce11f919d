import { type RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import type * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as rds from "aws-cdk-lib/aws-rds";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  type BackupManifest,
  checkEstateFargate,
  deadLetterAlarmSpec,
  fargateJobDesign,
  fargateJobTaskStatements,
  describeDrillEvery,
  designEstateJobs,
  jobPlacementsOf,
  type DrillRecord,
  type DrillSettings,
  type JobRuntime,
  type SourceJobsDesign,
  type CredentialsSource,
  type DeployedAlarm,
  type DeployedSource,
  type EstatePlan,
  type EstatePosture,
  estatePosture,
  type JobConfig,
  type ObjectivesArgs,
  type ObjectLockArgs,
  planEstate,
  Problems,
  renderRunbook,
  type SourceObjectives,
  type SourcePlan,
} from "../core";
import { AlertTopic } from "./alert-topic";
import { AwsBackupPlan, type AwsBackupPlanProps } from "./aws-backup-plan";
import { BackupAlarms, type WatchedJob } from "./backup-alarms";
import { BackupJob, type JobSource } from "./backup-job";
import { DatabaseBackups } from "./database-backups";
import { DrillJob } from "./drill-job";
import { FargateJob } from "./fargate-job";
import { ReplicatedBackupVault } from "./replicated-backup-vault";
import type { JobCode, JobVpc } from "./scheduled-job";
import { VaultKey } from "./vault-key";
import { VerifyJob } from "./verify-job";

interface EstateSourceCommon {
  /** The source's name: its prefix in the vault, its metric dimension, part of construct ids. */
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
  /** Run this source's jobs on Lambda or Fargate whatever their expected duration (Fargate needs `jobs.fargate`). @default - chosen per job from the expected duration */
  readonly runtime?: JobRuntime;
}

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

/** An S3 bucket whose objects are copied into the vault incrementally. */
export interface BucketSource extends EstateSourceCommon {
  readonly kind: "objects";
  readonly engine: "s3";
  readonly bucket: s3.IBucket;
  /** @default "" (the whole bucket) */
  readonly prefix?: string;
}

export type EstateSource = RdsPostgresSource | SelfManagedPostgresSource | ElastiCacheRedisSource | BucketSource;

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
  readonly jobs: { readonly code: JobCode; readonly vpc?: JobVpc; readonly fargate?: { readonly cluster?: ecs.ICluster } };
  /**
   * Vault settings beyond retention (which comes from the objectives).
   * @default - no Object Lock, generated bucket names, retained on removal
   */
  readonly vault?: { readonly objectLock?: ObjectLockArgs; readonly bucketName?: string; readonly replicaBucketName?: string; readonly removalPolicy?: RemovalPolicy };
  /**
   * AWS Backup for the RDS sources; settings here refine it; `false` turns it off.
   * @default - on when a source runs on RDS
   */
  readonly awsBackup?: Omit<AwsBackupPlanProps, "selection" | "dr" | "topic" | "retention"> | false;
  /** Drill records and backup manifests read from the vault, for measured restore times and job placement. @default - none */
  readonly records?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] };
  /** Scheduled restore drills; `false` turns them off for every source. @default true */
  readonly drills?: boolean;
}

/**
 * A whole backup and disaster-recovery estate from one declaration of objectives and sources: a
 * replicated vault (the replica in a DR-region stack created for you), an alert topic, a backup job
 * per source that needs one, a verification job, cross-region automated backups and AWS Backup for
 * RDS, alarms, and the posture and runbook. The stack must name its account and region and set
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
  /** The cluster the Fargate jobs run in, when any job runs on Fargate. */
  readonly cluster?: ecs.ICluster;
  /** Per source with a logical backup: where its backup and drill run, and its drill plan. */
  readonly jobDesigns: readonly SourceJobsDesign[];
  readonly alarms: BackupAlarms;
  /** Cross-region automated backups of RDS instances, by source name. */
  readonly databases: Readonly<Record<string, DatabaseBackups>>;
  readonly awsBackup?: AwsBackupPlan;
  /** The job configurations the `lifeboat` command line needs, for the primary vault and the replica (tokens until deployed). */
  readonly jobConfigs: Readonly<Record<string, JobConfig>>;
  private readonly props: DisasterRecoveryEstateProps;

  constructor(scope: Construct, id: string, props: DisasterRecoveryEstateProps) {
    const subject = `DisasterRecoveryEstate "${id}"`;
    const primaryRegion = Stack.of(scope).region;
    const plan = planEstate(
      { ...props.objectives, ...(Token.isUnresolved(primaryRegion) ? {} : { primaryRegion }) },
      (props.sources ?? []).map((s) => ({
        name: s.name,
        kind: s.kind,
        engine: s.engine,
        ...(s.rpo !== undefined ? { rpo: s.rpo } : {}),
        ...(s.rto !== undefined ? { rto: s.rto } : {}),
        ...(s.sizeGiB !== undefined ? { sizeGiB: s.sizeGiB } : {}),
        ...(s.restoreAfter !== undefined ? { restoreAfter: s.restoreAfter } : {}),
        ...(s.logicalInterval !== undefined ? { logicalInterval: s.logicalInterval } : {}),
      })),
      subject,
    );
    const problems = new Problems();
    (props.sources ?? []).forEach((s, i) => {
      if (s.engine === "rds-instance" && s.credentials === undefined && !s.instance.secret) {
        problems.add(`sources[${i}].credentials`, undefined, "is required: the instance has no generated secret. Create it with credentials: rds.Credentials.fromGeneratedSecret(...), or pass { secretArn }.");
      }
    });
    checkEstateFargate(props.jobs?.fargate, { vpc: props.jobs?.vpc !== undefined, image: !!props.jobs?.code && "repository" in props.jobs.code, imageArgument: "jobs.code.repository" }, problems);
    const jobDesigns = designEstateJobs(
      plan,
      (props.sources ?? []).map((s) => ({ name: s.name, ...(s.drill !== undefined ? { drill: s.drill } : {}), ...(s.runtime !== undefined ? { runtime: s.runtime } : {}) })),
      { fargate: props.jobs?.fargate !== undefined, drills: props.drills !== false, ...(props.records ? { records: props.records } : {}) },
      problems,
    );
    problems.throwIfAny(subject);
    super(scope, id);
    this.plan = plan;
    this.jobDesigns = jobDesigns;
    this.props = props;

    this.vault = new ReplicatedBackupVault(this, "Vault", {
      ...(props.objectives.retention ? { retention: props.objectives.retention } : {}),
      ...(props.vault?.objectLock ? { objectLock: props.vault.objectLock } : {}),
      ...(props.vault?.bucketName !== undefined ? { bucketName: props.vault.bucketName } : {}),
      ...(props.vault?.removalPolicy !== undefined ? { removalPolicy: props.vault.removalPolicy } : {}),
      replica: { region: plan.drRegion, ...(props.vault?.replicaBucketName !== undefined ? { bucketName: props.vault.replicaBucketName } : {}) },
    });
    this.alerts = new AlertTopic(this, "Alerts", { ...(props.alerts?.emails ? { emails: props.alerts.emails } : {}), ...(props.alerts?.httpsEndpoints ? { httpsEndpoints: props.alerts.httpsEndpoints } : {}) });
    this.jobsKey = new VaultKey(this, "JobsKey", { description: `Lifeboat estate ${id}: job environments and failed-run queues` });

    const sourcesByName = new Map((props.sources ?? []).map((s) => [s.name, s]));
    const jobSources: JobSource[] = [];
    const backupJobs: Record<string, BackupJob> = {};
    const onFargate: { readonly source: JobSource; readonly plan: SourcePlan; readonly job: "backup" | "drill" }[] = [];
    for (const sourcePlan of plan.sources) {
      const source = sourcesByName.get(sourcePlan.name) as EstateSource;
      const described = jobSource(source, sourcePlan);
      if (!described || !sourcePlan.logical) continue;
      const design = jobDesigns.find((d) => d.source === sourcePlan.name);
      const withDrill = design?.drill?.settings ? ({ ...described, drill: design.drill.settings } as JobSource) : described;
      jobSources.push(withDrill);
      if (design?.backup.runtime === "fargate") {
        onFargate.push({ source: withDrill, plan: sourcePlan, job: "backup" });
        continue;
      }
      const keys = secretKeyArns(source);
      backupJobs[sourcePlan.name] = new BackupJob(this, `${sourcePlan.name}-backup`, {
        source: described,
        vault: this.vault.primary,
        schedule: sourcePlan.logical.expression,
        code: props.jobs.code,
        key: this.jobsKey,
        ...(props.jobs.vpc ? { vpc: props.jobs.vpc } : {}),
        ...(source.engine === "s3" ? { sourceBucketArn: source.bucket.bucketArn } : {}),
        ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
      });
    }
    this.backupJobs = backupJobs;

    if (plan.verify && jobSources.length > 0) {
      const keys = (props.sources ?? []).flatMap(secretKeyArns);
      this.verifyJob = new VerifyJob(this, "verify", {
        sources: jobSources,
        vault: this.vault.primary,
        replica: { bucketName: this.vault.replicaBucketName, bucketArn: this.vault.replicaBucketArn, keyArn: this.vault.replica.keyArn, region: plan.drRegion },
        schedule: plan.verify.expression,
        code: props.jobs.code,
        key: this.jobsKey,
        ...(props.jobs.vpc ? { vpc: props.jobs.vpc } : {}),
        ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
      });
    }

    const drillJobs: Record<string, DrillJob> = {};
    for (const design of jobDesigns) {
      if (!design.drill) continue;
      const source = sourcesByName.get(design.source) as EstateSource;
      if (design.drill.placement.runtime === "fargate") {
        onFargate.push({ source: jobSources.find((j) => j.name === design.source) as JobSource, plan: plan.sources.find((p) => p.name === design.source) as SourcePlan, job: "drill" });
        continue;
      }
      const keys = secretKeyArns(source);
      const scratchBucket = design.drill.settings?.scratch?.bucket;
      drillJobs[design.source] = new DrillJob(this, `${design.source}-drill`, {
        source: jobSources.find((j) => j.name === design.source) as JobSource,
        vault: this.vault.primary,
        schedule: design.drill.plan.schedule.expression,
        code: props.jobs.code,
        key: this.jobsKey,
        ...(props.jobs.vpc ? { vpc: props.jobs.vpc } : {}),
        ...(keys.length > 0 ? { secretKeyArns: keys } : {}),
        ...(scratchBucket ? { scratchBucketArn: `arn:${Stack.of(this).partition}:s3:::${scratchBucket}` } : {}),
      });
    }
    this.drillJobs = drillJobs;
    if (onFargate.length > 0) {
      const vpc = props.jobs.vpc as JobVpc;
      this.cluster = props.jobs.fargate?.cluster ?? new ecs.Cluster(this, "Jobs", { vpc: vpc.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    }
    this.fargateJobs = this.cluster ? this.fargateTasks(id, this.cluster, onFargate) : {};

    const databases: Record<string, DatabaseBackups> = {};
    for (const sourcePlan of plan.sources) {
      const source = sourcesByName.get(sourcePlan.name) as EstateSource;
      if (source.engine !== "rds-instance") continue;
      databases[source.name] = new DatabaseBackups(this, `${source.name}-database`, { rdsInstance: source.instance, dr: { region: plan.drRegion, retention: `${sourcePlan.nativeRetentionDays}d` } });
    }
    this.databases = databases;

    const protectedByAwsBackup = (props.sources ?? []).flatMap((s) => (s.engine === "rds-instance" ? [s.instance.instanceArn] : []));
    if (props.awsBackup !== false && protectedByAwsBackup.length > 0) {
      const tiers = plan.retention.tiers;
      this.awsBackup = new AwsBackupPlan(this, "AwsBackup", {
        ...(props.awsBackup ?? {}),
        selection: { resources: protectedByAwsBackup },
        dr: { region: plan.drRegion },
        topic: this.alerts,
        retention: { daily: `${tiers.daily}d`, weekly: `${tiers.weekly}d`, monthly: `${tiers.monthly}d` },
      });
    }

    const watched: WatchedJob[] = Object.entries(this.backupJobs).map(([source, job]) => ({ id: `${source}-backup`, functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.queueName, source }));
    if (this.verifyJob) watched.push({ id: "verify", functionName: this.verifyJob.functionName, deadLetterQueueName: this.verifyJob.deadLetterQueue.queueName });
    for (const [source, job] of Object.entries(this.drillJobs)) watched.push({ id: `${source}-drill`, functionName: job.functionName, deadLetterQueueName: job.deadLetterQueue.queueName, source });
    const drillAlarms = [
      ...jobDesigns.flatMap((d) => d.drill?.plan.alarms ?? []),
      ...Object.entries(this.fargateJobs).map(([job, task]) => deadLetterAlarmSpec(`${job}-task`, task.deadLetterQueue.queueName, job.replace(/-(backup|drill)$/, ""))),
    ];
    this.alarms = new BackupAlarms(this, "Alarms", {
      topic: this.alerts,
      sources: plan.sources.flatMap((s) => (s.freshness ? [{ name: s.name, freshness: s.freshness }] : [])),
      ...(plan.verify ? { verifyPeriodSeconds: plan.verify.intervalMinutes * 60 } : {}),
      jobs: watched,
      replicatedVaults: [this.vault],
      awsBackupFailures: this.awsBackup !== undefined,
      ...(drillAlarms.length > 0 ? { extraAlarms: drillAlarms } : {}),
    });

    const region = Stack.of(this).region;
    this.jobConfigs = {
      "lifeboat.json": { vault: { bucket: this.vault.primary.bucketName, kmsKeyArn: this.vault.primary.keyArn, region, replica: { bucket: this.vault.replicaBucketName, region: plan.drRegion } }, sources: jobSources as JobConfig["sources"] },
      "lifeboat-dr.json": { vault: { bucket: this.vault.replicaBucketName, kmsKeyArn: this.vault.replica.keyArn, region: plan.drRegion }, sources: jobSources as JobConfig["sources"] },
    };
  }

  /** The jobs that run as Fargate tasks in `cluster`, each with core's design and its Lambda twin's data permissions. */
  private fargateTasks(id: string, cluster: ecs.ICluster, jobs: readonly { readonly source: JobSource; readonly plan: SourcePlan; readonly job: "backup" | "drill" }[]): Record<string, FargateJob> {
    const tasks: Record<string, FargateJob> = {};
    const props = this.props;
    const vpc = props.jobs.vpc as JobVpc;
    const stack = Stack.of(this);
    for (const f of jobs) {
      const design = this.jobDesigns.find((d) => d.source === f.plan.name) as SourceJobsDesign;
      const schedule = f.job === "drill" ? design.drill!.plan.schedule : f.plan.logical!;
      const source = (props.sources ?? []).find((s) => s.name === f.plan.name) as EstateSource;
      const secretArns = "credentials" in f.source && f.source.credentials && "secretArn" in f.source.credentials ? [f.source.credentials.secretArn] : [];
      const scratch = f.job === "drill" ? design.drill?.settings?.scratch : undefined;
      tasks[`${f.plan.name}-${f.job}`] = new FargateJob(this, `${f.plan.name}-${f.job}-task`, {
        design: fargateJobDesign({ estate: `${stack.stackName}-${id}`, job: f.job, source: f.plan.name, sizeGiB: f.plan.sizeGiB, schedule }),
        code: props.jobs.code,
        cluster,
        vpc,
        config: { vault: { bucket: this.vault.primary.bucketName, kmsKeyArn: this.vault.primary.keyArn, region: stack.region }, sources: [{ ...f.source, ...(f.job === "backup" ? { intervalMinutes: schedule.intervalMinutes } : {}) } as JobConfig["sources"][number]] },
        taskStatements: fargateJobTaskStatements({
          job: f.job,
          source: f.plan.name,
          vault: { bucketArn: this.vault.primary.bucketArn, keyArn: this.vault.primary.keyArn },
          secretArns,
          secretKeyArns: secretKeyArns(source),
          ...(f.job === "backup" && source.engine === "s3" ? { sourceBucket: { arn: source.bucket.bucketArn, prefix: source.prefix ?? "" } } : {}),
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
    const plan = this.plan;
    const sourcesByName = new Map((this.props.sources ?? []).map((s) => [s.name, s]));
    const sources = plan.sources.map((s): DeployedSource => {
      const source = sourcesByName.get(s.name) as EstateSource;
      const design = this.jobDesigns.find((d) => d.source === s.name);
      const base = {
        name: s.name,
        engine: source.engine,
        ...(design
          ? {
              jobs: jobPlacementsOf(design),
              ...(design.notes.length > 0 ? { jobNotes: design.notes } : {}),
              ...(design.drill
                ? { drill: { every: describeDrillEvery(design.drill.plan), job: this.drillJobs[s.name] ? resolve(this.drillJobs[s.name]!.functionName) : (this.fargateJobs[`${s.name}-drill`]?.design.family ?? "") } }
                : {}),
            }
          : {}),
      };
      switch (source.engine) {
        case "rds-instance": {
          const cfn = source.instance.node.defaultChild as rds.CfnDBInstance;
          const replicationArn = this.databases[s.name]?.replicationArn;
          const retention = cfn.backupRetentionPeriod;
          return {
            ...base,
            identifier: resolve(source.instance.instanceIdentifier),
            database: source.database,
            ...(typeof retention === "number" ? { retentionDays: retention } : {}),
            ...(replicationArn ? { replicationArn } : {}),
          };
        }
        case "elasticache": {
          const retention = source.replicationGroup.snapshotRetentionLimit;
          return { ...base, identifier: resolve(source.replicationGroup.ref), ...(typeof retention === "number" && retention > 0 ? { retentionDays: retention } : {}) };
        }
        case "s3":
          return { ...base, identifier: resolve(source.bucket.bucketName) };
        default:
          return { ...base, identifier: source.host };
      }
    });
    const alarms: DeployedAlarm[] = this.alarms.alarms.map((a) => ({ id: a.id, name: resolve(a.alarm.ref), description: a.description, ...(a.source ? { source: a.source } : {}) }));
    return estatePosture(plan, {
      estate: this.node.id,
      primaryRegion: Stack.of(this).region,
      vaultBucket: resolve(this.vault.primary.bucketName),
      replicaBucket: resolve(this.vault.replicaBucketName),
      topicArn: resolve(this.alerts.topicArn),
      emails: [...(this.props.alerts?.emails ?? [])],
      httpsEndpoints: [...(this.props.alerts?.httpsEndpoints ?? [])],
      sources,
      alarms,
      ...(this.awsBackup
        ? { awsBackup: { vaultName: resolve(this.awsBackup.vaultName), drVaultName: resolve(this.awsBackup.drVaultName), restoreRoleArn: resolve(this.awsBackup.roleArn), rules: this.awsBackup.rules } }
        : {}),
      ...(this.verifyJob ? { verifyJob: resolve(this.verifyJob.functionName) } : {}),
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

/** How a source is reached, for the job configuration. */
function jobSource(source: EstateSource, plan: SourcePlan): JobSource | undefined {
  const base = { name: source.name, rpoMinutes: plan.objective.rpoMinutes };
  switch (source.engine) {
    case "rds-instance":
      return {
        ...base,
        kind: "postgres",
        host: source.instance.dbInstanceEndpointAddress,
        port: Token.asNumber(source.instance.dbInstanceEndpointPort),
        database: source.database,
        sslMode: "require",
        credentials: source.credentials ?? { secretArn: (source.instance.secret as NonNullable<rds.DatabaseInstance["secret"]>).secretArn },
      };
    case "self-managed":
      return { ...base, kind: "postgres", host: source.host, port: source.port ?? 5432, database: source.database, credentials: source.credentials };
    case "s3":
      return { ...base, kind: "objects", bucket: source.bucket.bucketName, prefix: source.prefix ?? "" };
    case "elasticache":
      return undefined;
  }
}

/** Customer keys that encrypt a source's generated secret, which its jobs must be able to use. */
function secretKeyArns(source: EstateSource): string[] {
  if (source.engine === "rds-instance" && source.credentials === undefined) {
    const key = source.instance.secret?.encryptionKey;
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
