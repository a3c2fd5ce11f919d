import type { DurationInput } from "../duration";
import { Problems } from "../errors";
import { checkAgeRecipients } from "../job-config";
import { type EstatePlan, planEstate, type SourceObjectives, type SourcePlan } from "../objectives";
import { describeEvery, describeMinutes, describeRetention, type DataCopy, type EstatePosture, plannedPosture, type PostureAlarm, type RestoreCommand, type SourcePosture } from "../posture";
import { restoreCommands } from "../restore-commands";
import { type JobPlacement, runnerPlacement } from "../job-runtime";
import type { RetentionArgs } from "../retention";
import { checkRegion } from "../aws/aws-names";
import { checkBackupRunner, OFFSITE_CONFIG_FILE, RUNNER_PATHS, type BackupRunnerDesign, type BackupRunnerSettings } from "./backup-runner";
import { checkDoDrills, type DoDrillSettings, type DoDrillsDesign } from "./drills";
import type { DrillRecord } from "../drill-record";
import { withDrillRecords } from "../measured-posture";
import { checkDatabaseProtection, MANAGED_DATABASE_ENDPOINTS, type DatabaseProtectionDesign, type ManagedDatabaseEngine } from "./database-protection";
import { dropletBackupPolicy, type DropletBackupPolicy } from "./droplet-backups";
import { type AlertRecipients, checkAlertRecipients, checkDoServiceMonitor, deadMansSwitchAlert, type DoServiceMonitorDesign, type DoServiceMonitorSettings, type UptimeAlertDesign } from "./monitoring";
import { checkDoRegion } from "./regions";
import { checkSpacesVault, type SpacesVaultDesign } from "./spaces-vault";

/** What a DigitalOcean estate promises, declared once. */
export interface DoObjectivesArgs {
  /** Recovery point objective for every source unless a source sets its own. */
  readonly rpo: DurationInput;
  /** Recovery time objective for every source unless a source sets its own. */
  readonly rto: DurationInput;
  /** @default - dailies 35 days, weeklies 90 days, monthlies 365 days */
  readonly retention?: RetentionArgs;
  /** The region of the sources, the vault and the runner, such as `"nyc3"`. */
  readonly region: string;
  /**
   * The DigitalOcean disaster-recovery region: managed PostgreSQL and MySQL clusters get a read-only replica there.
   * @default - no replicas
   */
  readonly drRegion?: string;
}

/** One source as the estate's planner sees it. */
export interface DoSourceObjectives extends Omit<SourceObjectives, "engine"> {
  readonly engine: "do-managed" | "spaces" | "droplet";
  /** For `do-managed`: the cluster's engine slug. */
  readonly clusterEngine?: ManagedDatabaseEngine;
}

/** The engine-neutral settings of a whole DigitalOcean estate. */
export interface DoEstateSettings {
  readonly objectives: DoObjectivesArgs;
  readonly sources: readonly DoSourceObjectives[];
  /** Who is paged: by the dead-man's switch and the service monitor. */
  readonly alerts: AlertRecipients;
  /**
   * Client-side encryption of every backup (Spaces cannot encrypt with a key you hold): age X25519
   * recipients. Keep the matching identity only where restores run.
   */
  readonly encryption: { readonly ageRecipients: readonly string[] };
  /** @default - the defaults of {@link BackupRunnerSettings} */
  readonly runner?: Omit<BackupRunnerSettings, "region">;
  /** The Spaces vault's settings besides retention. @default - generated name, not force-destroyed */
  readonly vault?: { readonly bucketName?: unknown; readonly forceDestroy?: boolean };
  /**
   * The off-site copy: a replicated, encrypted AWS vault in `region` (its replica in `replicaRegion`).
   * @default - no off-site copy
   */
  readonly offsite?: { readonly region: string; readonly replicaRegion: string };
  /** @default - no service monitor */
  readonly monitor?: Omit<DoServiceMonitorSettings, "recipients">;
  /**
   * Scheduled restore drills on a separate drill runner holding `identity` (see {@link DoDrillSettings}).
   * @default - no scheduled drills: the posture prints the command to drill where the identity is
   */
  readonly drills?: DoDrillSettings & { readonly identity: unknown };
}

