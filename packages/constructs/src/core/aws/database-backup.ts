import { checkKmsKeyArn, checkRegion } from "./aws-names";
import { isDeployTimeValue, knownString } from "../deploy-time";
import { checkDays, Duration, type DurationInput } from "../duration";
import { Problems } from "../errors";
import type { SourceEngine } from "../objectives";
import { SNAPSHOT_IDENTIFIER_RULE, uniquePhysicalName } from "./physical-names";
import { checkDailyWindow, checkWeeklyWindow, windowsOverlap } from "./time-window";

/** The managed databases whose native backups Lifeboat configures. */
export type ManagedDatabaseEngine = Extract<SourceEngine, "rds-instance" | "aurora-cluster" | "elasticache">;

/**
 * What each service imposes on its backup settings.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html
 */
export const MANAGED_DATABASE_FACTS: Readonly<
  Record<ManagedDatabaseEngine, { readonly label: string; readonly backups: string; readonly minBackupWindowMinutes: number; readonly minMaintenanceWindowMinutes: number }>
> = {
  "rds-instance": { label: "RDS", backups: "RDS automated backups", minBackupWindowMinutes: 30, minMaintenanceWindowMinutes: 30 },
  "aurora-cluster": { label: "Aurora", backups: "Aurora automated backups", minBackupWindowMinutes: 30, minMaintenanceWindowMinutes: 30 },
  elasticache: { label: "ElastiCache", backups: "ElastiCache automatic snapshots", minBackupWindowMinutes: 60, minMaintenanceWindowMinutes: 60 },
};

/** RDS, Aurora and ElastiCache keep automated backups at most this many days. */
export const MAX_AUTOMATED_BACKUP_DAYS = 35;
/** Seven days of automated backups: a week of point-in-time recovery, the least the policy pack accepts. */
export const DEFAULT_DATABASE_RETENTION_DAYS = 7;
/** 03:00 to 04:00 UTC, every day. */
export const DEFAULT_BACKUP_WINDOW = "03:00-04:00";
/** Sunday 05:00 to 06:00 UTC: after the backup window, never overlapping it. */
export const DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00";

/** The backup arguments of a managed database that every front end takes, declared once. */
export interface DatabaseBackupOptions {
  /**
   * How long automated backups (point-in-time recovery) or automatic snapshots are kept: 1 to 35
   * days. Zero, which turns backups off, is refused.
   * @default 7 days
   */
  readonly retention?: DurationInput;
  /**
   * The daily backup window, `"hh24:mi-hh24:mi"` in UTC: at least 30 minutes (60 for ElastiCache),
   * not overlapping the maintenance window.
   * @default "03:00-04:00"
   */
  readonly backupWindow?: string;
  /**
   * The weekly maintenance window, `"ddd:hh24:mi-ddd:hh24:mi"` in UTC.
   * @default "sun:05:00-sun:06:00"
   */
  readonly maintenanceWindow?: string;
}

