import type { DrillSettings } from "../drill";
import type { DrillRecord } from "../drill-record";
import { LifeboatValidationError, Problems, type ValidationProblem } from "../errors";
import { describeDrillEvery, designEstateJobs, jobPlacementsOf, type SourceJobsDesign } from "../estate-jobs";
import { type DeployedAlarm, type DeployedEstate, type DeployedSource, estatePosture } from "../estate-posture";
import type { JobConfig, SourceConfig, VerifyChecks } from "../job-config";
import type { JobRuntime } from "../job-runtime";
import type { BackupManifest } from "../manifest";
import { BACKUP_INTERVALS, type EstatePlan, type FreshnessAlarm, type JobSchedule, type ObjectivesArgs, planEstate, rateExpression, type SourceEngine, type SourceObjectives, type SourcePlan } from "../objectives";
import type { EstatePosture } from "../posture";
import { type AlarmSpec, deadLetterAlarmSpec } from "./alarms";
import { type AwsBackupPlanSettings, planAwsBackup } from "./aws-backup";
import { checkEstateFargate, type FargateJobDesign, fargateJobDesign } from "./fargate-job";
import { checkJobNetworkRoutes, checkReachability, FARGATE_TASK_NEEDS, type JobNetworkRoutes, type ServiceNeed } from "./network";

/** What every estate source declares besides how it is reached: declared once here, for every front end. */
export interface EstateSourceSettings {
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
  /** Run this source's jobs on Lambda or Fargate whatever their expected duration (Fargate needs `jobs.fargate`). @default - chosen per job from the expected duration */
  readonly runtime?: JobRuntime;
}

/** The settings of a source, without its resources or anything else a front end adds. */
export function estateSourceSettings(source: EstateSourceSettings): EstateSourceSettings {
  return {
    name: source.name,
    ...(source.rpo !== undefined ? { rpo: source.rpo } : {}),
    ...(source.rto !== undefined ? { rto: source.rto } : {}),
    ...(source.sizeGiB !== undefined ? { sizeGiB: source.sizeGiB } : {}),
    ...(source.restoreAfter !== undefined ? { restoreAfter: source.restoreAfter } : {}),
    ...(source.logicalInterval !== undefined ? { logicalInterval: source.logicalInterval } : {}),
    ...(source.drill !== undefined ? { drill: source.drill } : {}),
    ...(source.runtime !== undefined ? { runtime: source.runtime } : {}),
  };
}

/** One source as the estate declares it, reduced to what decisions need (no resources). */
export interface EstateSourceDeclaration extends EstateSourceSettings {
  readonly kind: SourceObjectives["kind"];
  readonly engine: SourceEngine;
  /** Its jobs read its credentials from Secrets Manager (an RDS-managed or given secret). @default false */
  readonly readsSecret?: boolean;
  /**
   * The database's weekly maintenance window (RDS, Aurora), as given to it: AWS Backup must start
   * clear of it. A value known only at deploy time is passed on unchecked.
   * @default - not known
   */
  readonly maintenanceWindow?: unknown;
}

/**
 * The network jobs run in, as the estate declares it: how its subnets reach AWS, and whether every
 * job runs there or only the jobs that connect to a database or cache.
 */
export interface EstateNetworkDeclaration {
  /** How the subnets reach AWS services: `nat: true`, or the VPC endpoints they have. */
  readonly routes?: JobNetworkRoutes;
  /**
   * Run every job in the VPC. By default only jobs that connect to a database or cache server run
   * there; jobs that only call AWS (verification, bucket copies) run outside it, where S3 in every
   * region is reachable.
   * @default false
   */
  readonly everyJob?: boolean;
}