/** Everything decided for a DigitalOcean estate. */
export interface DoEstateDesign {
  readonly plan: EstatePlan;
  readonly vault: SpacesVaultDesign;
  readonly runner: BackupRunnerDesign;
  /** Per `do-managed` source, by name. */
  readonly databases: Readonly<Record<string, DatabaseProtectionDesign<unknown>>>;
  /** Per `droplet` source, by name. */
  readonly droplets: Readonly<Record<string, DropletBackupPolicy>>;
  readonly deadMansSwitch: UptimeAlertDesign;
  readonly monitor?: DoServiceMonitorDesign;
  readonly offsite?: { readonly region: string; readonly replicaRegion: string };
  readonly ageRecipients: readonly string[];
  /** The DigitalOcean DR region, when declared. */
  readonly drRegion?: string;
  /** The scheduled drills and their runner. @default - none (drills not opted in) */
  readonly drills?: DoDrillsDesign;
}

/**
 * Validates a DigitalOcean estate and decides all of it, reporting every problem at once: the plan
 * (schedules, restore order, achieved RPO and RTO), the Spaces vault, the runner and its timers,
 * each database's protection, droplet backup policies, the dead-man's switch, the monitor and the
 * off-site copy.
 */
export function designDigitalOceanEstate(settings: DoEstateSettings, subject: string): DoEstateDesign {
  const problems = new Problems();
  const o = settings?.objectives;
  checkDoRegion(o?.region, "objectives.region", problems);
  const doRegionCheck = (r: unknown, a: string, p: Problems) => checkDoRegion(r, a, p);
  let plan: EstatePlan | undefined;
  try {
    plan = planEstate(
      { rpo: o?.rpo, rto: o?.rto, ...(o?.retention ? { retention: o.retention } : {}), drRegion: o?.drRegion ?? o?.region, ...(o?.drRegion !== undefined ? { primaryRegion: o.region } : {}) },
      (settings?.sources ?? []).map(({ clusterEngine: _e, ...s }) => s),
      subject,
      doRegionCheck,
    );
  } catch (error) {
    problems.addAll((error as { problems?: [] }).problems ?? []);
  }
  const vault = checkSpacesVault({ region: o?.region, ...(o?.retention ? { retention: o.retention } : {}), ...(settings?.vault ?? {}) }, problems, "vault.");
  checkAlertRecipients(settings?.alerts, "alerts", problems);
  checkAgeRecipients(settings?.encryption?.ageRecipients, "encryption.ageRecipients", problems);
  const backupRunner = checkBackupRunner({ ...(settings?.runner ?? {}), region: o?.region }, plan, settings?.offsite !== undefined, problems, "runner.");

  const databases: Record<string, DatabaseProtectionDesign<unknown>> = {};
  const droplets: Record<string, DropletBackupPolicy> = {};
  (settings?.sources ?? []).forEach((s, i) => {
    if (s?.engine === "do-managed") {
      const engine = s.clusterEngine ?? (s.kind === "redis" ? "valkey" : "pg");
      if ((s.kind === "postgres" && engine !== "pg") || (s.kind === "redis" && engine !== "valkey")) {
        problems.add(`sources[${i}].clusterEngine`, engine, `does not hold a ${s.kind} source; use "${s.kind === "postgres" ? "pg" : "valkey"}".`);
        return;
      }
      const design = checkDatabaseProtection(
        { engine, region: o?.region, ...(o?.drRegion !== undefined && engine !== "valkey" ? { drRegion: o.drRegion } : {}), trustedSources: { droplets: settings?.drills !== undefined ? ["runner", "drill-runner"] : ["runner"] } },
        problems,
        `sources[${i}].`,
      );
      if (design) databases[s.name] = design;
    }
    if (s?.engine === "droplet") {
      try {
        droplets[s.name] = dropletBackupPolicy(s.rpo ?? o?.rpo, subject, `sources[${i}].rpo`);
      } catch (error) {
        problems.addAll((error as { problems?: [] }).problems ?? []);
      }
    }
  });
  const offsite = settings?.offsite;
  if (offsite !== undefined) {
    if (checkRegion(offsite.region, "offsite.region", problems) && checkRegion(offsite.replicaRegion, "offsite.replicaRegion", problems) && offsite.region === offsite.replicaRegion) {
      problems.add("offsite.replicaRegion", offsite.replicaRegion, "must differ from offsite.region: the replica is the copy that survives the loss of a region.");
    }
  }
  const drills = settings?.drills !== undefined ? checkDoDrills(settings.drills, settings.drills?.identity, plan, backupRunner, problems, "drills.") : undefined;
  const runner = backupRunner && drills ? { ...backupRunner, drillWatches: drills.watches } : backupRunner;
  const monitor = settings?.monitor ? checkDoServiceMonitor({ ...settings.monitor, recipients: settings.alerts }, problems, "monitor.") : undefined;
  problems.throwIfAny(subject);
  return {
    plan: plan as EstatePlan,
    vault: vault as SpacesVaultDesign,
    runner: runner as BackupRunnerDesign,
    databases,
    droplets,
    deadMansSwitch: deadMansSwitchAlert(),
    ...(monitor ? { monitor } : {}),
    ...(offsite ? { offsite } : {}),
    ageRecipients: settings.encryption.ageRecipients,
    ...(o.drRegion !== undefined ? { drRegion: o.drRegion } : {}),
    ...(drills ? { drills } : {}),
  };
}

