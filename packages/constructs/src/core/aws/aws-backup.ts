import { checkKmsKeyArn, checkRegion } from "./aws-names";
import { regionOfArn } from "./database-backup";
import { isDeployTimeValue, knownString } from "../deploy-time";
import { checkWeeklyWindow, startsNearMaintenance, type WeeklyWindow } from "./time-window";
import { checkDays, describeDays, Duration, type DurationInput, checkWholeUnits } from "../duration";
import { Problems } from "../errors";
import { parseScheduleExpression } from "./schedule-expression";
import { RESTORE_TESTING_NAME_RULE, uniquePhysicalName } from "./physical-names";
import { policyDocument, type PolicyDocument } from "./iam";
import { checkTierDays, DEFAULT_RETENTION, type Tier, TIERS } from "../retention";

/**
 * How long AWS Backup keeps recovery points, per tier: one rule per tier that lives longer than the
 * tier before it (daily every day, weekly on Sundays, monthly on the 1st).
 */
export interface AwsBackupRetentionArgs {
  readonly daily: DurationInput;
  /** @default - the same as `daily` (no weekly rule) */
  readonly weekly?: DurationInput;
  /** @default - the same as `weekly` (no monthly rule) */
  readonly monthly?: DurationInput;
}

/**
 * Moving recovery points to cold storage. Only resource types that support it move (EFS, DynamoDB
 * with advanced features, and a few others); RDS and Aurora snapshots ignore it.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html#features-by-resource
 */
export interface ColdStorageArgs {
  /** Age at which recovery points move to cold storage. */
  readonly after: DurationInput;
  /**
   * The tiers that move.
   * @default - every tier kept at least `after` + 90 days
   */
  readonly tiers?: readonly Tier[];
}

/**
 * Continuous backup (point-in-time restore) for the resources that support it (RDS, Aurora, S3,
 * SAP HANA): a rule of its own, kept at most 35 days, never in cold storage. For RDS, AWS Backup then
 * manages the instance's automated backup retention.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html
 */
export interface ContinuousBackupArgs {
  /**
   * How long the continuous recovery point covers (1 to 35 days).
   * @default - the daily tier, at most 35 days
   */
  readonly retention?: DurationInput;
}

/** `GOVERNANCE`: users with the right IAM permissions can still remove the lock. `COMPLIANCE`: nobody can, once `changeableFor` has passed. */
export type BackupVaultLockMode = "GOVERNANCE" | "COMPLIANCE";

/**
 * AWS Backup Vault Lock: recovery points in the vault cannot be deleted before `minRetention`, and
 * no rule may keep them longer than `maxRetention`.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 */
export interface BackupVaultLockArgs {
  readonly mode: BackupVaultLockMode;
  /**
   * The shortest retention a recovery point may have. AWS Backup fails a job whose retention is
   * shorter, so it may not exceed the shortest rule.
   * @default - the shortest rule's retention
   */
  readonly minRetention?: DurationInput;
  /**
   * The longest retention a recovery point may have; at least the longest rule.
   * @default - no maximum
   */
  readonly maxRetention?: DurationInput;
  /**
   * `COMPLIANCE` only: how long the lock can still be changed or removed before it becomes immutable
   * (at least 72 hours).
   * @default 72 hours
   */
  readonly changeableFor?: DurationInput;
}

/** Which resources the plan backs up: these ARNs, and every resource carrying any of these tags. */
export interface BackupSelectionArgs<T = string> {
  /**
   * ARNs (or ARN patterns with `*`) of resources to back up.
   * @default - none; `tags` must be given
   */
  readonly resources?: readonly T[];
  /**
   * Tags: a resource with any of these tag values is backed up.
   * @default - none; `resources` must be given
   */
  readonly tags?: Readonly<Record<string, T>>;
  /**
   * ARNs (or patterns) excluded from the selection.
   * @default - none
   */
  readonly notResources?: readonly T[];
}

/** The recovery point a restore test picks within the selection window. */
export type RestoreTestingAlgorithm = "LATEST_WITHIN_WINDOW" | "RANDOM_WITHIN_WINDOW";