/** Everything {@link designEstate} decides from, as plain values. */
export interface EstateDesignArgs {
  /** The estate's name: part of names, descriptions and task families. */
  readonly estate: string;
  readonly objectives: ObjectivesArgs;
  readonly sources: readonly EstateSourceDeclaration[];
  readonly jobs: {
    /** The network the jobs run in, when `jobs.vpc` is given. @default - no VPC */
    readonly vpc?: EstateNetworkDeclaration;
    /** The `jobs.fargate` argument as given, when it is. @default - no Fargate tasks */
    readonly fargate?: unknown;
    /** The jobs' code is the jobs image (what a Fargate task runs). @default false */
    readonly image?: boolean;
    /** The argument that gives the image, for messages: `jobs.code.imageUri`, `jobs.code.repository`. @default "jobs.code" */
    readonly imageArgument?: string;
  };
  /**
   * What makes the estate's Fargate task families unique in the account and region.
   * @default - the estate's name
   */
  readonly scope?: string;
  /** @default true */
  readonly drills?: boolean;
  /** @default - none */
  readonly records?: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] };
  /** AWS Backup settings beyond what the estate derives; `false` turns it off. @default - on when a source runs on RDS or Aurora */
  readonly awsBackup?: Omit<AwsBackupPlanSettings, "drRegion" | "primaryRegion" | "retention" | "selection" | "vaultName" | "drVaultName" | "keyArn" | "drKeyArn"> | false;
  /** How problems name the estate: `DisasterRecoveryEstate "prod"`. */
  readonly subject: string;
  /** Problems the front end found in what only it can read (its resources), reported in the same error. @default - none */
  readonly problems?: readonly ValidationProblem[];
}

/** An estate's arguments as a front end holds them, with its sources already reduced to declarations. */
export interface DeclaredEstate {
  readonly objectives: ObjectivesArgs;
  readonly sources?: readonly EstateSourceDeclaration[];
  /** `jobs` as given: only its network's routes and `everyJob`, and whether `fargate` is given, count. */
  readonly jobs?: { readonly vpc?: EstateNetworkDeclaration; readonly fargate?: unknown };
  /** @default true */
  readonly drills?: boolean;
  /** @default - none */
  readonly records?: EstateDesignArgs["records"];
  /** The front end's `awsBackup` argument; only the settings core reads count. @default - on when a source runs on RDS or Aurora */
  readonly awsBackup?: unknown;
}

/**
 * The arguments of {@link designEstate} from a front end's estate: its name, what makes its task
 * families unique (`scope`), the primary region when known, the declared estate, whether its jobs'
 * code is the jobs image (and the argument that gives it, for messages), and problems only the front
 * end could find.
 */
export function estateDesignArgs(input: {
  readonly estate: string;
  readonly scope: string;
  /** @default - the objectives' own, else not known */
  readonly primaryRegion?: string;
  readonly declared: DeclaredEstate;
  readonly image: { readonly given: boolean; readonly argument: string };
  /** @default - none */
  readonly problems?: readonly ValidationProblem[];
}): EstateDesignArgs {
  const { declared } = input;
  const vpc = declared.jobs?.vpc;
  return {
    estate: input.estate,
    scope: input.scope,
    subject: `DisasterRecoveryEstate "${input.estate}"`,
    objectives: { ...declared.objectives, ...(input.primaryRegion !== undefined ? { primaryRegion: input.primaryRegion } : {}) },
    sources: declared.sources ?? [],
    jobs: {
      ...(vpc ? { vpc: { ...(vpc.routes !== undefined ? { routes: vpc.routes } : {}), ...(vpc.everyJob !== undefined ? { everyJob: vpc.everyJob } : {}) } } : {}),
      ...(declared.jobs?.fargate !== undefined ? { fargate: declared.jobs.fargate } : {}),
      image: input.image.given,
      imageArgument: input.image.argument,
    },
    ...(declared.drills !== undefined ? { drills: declared.drills } : {}),
    ...(declared.records ? { records: declared.records } : {}),
    ...(declared.awsBackup !== undefined ? { awsBackup: declared.awsBackup as EstateDesignArgs["awsBackup"] } : {}),
    ...(input.problems && input.problems.length > 0 ? { problems: input.problems } : {}),
  };
}