/** RDS and Aurora also refuse deletion unless told otherwise. */
export interface RdsBackupOptions extends DatabaseBackupOptions {
  /**
   * Refuse deletion of the database until this is turned off. Turning it off is the explicit step
   * before deleting a database.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** RDS and Aurora refuse deletion unless told otherwise. */
export const DEFAULT_DELETION_PROTECTION = true;

/** The engine-neutral backup settings of one managed database. Values known only at deploy time are skipped. */
export interface DatabaseBackupSettings {
  readonly engine: ManagedDatabaseEngine;
  /** The database's name in the program, from which the default final snapshot identifier is derived. */
  readonly name: string;
  /**
   * What tells this deployment's stacks apart (Pulumi's `<project>/<stack>`): the default final
   * snapshot identifier carries a suffix derived from it, so two stacks in one account and region
   * never ask for the same snapshot name.
   */
  readonly scope: string;
  readonly retention?: DurationInput;
  readonly backupWindow?: unknown;
  readonly maintenanceWindow?: unknown;
  readonly finalSnapshotIdentifier?: unknown;
  /** The storage key: an ARN (checked), a deploy-time value (not checked) or `undefined` (refused). */
  readonly key?: unknown;
  /**
   * Why a key given as an ARN string cannot be used here, and what to pass instead, when the front
   * end cannot turn an ARN into a key (CDK's L2 database props take an `IKey`): such a key is refused
   * rather than silently replaced by the AWS managed key.
   * @default - a key ARN is accepted
   */
  readonly keyArnRefused?: string;
  /** Refuse deletion (RDS and Aurora). @default true */
  readonly deletionProtection?: boolean;
}

/** A managed database's backup settings after validation. */
export interface DatabaseBackupPlan {
  readonly engine: ManagedDatabaseEngine;
  readonly retentionDays: number;
  /** The daily backup (snapshot) window, UTC. */
  readonly backupWindow: string;
  /** The weekly maintenance window, UTC. */
  readonly maintenanceWindow: string;
  /** The final snapshot's identifier; `undefined` when the one passed is known only at deploy time. */
  readonly finalSnapshotIdentifier?: string;
  /** Whether deletion is refused (RDS and Aurora; ElastiCache has no such setting). */
  readonly deletionProtection: boolean;
}

/**
 * Checks how long a managed database keeps automated backups: 1 to 35 days. Zero is refused with
 * its reason, because it switches backups (and point-in-time recovery) off.
 */
export function checkAutomatedBackupRetention(input: unknown, argument: string, problems: Problems, engine: ManagedDatabaseEngine): number | undefined {
  const facts = MANAGED_DATABASE_FACTS[engine];
  const duration = Duration.check(input, argument, problems);
  if (duration === undefined) return undefined;
  if (duration.seconds === 0) {
    const what = engine === "elasticache" ? "automatic snapshots" : "automated backups and point-in-time recovery";
    problems.add(argument, Duration.days(0), `turns ${what} off: ${facts.label} treats 0 days as "no backups". Keep backups 1 to ${MAX_AUTOMATED_BACKUP_DAYS} days, such as "${DEFAULT_DATABASE_RETENTION_DAYS}d".`);
    return undefined;
  }
  return checkDays(duration, argument, problems, { min: 1, max: MAX_AUTOMATED_BACKUP_DAYS, why: `${facts.backups} are kept 1 to ${MAX_AUTOMATED_BACKUP_DAYS} days` });
}

/**
 * Records a problem unless `id` is a snapshot identifier RDS accepts (Lifeboat holds ElastiCache
 * snapshot names to the same rule): 1 to 255 letters, digits and hyphens, a letter first, no two
 * hyphens in a row, no hyphen last.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
 */
export function checkSnapshotIdentifier(id: string, argument: string, problems: Problems): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(id) || id.includes("--") || id.endsWith("-")) {
    problems.add(argument, id, 'must be 1 to 255 letters, digits and hyphens, start with a letter, with no two hyphens in a row and no hyphen at the end, like "orders-final-snapshot".');
  }
}

/**
 * Records a problem unless `id` identifies a database the way the service requires: a DB instance
 * or cluster identifier (1 to 63 characters) or an ElastiCache replication group id (1 to 40), made
 * of letters, digits and hyphens, a letter first, no two hyphens in a row, no hyphen last.
 */
export function checkDatabaseIdentifier(id: string, argument: string, problems: Problems, engine: ManagedDatabaseEngine): void {
  const max = engine === "elasticache" ? 40 : 63;
  if (!new RegExp(`^[A-Za-z][A-Za-z0-9-]{0,${max - 1}}$`).test(id) || id.includes("--") || id.endsWith("-")) {
    const what = engine === "elasticache" ? "an ElastiCache replication group id" : engine === "aurora-cluster" ? "an Aurora cluster identifier" : "a DB instance identifier";
    problems.add(argument, id, `is not ${what}: use 1 to ${max} letters, digits and hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end.`);
  }
}

/**
 * Validates a managed database's backup settings: retention 1 to 35 days, a backup window of at
 * least 30 minutes (60 for ElastiCache) that does not overlap the maintenance window, a final
 * snapshot identifier the service accepts, and a customer managed key for storage.
 */