/** What was deployed, by name, as the posture and runbook need it. */
export interface DoDeployedIds {
  readonly estate: string;
  readonly vaultBucket: string;
  readonly offsiteBucket?: string;
  readonly offsiteReplicaBucket?: string;
  /** Per source: the cluster's name, the droplet's id, or the Spaces bucket. */
  readonly targets: Readonly<Record<string, { readonly cluster?: string; readonly database?: string; readonly dropletId?: string; readonly bucket?: string; readonly path?: string }>>;
  readonly runnerIp: string;
  readonly emails: readonly string[];
  readonly slackChannels: readonly string[];
  /** Drill records read from the vault (`drills/<source>/*.json`): the posture shows measured RTOs from the newest. @default - none */
  readonly drillRecords?: readonly DrillRecord[];
}

/** The doctl commands of a source's native recovery, before the lifeboat ones. */
function nativeCommands(plan: SourcePlan, design: DoEstateDesign, target: DoDeployedIds["targets"][string] | undefined): RestoreCommand[] {
  const region = design.runner.droplet.region;
  if (plan.engine === "do-managed" && plan.kind === "postgres" && target?.cluster) {
    const out: RestoreCommand[] = [
      {
        description: `Point-in-time restore of ${target.cluster} into a new cluster (DigitalOcean never restores in place; pick a time within the last 7 days)`,
        command: `doctl databases create ${target.cluster}-restored --engine pg --region ${region} --restore-from-cluster-name ${target.cluster} --restore-from-timestamp '<restore-time: 2006-01-02 15:04:05 +0000 UTC>' --wait`,
      },
    ];
    if (design.databases[plan.name]?.replica) {
      out.push({ description: `Region lost: promote the read-only replica in ${design.databases[plan.name]?.replica?.region} to a primary cluster`, command: `doctl databases replica promote <cluster-id> ${target.cluster}-replica` });
    }
    return out;
  }
  if (plan.engine === "droplet" && target?.dropletId) {
    return [
      { description: `List the droplet's backups, newest last`, command: `doctl compute droplet backups ${target.dropletId} --format ID,Name,Created` },
      { description: `Create a new droplet from the newest backup, then copy ${target.path ?? "the directory"} back or switch to it`, command: `doctl compute droplet create <name>-restored --region ${region} --size <size> --image <backup-id> --wait` },
    ];
  }
  return [];
}