/** One scheduled job of the estate. */
export interface EstateJobDesign {
  /** `<source>-backup`, `<source>-verify` (a Fargate task), `<source>-drill` or `verify` (the verification function): the job's part of resource names. */
  readonly id: string;
  readonly job: "backup" | "verify" | "drill";
  /** @default - several sources (the verification function: see `verifies`) */
  readonly source?: string;
  readonly runtime: JobRuntime;
  readonly schedule: JobSchedule;
  /** Whether it runs in `jobs.vpc` (always, on Fargate). */
  readonly inVpc: boolean;
  /** What it must reach, for the reachability check and the reader. */
  readonly needs: readonly ServiceNeed[];
  /** The task design, on Fargate. @default - none (Lambda) */
  readonly fargate?: FargateJobDesign;
  /**
   * The verification function's sources and what it checks of each: every check, or only the
   * replica of a source whose primary copy a Fargate task verifies.
   * @default - none (not the verification function)
   */
  readonly verifies?: readonly { readonly source: string; readonly checks: VerifyChecks }[];
}

/** One source's decisions. */
export interface EstateSourceDesign {
  readonly name: string;
  readonly kind: SourceObjectives["kind"];
  readonly engine: SourceEngine;
  readonly plan: SourcePlan;
  /** Where its jobs run and its drill, when it has a logical backup job. @default - no job */
  readonly jobs?: SourceJobsDesign;
  /** Its cross-region automated backups (RDS instances), kept this many days in the DR region. @default - none */
  readonly drAutomatedBackupDays?: number;
  /** Protected by the estate's AWS Backup plan. */
  readonly awsBackup: boolean;
}

/** The estate's AWS Backup plan: what it protects and what the estate derived for it. */
export interface EstateAwsBackupDesign {
  /** Sources it protects, by name. */
  readonly sources: readonly string[];
  readonly drRegion: string;
  /** The objectives' tiers as AWS Backup retention. */
  readonly retention: { readonly daily: string; readonly weekly: string; readonly monthly: string };
  /** The user's windows and the sources' (values known only at deploy time included, unchecked). */
  readonly maintenanceWindows: readonly unknown[];
  /** When the rules start, clear of every known maintenance window and the hour before it. */
  readonly backupTime: string;
}

/** The alarms the estate sets beyond each component's own. */
export interface EstateAlarmsDesign {
  /** Freshness alarms: one per source with a logical backup. */
  readonly sources: readonly { readonly name: string; readonly freshness: FreshnessAlarm }[];
  /** @default - no verification job */
  readonly verifyPeriodSeconds?: number;
  /** Lambda jobs whose errors and dead letters alarm, by job id. */
  readonly lambdaJobs: readonly { readonly id: string; readonly source?: string }[];
  /** The drills' alarms (failed, too slow, none succeeded within its period). */
  readonly drills: readonly AlarmSpec[];
  readonly awsBackupFailures: boolean;
}

/** Every decision of a disaster-recovery estate on AWS; a front end only renders it. */
export interface EstateDesign {
  readonly estate: string;
  readonly plan: EstatePlan;
  readonly primaryRegion?: string;
  readonly drRegion: string;
  readonly sources: readonly EstateSourceDesign[];
  /** Per source with a logical backup: where its backup and drill run, and its drill plan. */
  readonly jobDesigns: readonly SourceJobsDesign[];
  /** Every scheduled job, backups first, then verification, then drills. */
  readonly jobs: readonly EstateJobDesign[];
  /** The customer key of job environments and failed-run queues. */
  readonly jobsKey: { readonly description: string };
  /** Whether the estate runs Fargate tasks (and needs a cluster unless one is given). */
  readonly fargate: boolean;
  /** @default - no AWS Backup plan */
  readonly awsBackup?: EstateAwsBackupDesign;
  readonly alarms: EstateAlarmsDesign;
}

/** Sources whose jobs connect to a server, so the server's network must be the job's. */
function connectsToServer(source: EstateSourceDeclaration): boolean {
  return source.kind === "postgres" || source.kind === "redis";
}