export function checkDatabaseBackup(settings: DatabaseBackupSettings, problems: Problems): DatabaseBackupPlan | undefined {
  const before = problems.all.length;
  const facts = MANAGED_DATABASE_FACTS[settings.engine];
  const retentionDays = checkAutomatedBackupRetention(settings.retention ?? `${DEFAULT_DATABASE_RETENTION_DAYS}d`, "retention", problems, settings.engine);

  const backupWindowInput = settings.backupWindow ?? DEFAULT_BACKUP_WINDOW;
  const maintenanceWindowInput = settings.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW;
  const backupWindow = isDeployTimeValue(backupWindowInput) ? undefined : checkDailyWindow(backupWindowInput, "backupWindow", problems, { minMinutes: facts.minBackupWindowMinutes, service: facts.label });
  const maintenanceWindow = isDeployTimeValue(maintenanceWindowInput)
    ? undefined
    : checkWeeklyWindow(maintenanceWindowInput, "maintenanceWindow", problems, { minMinutes: facts.minMaintenanceWindowMinutes, service: facts.label });
  if (backupWindow && maintenanceWindow && windowsOverlap(backupWindow, maintenanceWindow)) {
    problems.add(
      "backupWindow",
      backupWindow.text,
      `overlaps the maintenance window ${JSON.stringify(maintenanceWindow.text)}: ${facts.label} ${settings.engine === "elasticache" ? "may skip a snapshot taken during maintenance" : "refuses a backup window that overlaps the maintenance window"}. Move one of them, for example backupWindow "${DEFAULT_BACKUP_WINDOW}" with maintenanceWindow "${DEFAULT_MAINTENANCE_WINDOW}".`,
    );
  }

  let finalSnapshotIdentifier: string | undefined;
  if (settings.finalSnapshotIdentifier === undefined) {
    finalSnapshotIdentifier = uniquePhysicalName([settings.name, "final-snapshot"], settings.scope, SNAPSHOT_IDENTIFIER_RULE);
  } else {
    finalSnapshotIdentifier = knownString(settings.finalSnapshotIdentifier);
    if (finalSnapshotIdentifier !== undefined) checkSnapshotIdentifier(finalSnapshotIdentifier, "finalSnapshotIdentifier", problems);
  }

  if (settings.key === undefined) {
    problems.add("key", undefined, `is required: ${facts.label} storage and its ${settings.engine === "elasticache" ? "snapshots" : "backups"} are encrypted with a customer managed key, which the account can audit and share with a DR region. Pass a VaultKey or a key ARN.`);
  } else if (knownString(settings.key) !== undefined && settings.keyArnRefused !== undefined) {
    problems.add("key", settings.key, `is a key ARN, which cannot be used here: ${settings.keyArnRefused} Without it the database would be encrypted with the AWS managed key.`);
  } else {
    const keyArn = knownString(settings.key);
    if (keyArn !== undefined) checkKmsKeyArn(keyArn, "key", problems);
  }
  if (settings.deletionProtection !== undefined && typeof settings.deletionProtection !== "boolean") {
    problems.add("deletionProtection", settings.deletionProtection, "must be true or false.");
  }

  if (problems.all.length > before || retentionDays === undefined) return undefined;
  return {
    engine: settings.engine,
    retentionDays,
    backupWindow: backupWindow?.text ?? (backupWindowInput as string),
    maintenanceWindow: maintenanceWindow?.text ?? (maintenanceWindowInput as string),
    ...(finalSnapshotIdentifier !== undefined ? { finalSnapshotIdentifier } : {}),
    deletionProtection: settings.deletionProtection ?? DEFAULT_DELETION_PROTECTION,
  };
}

/** Validates a managed database's backup settings and returns them, or throws every problem at once. */
export function planDatabaseBackup(settings: DatabaseBackupSettings, subject: string): DatabaseBackupPlan {
  const problems = new Problems();
  const plan = checkDatabaseBackup(settings, problems);
  problems.throwIfAny(subject);
  return plan as DatabaseBackupPlan;
}

