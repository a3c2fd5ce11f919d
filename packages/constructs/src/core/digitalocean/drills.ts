import type { DrillWatch } from "../backup-health";
import { isDeployTimeValue } from "../deploy-time";
import { checkDrillSettings, DEFAULT_DRILL_EVERY, type DrillSettings } from "../drill";
import { type DrillPlan, planDrill } from "../drill-plan";
import type { DurationInput } from "../duration";
import type { Problems } from "../errors";
import type { JobConfig, SourceConfig } from "../job-config";
import type { EstatePlan } from "../objectives";
import { envStem } from "./offsite";
import { type BackupRunnerDesign, checkDropletSize, type RunnerJob } from "./backup-runner";
import { DAILY_BACKUP_HOUR_UTC } from "./schedule";

/**
 * Scheduled restore drills on DigitalOcean (opt-in). A drill decrypts what it restores, and the backup
 * runner deliberately holds only the age recipients; so drills run on a second droplet, the drill
 * runner, which holds the identity and nothing of the backup runner's duties:
 *
 * - The identity reaches it only in its user data, a secret in the Pulumi state, written by
 *   cloud-init into the root-only environment file systemd reads when it starts a drill
 *   (`LIFEBOAT_AGE_IDENTITY`); the cloud-init copies are shredded after the first boot, and the jobs'
 *   user is kept away from the metadata service, exactly as on the backup runner.
 * - It accepts no inbound traffic (no health endpoint, SSH only from `runner.sshFrom`).
 * - Its records go to `drills/<source>/` in the vault, where the backup runner's health endpoint
 *   (the dead-man's switch) reads them: a failed drill, no successful drill within its period, or a
 *   restore slower than the RTO answers 503.
 *
 * Scratch targets: a PostgreSQL drill restores into a new database on the source's managed cluster
 * (`lifeboat_drill_<stamp>`, dropped afterwards); a Valkey drill needs a declared empty database
 * index (`scratch: { database: 15 }`) because a copy next to production shares its memory; a Spaces
 * drill needs a declared scratch bucket (`scratch: { bucket }`), which the drill runner's key may
 * write and delete in. A source without its declared scratch target is not drilled, and the posture says so.
 */
export interface DoDrillSettings {
  /** How often each source is drilled, unless it says otherwise: 1 to 92 days. @default "30d" (monthly) */
  readonly every?: DurationInput;
  /** The drill runner's droplet size: a restore streams through memory as a backup does. @default "s-1vcpu-2gb" */
  readonly size?: unknown;
  /**
   * Per source, by name: its scratch target, smoke queries and interval, or `false` to leave it undrilled.
   * @default - PostgreSQL sources drilled into a scratch database on their cluster; Valkey and Spaces sources not drilled
   */
  readonly sources?: Readonly<Record<string, DrillSettings | false>>;
}

/** Everything decided for the drills of a DigitalOcean estate. */
export interface DoDrillsDesign {
  /** The drill runner: the backup runner's design with the drill timers instead of backups, no health endpoint, no inbound traffic. */
  readonly runner: BackupRunnerDesign;
  /** Per drilled source, by name: its schedule, RTO and alarms (as the AWS estate plans them). */
  readonly plans: Readonly<Record<string, DrillPlan>>;
  /** Per drilled source, by name: the `drill` settings of its job configuration. */
  readonly settings: Readonly<Record<string, DrillSettings>>;
  /** What the backup runner's health endpoint watches, one entry per drilled source. */
  readonly watches: readonly DrillWatch[];
  /** Per source with a logical backup that is not drilled, by name: why, for the posture. */
  readonly undrilled: Readonly<Record<string, string>>;
}

/** The tag of the drill runner droplet. */
export const DRILL_RUNNER_TAG = "lifeboat-drill-runner";

/** The environment variable carrying the identity into a drill (read from the root-only environment file). */
export const AGE_IDENTITY_VARIABLE = "LIFEBOAT_AGE_IDENTITY";

const AGE_IDENTITY = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;