/** Engines whose servers are reachable only inside their VPC (Lifeboat never asks for public databases). */
const PRIVATE_ENGINES: readonly SourceEngine[] = ["rds-instance", "aurora-cluster", "elasticache"];

/** What a job of a source must reach. */
function jobNeeds(job: "backup" | "verify" | "drill", source: EstateSourceDeclaration | undefined, drRegion: string, anySecret: boolean): ServiceNeed[] {
  // A source's own verification (a Fargate task) leaves the replica to the verification function.
  if (job === "verify" && source) return [{ service: "s3", why: "read the vault" }];
  if (job === "verify") {
    return [
      { service: "s3", why: "read the vault" },
      { service: "s3", region: drRegion, why: "check that every backup reached the replica vault" },
    ];
  }
  const needs: ServiceNeed[] = [{ service: "s3", why: job === "backup" ? "write backups to the vault" : "read the backup it restores from the vault" }];
  if (job === "backup" && source?.kind === "objects") needs.push({ service: "s3", why: "read the source bucket" });
  if (source?.readsSecret || (source === undefined && anySecret)) needs.push({ service: "secretsmanager", why: "read the database credentials" });
  return needs;
}

/**
 * Designs a whole disaster-recovery estate on AWS: the plan from the objectives, which sources get
 * a backup job and where each job runs (Lambda or Fargate, in the VPC or outside it), what each job
 * must reach and whether its network reaches it, the cross-region automated backups, the AWS Backup
 * plan with its start time clear of the databases' maintenance windows, the alarms, and the
 * posture as a function of this design and the deployed identifiers ({@link estateDesignPosture}).
 * Throws every problem at once, naming the estate's arguments.
 */