/**
 * A restore testing plan: AWS Backup restores a recent recovery point of each protected database on a
 * schedule, keeps the restored copy for the validation window, then deletes it.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
 */
export interface RestoreTestingArgs {
  /**
   * When tests start, as an AWS Backup cron expression (UTC).
   * @default "cron(0 9 ? * MON *)" - Mondays 09:00 UTC
   */
  readonly schedule?: string;
  /**
   * How long the restored database is kept for validation before AWS Backup deletes it (0 to 168 hours).
   * @default 1 hour
   */
  readonly validationWindow?: DurationInput;
  /**
   * How long after the scheduled time a test may start (1 to 168 hours).
   * @default 24 hours
   */
  readonly startWindow?: DurationInput;
  /**
   * How far back recovery points are eligible (1 to 365 days).
   * @default 7 days
   */
  readonly selectionWindow?: DurationInput;
  /** @default "LATEST_WITHIN_WINDOW" */
  readonly algorithm?: RestoreTestingAlgorithm;
  /**
   * The kind of database restored: `"RDS"` for DB instances, `"Aurora"` for clusters.
   * @default "RDS"
   */
  readonly resourceType?: "RDS" | "Aurora";
}

/** The engine-neutral settings of an AWS Backup plan. Values known only at deploy time are skipped. */
export interface AwsBackupPlanSettings {
  readonly retention?: AwsBackupRetentionArgs;
  readonly coldStorage?: ColdStorageArgs;
  readonly continuousBackup?: ContinuousBackupArgs | boolean;
  readonly backupTime?: string;
  readonly startWindow?: DurationInput;
  readonly completionWindow?: DurationInput;
  readonly lock?: BackupVaultLockArgs | false;
  readonly drRegion: unknown;
  readonly primaryRegion?: string;
  readonly vaultName?: unknown;
  readonly drVaultName?: unknown;
  readonly keyArn?: unknown;
  readonly drKeyArn?: unknown;
  readonly selection?: BackupSelectionArgs<unknown>;
  readonly restoreTesting?: RestoreTestingArgs | false;
  /**
   * The weekly maintenance windows of the protected databases (`"sun:05:00-sun:06:00"`): AWS Backup
   * does not start a backup in one or in the hour before it, so no rule may start there.
   * @default - none known
   */
  readonly maintenanceWindows?: readonly unknown[];
}

/** One rule of the plan. */
export interface BackupRulePlan {
  /** `daily`, `weekly`, `monthly` or `continuous`: the rule name AWS Backup shows. */
  readonly name: string;
  readonly tier?: Tier;
  /** AWS Backup cron expression, UTC. */
  readonly schedule: string;
  readonly continuous: boolean;
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
  readonly startWindowMinutes: number;
  readonly completionWindowMinutes: number;
}

export interface BackupVaultLockPlan {
  readonly mode: BackupVaultLockMode;
  readonly minRetentionDays: number;
  readonly maxRetentionDays?: number;
  /** Set only for `COMPLIANCE`: the provider makes a governance lock by leaving it out. */
  readonly changeableForDays?: number;
}

export interface RestoreTestingPlanDesign {
  readonly schedule: string;
  readonly validationWindowHours: number;
  readonly startWindowHours: number;
  readonly selectionWindowDays: number;
  readonly algorithm: RestoreTestingAlgorithm;
  readonly resourceType: "RDS" | "Aurora";
  readonly recoveryPointTypes: readonly ("SNAPSHOT" | "CONTINUOUS")[];
}

/** Everything decided about an AWS Backup plan before resources are created. */
export interface AwsBackupPlanDesign {
  readonly rules: readonly BackupRulePlan[];
  readonly lock?: BackupVaultLockPlan;
  readonly drRegion: string;
  /** Vault notification events, failures only. */
  readonly vaultEvents: readonly string[];
  readonly selectionTags: readonly { readonly key: string; readonly value: string }[];
  readonly restoreTesting?: RestoreTestingPlanDesign;
}