/** Records a problem unless `value` is an age X25519 identity or a deploy-time value (a Pulumi secret). Never echoes it. */
export function checkAgeIdentity(value: unknown, argument: string, problems: Problems): void {
  if (isDeployTimeValue(value)) return;
  if (typeof value !== "string" || !AGE_IDENTITY.test(value.trim())) {
    problems.add(
      argument,
      typeof value === "string" ? "a string that is not an age identity (not shown)" : value,
      'must be the age X25519 identity matching `encryption.ageRecipients` ("AGE-SECRET-KEY-1" and 58 characters), best as a Pulumi secret: `config.requireSecret("ageIdentity")` after `pulumi config set --secret ageIdentity "$(cat key.txt)"`.',
    );
  }
}

/**
 * The systemd `OnCalendar` of a drill run at least every `days` days: day-of-month steps below a
 * month (`*-*-01/7`: never more than 7 days apart, the last gap of a month shorter), month steps above
 * (`*-01/2-01`). Drills start at 03:00 UTC, two hours after the daily backups, each source 20 minutes
 * after the previous one.
 */
export function drillOnCalendar(days: number, index: number): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const minutes = (DAILY_BACKUP_HOUR_UTC + 2) * 60 + index * 20;
  const time = `${two(Math.floor(minutes / 60) % 24)}:${two(minutes % 60)}:00 UTC`;
  if (days <= 31) return days === 1 ? `*-*-* ${time}` : `*-*-01/${days} ${time}`;
  const months = Math.floor(days / 31);
  return months === 1 ? `*-*-01 ${time}` : `*-01/${months}-01 ${time}`;
}

/** The drill may run twice the RTO, at least an hour, before systemd stops it: slower already fails the objective, and it must end to write its record. */
export function drillTimeoutSeconds(rtoMinutes: number): number {
  return Math.max(60, 2 * rtoMinutes) * 60;
}

/** The health endpoint's watch of a drill plan, from the same alarm specs the AWS estate renders. */
export function drillWatch(plan: DrillPlan): DrillWatch {
  const spec = (suffix: string) => plan.alarms.find((a) => a.id === `${plan.source}-drill-${suffix}`)!;
  return {
    source: plan.source,
    everyMinutes: plan.schedule.intervalMinutes,
    staleAfterMinutes: spec("stale").threshold,
    rtoMinutes: spec("slow").threshold / 60,
    alarmWindowMinutes: spec("failed").periodSeconds / 60,
  };
}

/**
 * Validates the drills of a DigitalOcean estate and decides them: which sources are drilled (every
 * one with a logical backup, except Valkey and Spaces sources without a declared scratch target and
 * sources set to `false`), each one's schedule and alarms, and the drill runner. `backupRunner` is
 * the backup runner's design, whose size, packages and firewall the drill runner starts from.
 */