export function designEstate(args: EstateDesignArgs): EstateDesign {
  const { subject } = args;
  const sources = args.sources ?? [];
  const plan = planEstate(
    args.objectives,
    sources.map(({ drill: _drill, runtime: _runtime, readsSecret: _secret, maintenanceWindow: _window, ...s }) => s),
    subject,
  );
  const problems = new Problems();
  problems.addAll(args.problems ?? []);
  const primaryRegion = args.objectives.primaryRegion;
  const vpc = args.jobs?.vpc;
  const fargateWanted = args.jobs?.fargate !== undefined;
  checkEstateFargate(args.jobs?.fargate, { vpc: vpc !== undefined, image: args.jobs?.image === true, imageArgument: args.jobs?.imageArgument ?? "jobs.code" }, problems);
  const routes = vpc ? checkJobNetworkRoutes(vpc.routes, "jobs.vpc.routes", problems) : undefined;
  if (vpc?.everyJob !== undefined && typeof vpc.everyJob !== "boolean") problems.add("jobs.vpc.everyJob", vpc.everyJob, "must be true (every job runs in the VPC) or false (only jobs that connect to a server).");

  const jobDesigns = designEstateJobs(
    plan,
    sources.map((s) => ({ name: s.name, ...(s.drill !== undefined ? { drill: s.drill } : {}), ...(s.runtime !== undefined ? { runtime: s.runtime } : {}) })),
    { fargate: fargateWanted, drills: args.drills !== false, ...(args.records ? { records: args.records } : {}) },
    problems,
  );
  const declared = new Map(sources.map((s) => [s.name, s]));
  const indexOf = (name: string) => sources.findIndex((s) => s.name === name);
  // ElastiCache is protected by its own snapshots: the jobs have no way in (no SYNC, no logical job).
  const withJobs = plan.sources.filter((s) => s.logical && s.engine !== "elasticache");

  for (const s of withJobs) {
    const source = declared.get(s.name) as EstateSourceDeclaration;
    if (!vpc && PRIVATE_ENGINES.includes(s.engine) && connectsToServer(source)) {
      problems.add(
        "jobs.vpc",
        undefined,
        `is required: \`sources[${indexOf(s.name)}]\` ("${s.name}", ${s.engine}) is reachable only inside its VPC, and its backup and drill jobs connect to it. Give the subnets and security groups the jobs run in, and how they reach AWS: \`jobs.vpc: { subnetIds, securityGroupIds, routes: { endpoints: ["s3", "secretsmanager"] } }\` (or \`routes: { nat: true }\`), with a security group the database admits.`,
      );
    }
  }

  const anySecret = withJobs.some((s) => declared.get(s.name)?.readsSecret);
  const jobs: EstateJobDesign[] = [];
  const placeJob = (job: "backup" | "verify" | "drill", sourcePlan: SourcePlan | undefined, runtime: JobRuntime, schedule: JobSchedule) => {
    const source = sourcePlan ? declared.get(sourcePlan.name) : undefined;
    const id = sourcePlan ? `${sourcePlan.name}-${job}` : job;
    const inVpc = vpc !== undefined && (runtime === "fargate" || vpc.everyJob === true || (source !== undefined && connectsToServer(source)));
    const needs = [...jobNeeds(job, source, plan.drRegion, anySecret), ...(runtime === "fargate" ? FARGATE_TASK_NEEDS : [])];
    if (inVpc && routes) checkReachability(id, { vpc: true, routes, ...(primaryRegion ? { region: primaryRegion } : {}) }, needs, "jobs.vpc.routes", problems);
    const fargate = runtime === "fargate" && sourcePlan ? fargateJobDesign({ estate: args.scope ?? args.estate, job, source: sourcePlan.name, sizeGiB: sourcePlan.sizeGiB, schedule }) : undefined;
    jobs.push({ id, job, ...(sourcePlan ? { source: sourcePlan.name } : {}), runtime, schedule, inVpc, needs, ...(fargate ? { fargate } : {}), ...(job === "verify" && !sourcePlan ? { verifies } : {}) });
  };
  const verifiedOnFargate = new Set(jobDesigns.filter((d) => d.verify.runtime === "fargate" && withJobs.some((s) => s.name === d.source)).map((d) => d.source));
  const verifies = withJobs.map((s) => ({ source: s.name, checks: (verifiedOnFargate.has(s.name) ? "replica-only" : "all") as VerifyChecks }));
  for (const s of withJobs) {
    const design = jobDesigns.find((d) => d.source === s.name);
    placeJob("backup", s, (design?.backup.runtime ?? "lambda") as JobRuntime, s.logical as JobSchedule);
  }
  if (plan.verify && withJobs.length > 0) {
    placeJob("verify", undefined, "lambda", plan.verify);
    for (const s of withJobs.filter((p) => verifiedOnFargate.has(p.name))) {
      const expected = jobDesigns.find((d) => d.source === s.name)?.verify.expectedMinutes ?? 0;
      placeJob("verify", s, "fargate", verifyTaskSchedule(s.logical as JobSchedule, plan.verify, expected));
    }
  }
  for (const design of jobDesigns) {
    const s = withJobs.find((p) => p.name === design.source);
    if (design.drill && s) placeJob("drill", s, design.drill.placement.runtime as JobRuntime, design.drill.plan.schedule);
  }

  const awsBackupSources = plan.sources.filter((s) => s.engine === "rds-instance" || s.engine === "aurora-cluster").map((s) => s.name);
  let awsBackup: EstateAwsBackupDesign | undefined;
  if (args.awsBackup !== false && awsBackupSources.length > 0) {
    awsBackup = designAwsBackup(args, plan, awsBackupSources, problems);
  }
  problems.throwIfAny(subject);

  const designs: EstateSourceDesign[] = plan.sources.map((s) => {
    const jobsDesign = jobDesigns.find((d) => d.source === s.name);
    return {
      name: s.name,
      kind: s.kind,
      engine: s.engine,
      plan: s,
      ...(jobsDesign && withJobs.includes(s) ? { jobs: jobsDesign } : {}),
      ...(s.engine === "rds-instance" && s.nativeRetentionDays !== undefined ? { drAutomatedBackupDays: s.nativeRetentionDays } : {}),
      awsBackup: awsBackup?.sources.includes(s.name) ?? false,
    };
  });
  const drillAlarms = jobDesigns.flatMap((d) => d.drill?.plan.alarms ?? []);
  const fargateJobs = jobs.filter((j) => j.runtime === "fargate");
  return {
    estate: args.estate,
    plan,
    ...(primaryRegion !== undefined ? { primaryRegion } : {}),
    drRegion: plan.drRegion,
    sources: designs,
    jobDesigns: jobDesigns.filter((d) => withJobs.some((s) => s.name === d.source)),
    jobs,
    jobsKey: { description: `Lifeboat estate ${args.estate}: job environments and failed-run queues` },
    fargate: fargateJobs.length > 0,
    ...(awsBackup ? { awsBackup } : {}),
    alarms: {
      sources: plan.sources.flatMap((s) => (s.freshness ? [{ name: s.name, freshness: s.freshness }] : [])),
      ...(plan.verify && jobs.some((j) => j.job === "verify") ? { verifyPeriodSeconds: plan.verify.intervalMinutes * 60 } : {}),
      lambdaJobs: jobs.filter((j) => j.runtime === "lambda").map((j) => ({ id: j.id, ...(j.source ? { source: j.source } : {}) })),
      drills: drillAlarms,
      awsBackupFailures: awsBackup !== undefined,
    },
  };
}