/** AWS Backup's rule: a recovery point stays in cold storage at least 90 days. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
/** AWS Backup keeps continuous backups at most 35 days. */
export const MAX_CONTINUOUS_BACKUP_DAYS = 35;
/** A compliance vault lock stays changeable at least 72 hours. */
export const MIN_LOCK_CHANGEABLE_DAYS = 3;
const MAX_BACKUP_DAYS = 36_500;
const LOCK_MODES: readonly BackupVaultLockMode[] = ["GOVERNANCE", "COMPLIANCE"];

/**
 * The vault notifications Lifeboat subscribes: the events that only ever report a failure. Backup
 * and restore job failures have no such event (`BACKUP_JOB_COMPLETED` reports successes too, and
 * `BACKUP_JOB_FAILED` is deprecated and never sent), so they come from EventBridge instead
 * ({@link AWS_BACKUP_FAILURE_PATTERN}, which the backup alarms subscribe).
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultNotifications.html
 */
export const VAULT_FAILURE_EVENTS: readonly string[] = ["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"];

/** The managed policies of the AWS Backup service role, under `arn:<partition>:iam::aws:policy/`. */
export const AWS_BACKUP_MANAGED_POLICIES: readonly string[] = ["service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"];

/**
 * 01:00 UTC: clear of the default RDS backup window (03:00 to 04:00) and, with the default one-hour
 * start window, of the default maintenance window (Sunday 05:00 to 06:00) and the hour before it,
 * in which AWS Backup never starts an RDS backup.
 */
export const DEFAULT_AWS_BACKUP_TIME = "01:00";
/** Times tried, in order, when maintenance windows rule out the default. */
const BACKUP_TIME_CANDIDATES = Array.from({ length: 24 }, (_, i) => `${String((i + 1) % 24).padStart(2, "0")}:00`);
const DEFAULT_RESTORE_TEST_SCHEDULE = "cron(0 9 ? * MON *)";

/**
 * The trust policy of the role AWS Backup assumes. It carries no `aws:SourceAccount` condition:
 * AWS Backup documents its service role without one, and who may hand the role to AWS Backup is
 * governed by `iam:PassRole`.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html
 */
export function awsBackupTrustPolicy(): PolicyDocument {
  return policyDocument([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }]);
}

/**
 * A name AWS Backup accepts for restore testing plans and selections (letters, digits and
 * underscores, at most 50 characters), unique to the deployment `scope` (see {@link scopeSuffix}):
 * these names are unique per account and region.
 */
export function restoreTestingName(name: string, suffix: string, scope: string): string {
  return uniquePhysicalName([name, suffix], scope, RESTORE_TESTING_NAME_RULE);
}

/** Records a problem unless `name` is a Backup vault name: 2 to 50 letters, digits, hyphens and underscores. */
export function checkBackupVaultName(name: string, argument: string, problems: Problems): void {
  if (!/^[A-Za-z0-9_-]{2,50}$/.test(name)) {
    problems.add(argument, name, "is not a Backup vault name: use 2 to 50 letters, digits, hyphens and underscores.");
  }
}

/** The rules (by tier) whose start window, at `time`, falls in or an hour before a maintenance window. */
function ruleConflicts(time: string, startWindowMinutes: number, windows: readonly WeeklyWindow[]): { tier: Tier; window: WeeklyWindow }[] {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) return [];
  const start = Number(match[1]) * 60 + Number(match[2]);
  // Daily rules run every day; the weekly rule on Sundays (see the schedules below); monthly on the 1st, any weekday.
  const days: Record<Tier, readonly number[] | undefined> = { daily: undefined, weekly: [0], monthly: undefined };
  return windows.flatMap((window) => TIERS.filter((tier) => startsNearMaintenance(start, startWindowMinutes, days[tier], window)).map((tier) => ({ tier, window })));
}

function cronAt(time: string, dayOfMonth: string, dayOfWeek: string): string {
  const [hours, minutes] = time.split(":").map(Number);
  return `cron(${minutes} ${hours} ${dayOfMonth} * ${dayOfWeek} *)`;
}