/** The region in an ARN (`arn:aws:kms:us-west-2:...`), when it names one. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}

const DATABASE_ARN: Readonly<Record<ManagedDatabaseEngine, { readonly service: string; readonly resource: string; readonly example: string }>> = {
  "rds-instance": { service: "rds", resource: "db", example: "arn:aws:rds:us-east-1:123456789012:db:orders" },
  "aurora-cluster": { service: "rds", resource: "cluster", example: "arn:aws:rds:us-east-1:123456789012:cluster:orders" },
  elasticache: { service: "elasticache", resource: "replicationgroup", example: "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions" },
};

/** The ARN of a managed database from its identifier, the way the service writes it. */
export function databaseArn(engine: ManagedDatabaseEngine, at: { partition: string; region: string; account: string; identifier: string }): string {
  const shape = DATABASE_ARN[engine];
  return `arn:${at.partition}:${shape.service}:${at.region}:${at.account}:${shape.resource}:${at.identifier}`;
}

/** How an adopted database is named in arguments, per engine. */
export const ADOPTED_DATABASE_KEYS: Readonly<Record<string, ManagedDatabaseEngine>> = { rdsInstance: "rds-instance", auroraCluster: "aurora-cluster", elastiCache: "elasticache" };

/**
 * The engine of an adopted database given as `{ rdsInstance }`, `{ auroraCluster }` or
 * `{ elastiCache }`; throws when not exactly one is given, since nothing else can be judged
 * without the engine.
 */
export function adoptedEngine(database: Readonly<Record<string, unknown>>, subject: string): { engine: ManagedDatabaseEngine; key: string } {
  const keys = Object.keys(database ?? {}).filter((k) => database[k] !== undefined);
  const known = keys.filter((k) => k in ADOPTED_DATABASE_KEYS);
  if (known.length !== 1 || keys.length !== 1) {
    const problems = new Problems();
    problems.add("database", keys, "must name exactly one database: { rdsInstance }, { auroraCluster } or { elastiCache }, each the resource, its ARN or its identifier.");
    problems.throwIfAny(subject);
  }
  return { engine: ADOPTED_DATABASE_KEYS[known[0]!]!, key: known[0]! };
}

/**
 * Where the automated backups of an adopted RDS instance are replicated, declared once for every
 * front end. `K` is the front end's key (a VaultKey, or an existing key in the DR region).
 */
export interface DatabaseReplicaSettings<K = unknown> {
  /** The DR region, for example `"us-west-2"`. Must differ from the database's. */
  readonly region: string;
  /**
   * The key, in the DR region, that encrypts the replicated backups: a VaultKey created in the DR
   * region, or a key ARN there.
   * @default - a new VaultKey in the DR region
   */
  readonly key?: K;
  /**
   * How long the replicated automated backups are kept (1 to 35 days).
   * @default 7 days
   */
  readonly retention?: DurationInput;
}

/** The arguments of a DatabaseBackups, declared once; `R` is the front end's {@link DatabaseReplicaSettings}. */
export interface DatabaseBackupsArguments<R extends DatabaseReplicaSettings> {
  /**
   * RDS instances only: replicate automated backups (and their point-in-time recovery) to this
   * region. `false` keeps them in one region and must be said explicitly (for example because an
   * AwsBackupPlan copies the instance's snapshots to the DR region). Refused for Aurora and
   * ElastiCache, which have no cross-region automated backups.
   * @default - required for an RDS instance
   */
  readonly dr?: R | false;
}

/** Where the automated backups of an RDS instance are replicated, as core validates them. */
export interface BackupReplicationSettings {
  readonly region: unknown;
  /** The destination key: an ARN (checked, and its region too), a deploy-time value or `undefined` (one is created). */
  readonly keyArn?: unknown;
  readonly retention?: DurationInput;
}

/** The engine-neutral settings of an adopted managed database. */
export interface DatabaseAdoptionSettings {
  readonly engine: ManagedDatabaseEngine;
  /** The database's ARN or identifier when given as text; deploy-time values and resource objects are skipped. */
  readonly reference?: unknown;
  /** `false` opts out explicitly; `undefined` means not given. */
  readonly dr?: BackupReplicationSettings | false;
  /** The primary region when known now. */
  readonly primaryRegion?: string;
}