/** The less frequent of two schedules. */
function longerSchedule(a: JobSchedule, b: JobSchedule): JobSchedule {
  return a.intervalMinutes >= b.intervalMinutes ? a : b;
}

/** How much longer than expected a verification task may run before the next one starts. */
export const VERIFY_TASK_OVERRUN = 1.5;

/**
 * The schedule of a source's verification task: not more often than a backup is written (reading a
 * backup whole again verifies the same bytes) nor than the verification function runs, and never
 * before the previous run can have finished: the shortest standard interval (then whole days) of at
 * least {@link VERIFY_TASK_OVERRUN} times its expected duration, so two tasks do not read the vault at once.
 */
export function verifyTaskSchedule(backup: JobSchedule, verify: JobSchedule, expectedMinutes: number): JobSchedule {
  const needed = Math.ceil(expectedMinutes * VERIFY_TASK_OVERRUN);
  const minutes = BACKUP_INTERVALS.find((i) => i >= needed) ?? Math.ceil(needed / 1440) * 1440;
  return longerSchedule(longerSchedule(backup, verify), { expression: rateExpression(minutes), intervalMinutes: minutes });
}

/**
 * The verification function's sources, each as the jobs describe it (`sources`, by source name),
 * marked `verify: { checks: "replica-only" }` where a Fargate task verifies its primary copy.
 */
export function verificationFunctionSources<S extends object>(design: EstateDesign, sources: Readonly<Record<string, S>>): S[] {
  const verifies = design.jobs.find((j) => j.job === "verify" && j.source === undefined)?.verifies ?? [];
  return verifies.flatMap(({ source, checks }) => {
    const described = sources[source];
    if (!described) return [];
    return [checks === "all" ? described : { ...described, verify: { checks } }];
  });
}

/**
 * The AWS Backup plan's derived settings, checked as the plan component will check them, with the
 * problems named by the estate's arguments (`awsBackup.backupTime`, `sources[0].maintenanceWindow`).
 */