/** Validates a vault lock against the plan's rules, recording problems under `lock`. */
function checkLock(args: BackupVaultLockArgs, rules: readonly BackupRulePlan[], problems: Problems): BackupVaultLockPlan | undefined {
  const before = problems.all.length;
  if (!LOCK_MODES.includes(args.mode)) problems.add("lock.mode", args.mode, 'must be "GOVERNANCE" or "COMPLIANCE".');
  const shortest = Math.min(...rules.map((r) => r.deleteAfterDays));
  const longest = Math.max(...rules.map((r) => r.deleteAfterDays));
  const range = { min: 1, max: MAX_BACKUP_DAYS, why: "AWS Backup counts vault lock retention in whole days" };
  const minRetentionDays = args.minRetention === undefined ? shortest : checkDays(args.minRetention, "lock.minRetention", problems, range);
  if (minRetentionDays !== undefined && minRetentionDays > shortest) {
    problems.add("lock.minRetention", Duration.days(minRetentionDays), `is longer than the shortest rule, which keeps recovery points ${describeDays(shortest)}: AWS Backup fails every job whose retention is below the lock's minimum. Lower minRetention to at most ${describeDays(shortest)} or keep that rule longer.`);
  }
  const maxRetentionDays = args.maxRetention === undefined ? undefined : checkDays(args.maxRetention, "lock.maxRetention", problems, range);
  if (maxRetentionDays !== undefined && maxRetentionDays < longest) {
    problems.add("lock.maxRetention", Duration.days(maxRetentionDays), `is shorter than the longest rule, which keeps recovery points ${describeDays(longest)}: AWS Backup fails every job whose retention is above the lock's maximum. Raise maxRetention to at least ${describeDays(longest)}.`);
  }
  if (maxRetentionDays !== undefined && minRetentionDays !== undefined && maxRetentionDays < minRetentionDays) {
    problems.add("lock.maxRetention", Duration.days(maxRetentionDays), `must be at least lock.minRetention (${describeDays(minRetentionDays)}).`);
  }
  let changeableForDays: number | undefined;
  if (args.mode === "GOVERNANCE" && args.changeableFor !== undefined) {
    problems.add("lock.changeableFor", args.changeableFor, 'applies only to mode "COMPLIANCE": setting it turns the lock into a compliance lock that nobody can remove once the time has passed. Remove it, or set mode "COMPLIANCE" deliberately.');
  } else if (args.mode === "COMPLIANCE") {
    changeableForDays = checkDays(args.changeableFor ?? `${MIN_LOCK_CHANGEABLE_DAYS}d`, "lock.changeableFor", problems, {
      min: MIN_LOCK_CHANGEABLE_DAYS,
      max: MAX_BACKUP_DAYS,
      why: "AWS Backup keeps a compliance lock changeable for at least 72 hours (3 days), counted in whole days",
    });
  }
  if (problems.all.length > before || minRetentionDays === undefined) return undefined;
  return {
    mode: args.mode,
    minRetentionDays,
    ...(maxRetentionDays !== undefined ? { maxRetentionDays } : {}),
    ...(changeableForDays !== undefined ? { changeableForDays } : {}),
  };
}