/** An adopted database's plan: where its automated backups are replicated, if anywhere. */
export interface DatabaseAdoptionPlan {
  readonly engine: ManagedDatabaseEngine;
  readonly replication?: { readonly region: string; readonly retentionDays: number };
}

/**
 * Validates an adopted database: an identifier or ARN of the right kind, and for an RDS instance the
 * region its automated backups are replicated to: another region, with a key in that region (RDS
 * encrypts the replicated backups with a key of the destination region). Aurora and ElastiCache
 * have no cross-region automated backups, so `dr` is refused for them.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 */
export function planDatabaseAdoption(settings: DatabaseAdoptionSettings, subject: string): DatabaseAdoptionPlan {
  const problems = new Problems();
  const { engine } = settings;
  const reference = knownString(settings.reference);
  let sourceRegion = settings.primaryRegion;
  if (reference !== undefined) {
    if (reference.startsWith("arn:")) {
      const shape = DATABASE_ARN[engine];
      const pattern = new RegExp(`^arn:aws[a-z-]*:${shape.service}:[a-z0-9-]+:\\d{12}:${shape.resource}:[A-Za-z][A-Za-z0-9-]*$`);
      if (!pattern.test(reference)) {
        problems.add("database", reference, `is not the ARN of ${engine === "elasticache" ? "an ElastiCache replication group" : engine === "aurora-cluster" ? "an Aurora cluster" : "an RDS DB instance"}; write it like "${shape.example}", or pass the identifier or the resource.`);
      } else {
        sourceRegion = regionOfArn(reference) ?? sourceRegion;
      }
    } else {
      checkDatabaseIdentifier(reference, "database", problems, engine);
    }
  }

  let replication: DatabaseAdoptionPlan["replication"];
  if (engine !== "rds-instance") {
    if (settings.dr !== undefined && settings.dr !== false) {
      const instead = engine === "aurora-cluster"
        ? "copy its snapshots to the DR region with an AwsBackupPlan (or run an Aurora global database)"
        : "export snapshots to S3 and replicate the bucket, or run a Global Datastore";
      problems.add("dr", settings.dr, `does not apply: ${MANAGED_DATABASE_FACTS[engine].label} has no cross-region automated backups. Remove dr and ${instead}.`);
    }
  } else if (settings.dr === undefined) {
    problems.add("dr", undefined, 'is required for an RDS instance: replicated automated backups are the copy that survives the loss of the region. Pass { region: "us-west-2" }, or `false` when an AwsBackupPlan copies this instance to another region.');
  } else if (settings.dr !== false) {
    const dr = settings.dr;
    const regionKnown = checkRegion(dr.region, "dr.region", problems);
    if (regionKnown && sourceRegion !== undefined && dr.region === sourceRegion) {
      problems.add("dr.region", dr.region, `must differ from the database's region (${sourceRegion}): backups replicated within one region do not survive its outage. Choose another region, such as ${sourceRegion.startsWith("us-west") ? "us-east-2" : "us-west-2"}.`);
    }
    const keyArn = knownString(dr.keyArn);
    if (keyArn !== undefined) {
      const before = problems.all.length;
      checkKmsKeyArn(keyArn, "dr.key", problems);
      if (problems.all.length === before && regionKnown && regionOfArn(keyArn) !== dr.region) {
        problems.add("dr.key", keyArn, `is a key in ${regionOfArn(keyArn)}, but RDS encrypts replicated backups with a key in the destination region (${dr.region as string}). Pass a key created in ${dr.region as string}, or omit dr.key to have one created there.`);
      }
    }
    const retentionDays = checkAutomatedBackupRetention(dr.retention ?? `${DEFAULT_DATABASE_RETENTION_DAYS}d`, "dr.retention", problems, "rds-instance");
    if (regionKnown && retentionDays !== undefined) replication = { region: dr.region as string, retentionDays };
  }
  problems.throwIfAny(subject);
  return { engine, ...(replication ? { replication } : {}) };
}