export function checkDoDrills(settings: DoDrillSettings | undefined, identity: unknown, plan: EstatePlan | undefined, backupRunner: BackupRunnerDesign | undefined, problems: Problems, path = "drills."): DoDrillsDesign | undefined {
  const before = problems.all.length;
  checkAgeIdentity(identity, `${path}identity`, problems);
  const size = checkDropletSize(settings?.size, `${path}size`, problems);
  const declared = settings?.sources ?? {};
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) problems.add(`${path}sources`, declared, "must map source names to drill settings or false, such as { \"cache\": { \"scratch\": { \"database\": 15 } } }.");
  const logical = (plan?.sources ?? []).filter((s) => s.logical);
  if (plan) {
    for (const name of Object.keys(declared)) {
      const source = plan.sources.find((s) => s.name === name);
      if (!source) problems.add(`${path}sources.${name}`, name, `is not a source of this estate; the sources with backups are ${logical.map((s) => s.name).join(", ") || "none"}.`);
      else if (!source.logical) problems.add(`${path}sources.${name}`, declared[name], `has no logical backup in the vault to drill (a ${source.engine} source is protected by DigitalOcean's own backups); remove it.`);
    }
  }
  // The estate-wide interval is checked once, not once per source that inherits it.
  const everyValid = planDrill("every", 1, settings?.every ?? DEFAULT_DRILL_EVERY, problems, `${path}every`) !== undefined;
  const plans: Record<string, DrillPlan> = {};
  const chosen: Record<string, DrillSettings> = {};
  const undrilled: Record<string, string> = {};
  const jobs: RunnerJob[] = [];
  for (const source of logical) {
    const own = declared[source.name];
    const at = `${path}sources.${source.name}`;
    if (own === false) {
      undrilled[source.name] = `Restore drills are turned off for this source (\`drills.sources.${source.name}: false\`): its RTO stays an estimate.`;
      continue;
    }
    if (own !== undefined) checkDrillSettings(own, source.kind, at, problems);
    if (own === undefined && source.kind !== "postgres") {
      const example = source.kind === "redis" ? "{ scratch: { database: 15 } } (an empty database index on the cluster)" : '{ scratch: { bucket: "<a Spaces bucket the drill may write and delete in>" } }';
      undrilled[source.name] = `No restore drill: a ${source.kind === "redis" ? "Valkey" : "Spaces"} drill needs a declared scratch target, \`drills.sources.${source.name}\`: ${example}; its RTO stays an estimate.`;
      continue;
    }
    if (own?.every === undefined && !everyValid) continue;
    const drill = planDrill(source.name, source.objective.rtoMinutes, own?.every ?? settings?.every ?? DEFAULT_DRILL_EVERY, problems, own?.every !== undefined ? `${at}.every` : `${path}every`);
    if (!drill) continue;
    plans[source.name] = drill;
    const { every: _every, ...rest } = own ?? {};
    chosen[source.name] = rest;
    jobs.push({
      unit: `lifeboat-drill-${source.name}`,
      description: `Lifeboat: restore drill of ${source.name} into a scratch target`,
      args: ["drill", "--source", source.name],
      vault: "primary",
      onCalendar: drillOnCalendar(drill.schedule.intervalMinutes / 1440, jobs.length),
      timeoutSeconds: drillTimeoutSeconds(source.objective.rtoMinutes),
    });
  }
  if (problems.all.length > before || !backupRunner || !plan) return undefined;
  return {
    runner: {
      ...backupRunner,
      role: "drill",
      droplet: { ...backupRunner.droplet, size: size as string, tags: [DRILL_RUNNER_TAG] },
      jobs,
      firewall: { inbound: backupRunner.firewall.inbound.filter((r) => r.portRange === "22"), outbound: backupRunner.firewall.outbound },
    },
    plans,
    settings: chosen,
    watches: Object.values(plans).map(drillWatch),
    undrilled,
  };
}

/** The names of the environment variables holding a Spaces source's drill key (read on the source, read-write on the scratch bucket). */
export function drillSpacesKeyVariables(source: string): { readonly username: string; readonly password: string } {
  const stem = envStem(source);
  return { username: `${stem}_DRILL_ACCESS_KEY_ID`, password: `${stem}_DRILL_SECRET_ACCESS_KEY` };
}

/** The grants of a Spaces source's drill key: read the source bucket (as the backup does), read and write the scratch bucket (the drill restores there and removes what it restored). */
export function drillSpacesKeyGrants<B>(sourceBucket: B, scratchBucket: string): [{ bucket: B; permission: "read" }, { bucket: string; permission: "readwrite" }] {
  return [
    { bucket: sourceBucket, permission: "read" },
    { bucket: scratchBucket, permission: "readwrite" },
  ];
}

/**
 * The drill runner's job configuration: the backup runner's, with only the drilled sources, each
 * with its `drill` settings, and a Spaces source's credentials pointing at its drill key.
 */
export function drillJobConfig(config: JobConfig, design: DoDrillsDesign): JobConfig {
  const sources: SourceConfig[] = config.sources
    .filter((s) => design.plans[s.name])
    .map((s) => ({
      ...s,
      drill: design.settings[s.name]!,
      ...(s.kind === "objects" ? { credentials: { env: drillSpacesKeyVariables(s.name) } } : {}),
    })) as SourceConfig[];
  return { ...config, sources };
}