function checkRestoreTesting(args: RestoreTestingArgs, continuous: boolean, problems: Problems): RestoreTestingPlanDesign | undefined {
  const before = problems.all.length;
  const schedule = args.schedule ?? DEFAULT_RESTORE_TEST_SCHEDULE;
  if (typeof schedule !== "string" || !schedule.startsWith("cron(")) {
    problems.add("restoreTesting.schedule", schedule, 'is not an AWS Backup cron expression: write six fields in cron(...), like "cron(0 9 ? * MON *)" (Mondays 09:00 UTC).');
  } else {
    parseScheduleExpression(schedule, "restoreTesting.schedule", problems);
  }
  const validationWindowHours = checkWholeUnits(args.validationWindow ?? "1h", "restoreTesting.validationWindow", problems, "hour", {
    min: 0,
    max: 168,
    why: "AWS Backup keeps a restored resource for validation 0 to 168 hours",
  });
  const startWindowHours = checkWholeUnits(args.startWindow ?? "24h", "restoreTesting.startWindow", problems, "hour", {
    min: 1,
    max: 168,
    why: "AWS Backup starts a restore test within 1 to 168 hours of its scheduled time",
  });
  const selectionWindowDays = checkDays(args.selectionWindow ?? "7d", "restoreTesting.selectionWindow", problems, { min: 1, max: 365, why: "AWS Backup picks recovery points from the last 1 to 365 days" });
  const algorithm = args.algorithm ?? "LATEST_WITHIN_WINDOW";
  if (algorithm !== "LATEST_WITHIN_WINDOW" && algorithm !== "RANDOM_WITHIN_WINDOW") {
    problems.add("restoreTesting.algorithm", algorithm, 'must be "LATEST_WITHIN_WINDOW" or "RANDOM_WITHIN_WINDOW".');
  }
  const resourceType = args.resourceType ?? "RDS";
  if (resourceType !== "RDS" && resourceType !== "Aurora") {
    problems.add("restoreTesting.resourceType", resourceType, 'must be "RDS" (DB instances) or "Aurora" (clusters).');
  }
  if (problems.all.length > before || validationWindowHours === undefined || startWindowHours === undefined || selectionWindowDays === undefined) return undefined;
  return {
    schedule,
    validationWindowHours,
    startWindowHours,
    selectionWindowDays,
    algorithm,
    resourceType,
    recoveryPointTypes: continuous ? ["SNAPSHOT", "CONTINUOUS"] : ["SNAPSHOT"],
  };
}

/**
 * Validates an AWS Backup plan and derives its rules: one per tier that outlives the tier before it,
 * each copied to the DR region with the same lifecycle; cold storage only where a recovery point then
 * stays there 90 days; an optional continuous rule of at most 35 days, never in cold storage; a vault
 * lock that every rule satisfies; a selection that selects something; a restore testing plan.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
 */