function designAwsBackup(args: EstateDesignArgs, plan: EstatePlan, protectedSources: readonly string[], problems: Problems): EstateAwsBackupDesign {
  const settings = args.awsBackup === false ? {} : (args.awsBackup ?? {});
  const userWindows = settings.maintenanceWindows ?? [];
  const sourceWindows = (args.sources ?? []).flatMap((s, i) => (protectedSources.includes(s.name) && s.maintenanceWindow !== undefined ? [{ window: s.maintenanceWindow, argument: `sources[${i}].maintenanceWindow` }] : []));
  const windows = [...userWindows.map((w, i) => ({ window: w, argument: `awsBackup.maintenanceWindows[${i}]` })), ...sourceWindows];
  const tiers = plan.retention.tiers;
  const retention = { daily: `${tiers.daily}d`, weekly: `${tiers.weekly}d`, monthly: `${tiers.monthly}d` };
  let backupTime = settings.backupTime ?? "";
  try {
    const designed = planAwsBackup(
      {
        ...settings,
        maintenanceWindows: windows.map((w) => w.window),
        retention,
        drRegion: plan.drRegion,
        ...(args.objectives.primaryRegion !== undefined ? { primaryRegion: args.objectives.primaryRegion } : {}),
        // The ARNs are known only at deploy time: a pattern per engine stands in for them.
        selection: { resources: protectedSources.map((name) => `arn:aws:rds:*:*:${plan.sources.find((s) => s.name === name)?.engine === "aurora-cluster" ? "cluster" : "db"}:*`) },
      },
      args.subject,
    );
    const first = designed.rules.find((r) => !r.continuous);
    const match = first ? /^cron\((\d+) (\d+) /.exec(first.schedule) : null;
    if (match) backupTime = `${match[2]!.padStart(2, "0")}:${match[1]!.padStart(2, "0")}`;
  } catch (error) {
    if (!(error instanceof LifeboatValidationError)) throw error;
    for (const p of error.problems) {
      const window = /^maintenanceWindows\[(\d+)\]/.exec(p.argument);
      const argument = window ? p.argument.replace(window[0], windows[Number(window[1])]?.argument ?? window[0]) : `awsBackup.${p.argument}`;
      problems.addAll([{ ...p, argument }]);
    }
  }
  return { sources: protectedSources, drRegion: plan.drRegion, retention, maintenanceWindows: windows.map((w) => w.window), backupTime };
}

/**
 * The alarms the estate adds to its components' own: the drills', and a dead-letter alarm per
 * Fargate task, whose queue name the front end gives by job id.
 */
export function estateExtraAlarms<V>(design: EstateDesign, queueNameOf: (jobId: string) => V): AlarmSpec<V | string>[] {
  return [...design.alarms.drills, ...design.jobs.filter((j) => j.runtime === "fargate").map((j) => deadLetterAlarmSpec<V>(`${j.id}-task`, queueNameOf(j.id), j.source))];
}

/** How a source is reached at deploy time, in the front end's values (Pulumi Inputs, CDK tokens, strings). */
export interface SourceEndpoint<V> {
  readonly host?: V;
  readonly port?: V | number;
  readonly database?: V;
  /** Where the job finds the credentials (`{ secretArn }`, or a deploy-time value). @default - none */
  readonly credentials?: unknown;
  /** Redis over TLS. @default false */
  readonly tls?: boolean;
  /** The bucket an `objects` source copies. */
  readonly bucket?: V;
  /** @default "" */
  readonly prefix?: string;
}

/**
 * A source's entry in the job configuration, from the design and how the source is reached: RDS and
 * Aurora connections require TLS, default ports are PostgreSQL's and Redis's, a drilled source
 * carries its drill settings.
 */
export function estateJobSource<V>(design: EstateDesign, source: string, endpoint: SourceEndpoint<V>): Record<string, unknown> {
  const s = design.sources.find((x) => x.name === source) as EstateSourceDesign;
  const base = { name: s.name, rpoMinutes: s.plan.objective.rpoMinutes };
  const drill = s.jobs?.drill?.settings ? { drill: s.jobs.drill.settings } : {};
  if (s.kind === "objects") return { ...base, kind: "objects", bucket: endpoint.bucket, prefix: endpoint.prefix ?? "", ...drill };
  if (s.kind === "redis") {
    return { ...base, kind: "redis", host: endpoint.host, port: endpoint.port ?? 6379, tls: endpoint.tls ?? false, ...(endpoint.credentials !== undefined ? { credentials: endpoint.credentials } : {}), ...drill };
  }
  const managed = s.engine === "rds-instance" || s.engine === "aurora-cluster";
  return { ...base, kind: "postgres", host: endpoint.host, port: endpoint.port ?? 5432, database: endpoint.database, ...(managed ? { sslMode: "require" } : {}), credentials: endpoint.credentials, ...drill };
}

/** Where the vault and its replica are, once deployed. */
export interface DeployedVaults<V = string> {
  readonly bucket: V;
  readonly kmsKeyArn: V;
  readonly replicaBucket: V;
  readonly replicaKeyArn: V;
  /** @default - the design's primary region, else the job's own */
  readonly region?: V;
}

/** The job configurations the `lifeboat` command line needs: `lifeboat.json` (primary vault) and `lifeboat-dr.json` (the replica). */
export function estateJobConfigs<V>(design: EstateDesign, sources: readonly unknown[], vaults: DeployedVaults<V>): Record<"lifeboat.json" | "lifeboat-dr.json", JobConfig> {
  const region = vaults.region ?? design.primaryRegion;
  const list = sources as readonly SourceConfig[];
  return {
    "lifeboat.json": { vault: { bucket: vaults.bucket as string, kmsKeyArn: vaults.kmsKeyArn as string, ...(region !== undefined ? { region: region as string } : {}), replica: { bucket: vaults.replicaBucket as string, region: design.drRegion } }, sources: list },
    "lifeboat-dr.json": { vault: { bucket: vaults.replicaBucket as string, kmsKeyArn: vaults.replicaKeyArn as string, region: design.drRegion }, sources: list },
  };
}

/** The configuration of one Fargate task: its vault and its one source (a backup also gets its interval). */
export function fargateJobConfig<V>(design: EstateDesign, jobId: string, source: unknown, vault: { readonly bucket: V; readonly kmsKeyArn: V }): JobConfig {
  const job = design.jobs.find((j) => j.id === jobId) as EstateJobDesign;
  const region = design.primaryRegion;
  return {
    vault: { bucket: vault.bucket as string, kmsKeyArn: vault.kmsKeyArn as string, ...(region ? { region } : {}) },
    sources: [{ ...(source as SourceConfig), ...(job.job === "backup" ? { intervalMinutes: job.schedule.intervalMinutes } : {}) } as SourceConfig],
  };
}

/** What the posture needs of one source beyond the design: its identifiers once deployed. */
export interface DeployedSourceIds {
  readonly name: string;
  readonly identifier: string;
  readonly database?: string;
  readonly retentionDays?: number;
  readonly replicationArn?: string;
}

/**
 * The estate's posture as a function of its design and what was deployed: `jobNames` gives each
 * job's name as deployed (by job id), `sources` each source's identifiers.
 */
export function estateDesignPosture(
  design: EstateDesign,
  deployed: Omit<DeployedEstate, "estate" | "sources" | "verifyJob" | "alarms"> & {
    readonly sources: readonly DeployedSourceIds[];
    readonly jobNames: Readonly<Record<string, string>>;
    readonly alarms: readonly DeployedAlarm[];
  },
): EstatePosture {
  const { sources, jobNames, ...rest } = deployed;
  const deployedSources = design.sources.map((s): DeployedSource => {
    const ids = sources.find((d) => d.name === s.name) ?? { name: s.name, identifier: "" };
    const jobs = s.jobs;
    return {
      ...ids,
      engine: s.engine,
      ...(jobs
        ? {
            jobs: jobPlacementsOf(jobs),
            ...(jobs.notes.length > 0 ? { jobNotes: jobs.notes } : {}),
            ...(jobs.drill ? { drill: { every: describeDrillEvery(jobs.drill.plan), job: jobNames[`${s.name}-drill`] ?? "" } } : {}),
          }
        : {}),
    };
  });
  const verifyJob = jobNames["verify"];
  return estatePosture(design.plan, { ...rest, estate: design.estate, sources: deployedSources, ...(verifyJob ? { verifyJob } : {}) });
}