/** Where a source's backup and verification run on the runner, and why: each timer's unit and the time it has before its next run. */
function runnerPlacements(design: DoEstateDesign, source: SourcePlan): JobPlacement[] {
  const input = { source: source.name, kind: source.kind, sizeGiB: source.sizeGiB };
  const out: JobPlacement[] = [];
  const backup = design.runner.jobs.find((j) => j.vault === "primary" && j.args[0] === "backup" && j.args.includes(source.name));
  if (backup) out.push(runnerPlacement({ ...input, job: "backup" }, `${backup.unit}.timer`, backup.timeoutSeconds / 60));
  const verify = design.runner.jobs.find((j) => j.vault === "primary" && j.args[0] === "verify");
  if (backup && verify) out.push(runnerPlacement({ ...input, job: "verify" }, `${verify.unit}.timer (every source in turn)`, verify.timeoutSeconds / 60));
  const drill = design.drills?.runner.jobs.find((j) => j.args.includes(source.name));
  if (drill) {
    const placed = runnerPlacement({ ...input, job: "drill" }, `${drill.unit}.timer`, drill.timeoutSeconds / 60);
    out.push({ ...placed, reason: placed.reason.replace("the runner droplet's", "the drill runner droplet's").replace("before its next run, when systemd stops it", "systemd gives it (twice the RTO, at least an hour)") });
  }
  return out;
}