export function planAwsBackup(settings: AwsBackupPlanSettings, subject: string): AwsBackupPlanDesign {
  const problems = new Problems();
  const retention = settings.retention ?? DEFAULT_RETENTION;
  if (typeof retention === "object" && retention !== null) {
    for (const key of Object.keys(retention)) {
      if (!(TIERS as readonly string[]).includes(key)) {
        problems.add(`retention.${key}`, (retention as unknown as Record<string, unknown>)[key], `is not an AWS Backup retention setting; the settings are ${TIERS.join(", ")} (cold storage is \`coldStorage\`).`);
      }
    }
  }
  const tiers = checkTierDays(retention, "retention", problems, { min: 1, max: MAX_BACKUP_DAYS, why: "AWS Backup counts retention in whole days" });

  const startWindowMinutes = checkWholeUnits(settings.startWindow ?? "1h", "startWindow", problems, "minute", { min: 60, why: "AWS Backup needs a start window of at least 60 minutes" });
  const maintenanceWindows = (settings.maintenanceWindows ?? []).flatMap((w, i) => {
    if (isDeployTimeValue(w)) return [];
    const window = checkWeeklyWindow(w, `maintenanceWindows[${i}]`, problems, { minMinutes: 30, service: "RDS" });
    return window ? [window] : [];
  });
  const conflicts = (time: string) => (startWindowMinutes === undefined ? [] : ruleConflicts(time, startWindowMinutes, maintenanceWindows));
  const backupTime = settings.backupTime ?? BACKUP_TIME_CANDIDATES.find((t) => conflicts(t).length === 0) ?? DEFAULT_AWS_BACKUP_TIME;
  const timeKnown = /^([01]\d|2[0-3]):[0-5]\d$/.test(backupTime);
  if (!timeKnown) problems.add("backupTime", backupTime, 'is not a time of day: write it "hh:mm" in UTC, like "01:00".');
  else {
    const found = conflicts(backupTime);
    for (const window of new Set(found.map((c) => c.window))) {
      const tier = found.filter((c) => c.window === window).map((c) => c.tier).join(" and ");
      problems.add(
        "backupTime",
        backupTime,
        `with a start window of ${Duration.minutes(startWindowMinutes as number).describe()} lets the ${tier} backup start in or within an hour before the maintenance window ${JSON.stringify(window.text)}, where AWS Backup does not start RDS backups, so that backup never runs. Choose a backupTime at least an hour before the window opens (minus the start window) or after it closes, or move the maintenance window.`,
      );
    }
  }
  const completionWindowMinutes = checkWholeUnits(settings.completionWindow ?? "1d", "completionWindow", problems, "minute", { min: 60, why: "AWS Backup counts the completion window in whole minutes" });
  if (startWindowMinutes !== undefined && completionWindowMinutes !== undefined && completionWindowMinutes <= startWindowMinutes) {
    problems.add("completionWindow", Duration.minutes(completionWindowMinutes), `must be longer than startWindow (${Duration.minutes(startWindowMinutes).describe()}): it counts from the scheduled time, so a job that starts late would be cancelled before it can run.`);
  }

  let coldAfterDays: number | undefined;
  let coldTiers: Tier[] = [];
  if (settings.coldStorage !== undefined) {
    coldAfterDays = checkDays(settings.coldStorage.after, "coldStorage.after", problems, { min: 1, max: MAX_BACKUP_DAYS, why: "AWS Backup counts lifecycle days" });
    if (coldAfterDays !== undefined && tiers) {
      const needed = coldAfterDays + COLD_STORAGE_MINIMUM_DAYS;
      const why = `AWS Backup keeps a recovery point in cold storage at least ${COLD_STORAGE_MINIMUM_DAYS} days, so deleteAfter must be at least moveToColdStorageAfter + ${COLD_STORAGE_MINIMUM_DAYS} days (${describeDays(needed)})`;
      if (settings.coldStorage.tiers !== undefined) {
        for (const tier of settings.coldStorage.tiers as readonly string[]) {
          if (tier === "continuous") {
            problems.add("coldStorage.tiers", tier, "cannot move to cold storage: AWS Backup never moves continuous backups to cold storage. Remove it.");
          } else if (!(TIERS as readonly string[]).includes(tier)) {
            problems.add("coldStorage.tiers", tier, `is not a tier; use ${TIERS.join(", ")}.`);
          } else if (tiers[tier as Tier] < needed) {
            problems.add(`retention.${tier}`, Duration.days(tiers[tier as Tier]), `is too short for cold storage after ${describeDays(coldAfterDays)}: ${why}. Keep ${tier} at least ${describeDays(needed)}, move sooner, or remove ${tier} from coldStorage.tiers.`);
          } else {
            coldTiers.push(tier as Tier);
          }
        }
        if (settings.coldStorage.tiers.length === 0) problems.add("coldStorage.tiers", settings.coldStorage.tiers, "is empty: list the tiers to move, or remove coldStorage.");
      } else {
        coldTiers = TIERS.filter((t) => tiers[t] >= needed);
        if (coldTiers.length === 0) {
          problems.add("coldStorage.after", Duration.days(coldAfterDays), `applies to no tier: ${why}, and the longest tier is kept ${describeDays(tiers.monthly)}. Keep monthly at least ${describeDays(needed)}, move sooner, or remove coldStorage.`);
        }
      }
    }
  }

  let continuousDays: number | undefined;
  const continuous = settings.continuousBackup === true ? {} : settings.continuousBackup === false ? undefined : settings.continuousBackup;
  if (continuous !== undefined) {
    const input = continuous.retention ?? (tiers ? `${Math.min(tiers.daily, MAX_CONTINUOUS_BACKUP_DAYS)}d` : `${MAX_CONTINUOUS_BACKUP_DAYS}d`);
    continuousDays = checkDays(input, "continuousBackup.retention", problems, { min: 1, max: MAX_CONTINUOUS_BACKUP_DAYS, why: "AWS Backup keeps continuous backups at most 35 days" });
  }

  const drRegionKnown = checkRegion(settings.drRegion, "dr.region", problems);
  if (drRegionKnown && settings.primaryRegion !== undefined && settings.drRegion === settings.primaryRegion) {
    problems.add("dr.region", settings.drRegion, `must differ from the primary's region (${settings.primaryRegion}): a copy in the same region does not survive a regional outage. Choose another region, such as ${settings.primaryRegion.startsWith("us-west") ? "us-east-2" : "us-west-2"}.`);
  }
  for (const [argument, value] of [["vaultName", settings.vaultName], ["dr.vaultName", settings.drVaultName]] as const) {
    const name = knownString(value);
    if (name !== undefined) checkBackupVaultName(name, argument, problems);
  }
  const keyArn = knownString(settings.keyArn);
  if (keyArn !== undefined) checkKmsKeyArn(keyArn, "key", problems);
  const drKeyArn = knownString(settings.drKeyArn);
  if (drKeyArn !== undefined) {
    const before = problems.all.length;
    checkKmsKeyArn(drKeyArn, "dr.key", problems);
    if (problems.all.length === before && drRegionKnown && regionOfArn(drKeyArn) !== settings.drRegion) {
      problems.add("dr.key", drKeyArn, `is a key in ${regionOfArn(drKeyArn)}, but the DR vault is in ${settings.drRegion as string} and a vault can only use a key of its own region. Pass a key created in ${settings.drRegion as string}, or omit dr.key to have one created there.`);
    }
  }

  const selection = settings.selection ?? {};
  const resources = selection.resources ?? [];
  const tagEntries = Object.entries(selection.tags ?? {});
  if (resources.length === 0 && tagEntries.length === 0) {
    problems.add("selection", settings.selection, 'selects nothing: give `resources` (ARNs, such as a database\'s arn) or `tags` (such as { backup: "daily" }).');
  }
  for (const [list, values] of [["resources", resources], ["notResources", selection.notResources ?? []]] as const) {
    values.forEach((value, i) => {
      const arn = knownString(value);
      if (arn !== undefined && arn !== "*" && !/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(arn)) {
        problems.add(`selection.${list}[${i}]`, arn, 'is not an ARN: write the full ARN, like "arn:aws:rds:us-east-1:123456789012:db:orders", or a pattern with "*".');
      }
    });
  }
  const selectionTags: { key: string; value: string }[] = [];
  for (const [key, value] of tagEntries) {
    const text = knownString(value);
    if (key.length === 0 || key.length > 128 || key.startsWith("aws:")) {
      problems.add("selection.tags", key, 'has a tag key AWS does not allow: 1 to 128 characters, not starting with "aws:".');
    } else if (text !== undefined) {
      selectionTags.push({ key, value: text });
    } else {
      problems.add(`selection.tags.${key}`, value, "must be known when the program runs: AWS Backup selections match fixed tag values.");
    }
  }

  const rules: BackupRulePlan[] = [];
  if (tiers && timeKnown && startWindowMinutes !== undefined && completionWindowMinutes !== undefined) {
    const schedules: Record<Tier, string> = { daily: cronAt(backupTime, "?", "*"), weekly: cronAt(backupTime, "?", "SUN"), monthly: cronAt(backupTime, "1", "?") };
    let previous = 0;
    for (const tier of TIERS) {
      // A tier kept no longer than the one before it adds nothing: that rule's recovery points already cover it.
      if (tier !== "daily" && tiers[tier] <= previous) continue;
      previous = tiers[tier];
      rules.push({
        name: tier,
        tier,
        schedule: schedules[tier],
        continuous: false,
        deleteAfterDays: tiers[tier],
        ...(coldTiers.includes(tier) && coldAfterDays !== undefined ? { coldStorageAfterDays: coldAfterDays } : {}),
        startWindowMinutes,
        completionWindowMinutes,
      });
    }
    if (continuousDays !== undefined) {
      rules.push({ name: "continuous", schedule: schedules.daily, continuous: true, deleteAfterDays: continuousDays, startWindowMinutes, completionWindowMinutes });
    }
  }

  const lock = settings.lock === false || rules.length === 0 ? undefined : checkLock(settings.lock ?? { mode: "GOVERNANCE" }, rules, problems);
  const restoreTesting = settings.restoreTesting === false ? undefined : checkRestoreTesting(settings.restoreTesting ?? {}, continuousDays !== undefined, problems);

  problems.throwIfAny(subject);
  return {
    rules,
    ...(lock ? { lock } : {}),
    drRegion: settings.drRegion as string,
    vaultEvents: VAULT_FAILURE_EVENTS,
    selectionTags,
    ...(restoreTesting ? { restoreTesting } : {}),
  };
}