/** The estate's posture: per source the objectives against what is achieved, its copies and how to restore it. */
export function digitalOceanPosture(design: DoEstateDesign, ids: DoDeployedIds): EstatePosture {
  const { plan } = design;
  const region = design.runner.droplet.region;
  const retention = describeRetention(design.vault.retention);
  const deadMan: PostureAlarm = { id: "dead-mans-switch", name: `${ids.estate}-backup-health`, description: `${design.deadMansSwitch.description} Watches http://${ids.runnerIp}:${design.runner.healthPort}${design.runner.healthPath}.` };
  const sources: SourcePosture[] = plan.sources.map((source) => {
    const target = ids.targets[source.name];
    const copies: DataCopy[] = [];
    for (const c of design.databases[source.name]?.nativeCopies ?? []) copies.push({ ...c, where: c.what.startsWith("read-only") ? `${target?.cluster ?? source.name}-replica` : target?.cluster ?? source.name });
    const policy = design.droplets[source.name];
    if (policy) copies.push({ what: `DigitalOcean droplet backups (${policy.plan})`, where: `droplet ${target?.dropletId ?? source.name}`, region, keptFor: policy.plan === "daily" ? "7 days" : "4 weeks", every: policy.plan === "daily" ? "every day" : "every week" });
    if (source.logical) {
      copies.push({ what: "logical backup in the Spaces vault, encrypted with age", where: `${ids.vaultBucket}/<tier>/${source.name}/`, region, keptFor: retention, every: describeEvery(source.logical.intervalMinutes) });
      if (design.offsite && ids.offsiteBucket) {
        copies.push({ what: "off-site logical backup (another provider)", where: `s3://${ids.offsiteBucket}/${source.name}/`, region: design.offsite.region, keptFor: retention, every: describeEvery(source.logical.intervalMinutes) });
        if (ids.offsiteReplicaBucket) copies.push({ what: "replica of the off-site backup", where: `s3://${ids.offsiteReplicaBucket}/${source.name}/`, region: design.offsite.replicaRegion, keptFor: retention, every: "within 15 minutes of each backup" });
      }
    }
    const logical = restoreCommands({
      source: { ...source, methods: source.methods.filter((m) => m.method === "logical") },
      primaryRegion: region,
      drRegion: design.offsite?.region ?? region,
      configFile: "lifeboat.json",
      ...(ids.offsiteBucket
        ? {
            replicaBucket: ids.offsiteBucket,
            replicaCopy: {
              description: `DigitalOcean region or Spaces lost: the same restore from the off-site AWS vault s3://${ids.offsiteBucket} in ${design.offsite?.region} (${OFFSITE_CONFIG_FILE}: the runner's ${RUNNER_PATHS.offsiteConfig}, with the AWS keys of ${RUNNER_PATHS.offsiteSecrets})`,
              configFile: OFFSITE_CONFIG_FILE,
            },
          }
        : {}),
      ...(source.engine === "do-managed" ? { targetEndpoint: MANAGED_DATABASE_ENDPOINTS[source.kind === "redis" ? "valkey" : "pg"] } : {}),
      ...(target?.database ? { rds: { identifier: target.cluster ?? source.name, kind: "instance" as const, database: target.database } } : {}),
      ...(target?.bucket ? { objectsBucket: target.bucket } : {}),
    }).map((c) => (c.command.includes("lifeboat restore") && !c.command.includes("--dry-run") ? { ...c, command: `LIFEBOAT_AGE_IDENTITY_FILE=<path to the age identity> ${c.command}` } : c));
    const notes = [...source.notes, ...(design.databases[source.name]?.notes ?? [])];
    if (source.logical) notes.push("Backups are encrypted on the runner with age before upload; verification checks the ciphertext without the private key, and only a restore needs the identity.");
    const jobs = runnerPlacements(design, source);
    const drill = design.drills?.plans[source.name];
    const staleDays = drill ? Math.round(drill.alarms.find((a) => a.id.endsWith("-drill-stale"))!.threshold / 1440) : undefined;
    const drillCommand = `\`LIFEBOAT_CONFIG_FILE=lifeboat.json LIFEBOAT_AGE_IDENTITY_FILE=<path to the age identity> lifeboat drill --source ${source.name}\``;
    if (drill) notes.push(`Restore drills run on the drill runner droplet (it holds the age identity; the backup runner never does) ${describeEvery(drill.schedule.intervalMinutes)}; the health endpoint answers 503 when one fails, when none succeeded for ${staleDays} days, or when a restore took longer than the RTO.`);
    else if (design.drills && design.drills.undrilled[source.name]) notes.push(`${design.drills.undrilled[source.name]} Drill it by hand where the identity is: ${drillCommand}.`);
    // A drill decrypts what it restores, and the runner holds only the recipients, never the identity.
    else if (jobs.length > 0) notes.push(`No restore drill is scheduled: a drill decrypts the backup, and the runner holds only the age recipients. Its RTO stays an estimate until you drill it where the identity is: ${drillCommand} (the record goes to the vault), or opt in to scheduled drills (\`drills\`).`);
    const drillAlarm: PostureAlarm[] = drill ? [{ id: "drill-health", name: `${ids.estate}-backup-health`, description: `The dead-man's switch also fails when the drill of ${source.name} failed (for a day), when none succeeded within ${staleDays} days, or when its restore took longer than the RTO (${describeMinutes(source.objective.rtoMinutes)}).` }] : [];
    return { ...plannedPosture(source), copies, alarms: source.logical ? [deadMan, ...drillAlarm] : [], restore: [...nativeCommands(source, design, target), ...logical], notes, ...(jobs.length > 0 ? { jobs } : {}) };
  });
  const posture: EstatePosture = {
    estate: ids.estate,
    provider: "digitalocean",
    objectives: { rpoMinutes: plan.rpoMinutes, rtoMinutes: plan.rtoMinutes, primaryRegion: region, drRegion: design.drRegion ?? design.offsite?.region ?? plan.drRegion },
    restoreOrder: plan.restoreOrder,
    estateRtoMinutes: plan.estateRtoMinutes,
    ...(plan.verify ? { verification: { schedule: describeEvery(plan.verify.intervalMinutes), intervalMinutes: plan.verify.intervalMinutes, job: "lifeboat-verify.timer on the runner" } } : {}),
    alerts: {
      topicArn: "DigitalOcean uptime alerts (the dead-man's switch, the application's health and certificate) and monitor alert policies",
      emails: ids.emails,
      httpsEndpoints: [],
      slackChannels: ids.slackChannels,
      estateAlarms: [deadMan, ...(design.monitor?.uptime?.alerts ?? []).map((a) => ({ id: `app-${a.role}`, name: `${ids.estate}-app-${a.role}`, description: a.description })), ...(design.monitor?.monitorAlerts ?? []).map((a) => ({ id: a.role, name: `${ids.estate}-${a.role}`, description: a.description }))],
    },
    sources,
  };
  return design.drills || ids.drillRecords !== undefined ? withDrillRecords(posture, ids.drillRecords ?? []) : posture;
}

