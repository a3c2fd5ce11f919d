import * as pulumi from "@pulumi/pulumi";
import type { ClusterArgs, InstanceArgs } from "@pulumi/aws/rds";
import type { ReplicationGroupArgs } from "@pulumi/aws/elasticache";
import { type DatabaseBackupPlan, type DurationInput, type ManagedDatabaseEngine, planDatabaseBackup } from "../../core";
import { deploymentScope } from "./deployment-scope";
import { VaultKey } from "./vault-key";

/** The backup settings of a managed database the program creates. */
export interface DatabaseBackupArgs {
  /**
   * The customer managed key that encrypts the storage, its automated backups and snapshots: a
   * {@link VaultKey} or a key ARN. Required: Lifeboat never leaves a database on an AWS managed key.
   * Changing the key (or encryption) of an existing database replaces it: RDS cannot re-encrypt in
   * place.
   */
  readonly key: VaultKey | pulumi.Input<string>;
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
  /**
   * The snapshot taken when the database is deleted. It must not exist yet when the deletion happens.
   * @default "<name>-final-snapshot"
   */
  readonly finalSnapshotIdentifier?: pulumi.Input<string>;
}

/** RDS and Aurora also refuse deletion unless told otherwise. */
export interface RdsBackupArgs extends DatabaseBackupArgs {
  /**
   * Refuse deletion of the database until this is turned off. Turning it off is the explicit step
   * before deleting a database.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

type Resolved<T, K extends keyof T> = { readonly [P in K]-?: Exclude<T[P], undefined> };

/** What {@link rdsInstanceBackupArgs} returns: spread it into `new aws.rds.Instance(...)`. */
export type RdsInstanceBackupSettings = Resolved<
  InstanceArgs,
  "backupRetentionPeriod" | "backupWindow" | "maintenanceWindow" | "copyTagsToSnapshot" | "deletionProtection" | "skipFinalSnapshot" | "finalSnapshotIdentifier" | "deleteAutomatedBackups" | "storageEncrypted" | "kmsKeyId"
>;

/** What {@link auroraClusterBackupArgs} returns: spread it into `new aws.rds.Cluster(...)`. */
export type AuroraClusterBackupSettings = Resolved<
  ClusterArgs,
  | "backupRetentionPeriod"
  | "preferredBackupWindow"
  | "preferredMaintenanceWindow"
  | "copyTagsToSnapshot"
  | "deletionProtection"
  | "skipFinalSnapshot"
  | "finalSnapshotIdentifier"
  | "deleteAutomatedBackups"
  | "storageEncrypted"
  | "kmsKeyId"
>;

/** What {@link elastiCacheBackupArgs} returns: spread it into `new aws.elasticache.ReplicationGroup(...)`. */
export type ElastiCacheBackupSettings = Resolved<ReplicationGroupArgs, "snapshotRetentionLimit" | "snapshotWindow" | "maintenanceWindow" | "finalSnapshotIdentifier" | "atRestEncryptionEnabled" | "kmsKeyId">;

function plan(engine: ManagedDatabaseEngine, name: string, args: DatabaseBackupArgs, subject: string): { plan: DatabaseBackupPlan; keyArn: pulumi.Input<string> } {
  const a = args ?? ({} as DatabaseBackupArgs);
  const settled = planDatabaseBackup(
    {
      engine,
      name,
      scope: deploymentScope(),
      retention: a.retention,
      backupWindow: a.backupWindow,
      maintenanceWindow: a.maintenanceWindow,
      finalSnapshotIdentifier: a.finalSnapshotIdentifier,
      key: a.key instanceof VaultKey ? a.key.arn : a.key,
    },
    subject,
  );
  return { plan: settled, keyArn: a.key instanceof VaultKey ? a.key.arn : (a.key as pulumi.Input<string>) };
}

/**
 * The backup settings of an RDS DB instance, validated, to spread into the instance's arguments:
 * automated backups kept `retention` days in a window clear of maintenance, tags copied to
 * snapshots, deletion protection, a final snapshot on deletion, automated backups kept after
 * deletion (until they expire), storage encrypted with a customer managed key.
 *
 * For cross-region copies of the automated backups, adopt the instance with {@link DatabaseBackups}.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
 *
 * @example
 * const key = new VaultKey("orders-db");
 * const db = new rds.Instance("orders", {
 *   engine: "postgres",
 *   instanceClass: "db.t4g.medium",
 *   allocatedStorage: 50,
 *   username: "app",
 *   manageMasterUserPassword: true,
 *   ...rdsInstanceBackupArgs("orders", { key, retention: "14d" }),
 * });
 */
export function rdsInstanceBackupArgs(name: string, args: RdsBackupArgs): RdsInstanceBackupSettings {
  return rdsSettings("rds-instance", name, args, `rdsInstanceBackupArgs("${name}")`);
}

/** The settings RDS instances and Aurora clusters share, under the instance's argument names. */
function rdsSettings(engine: "rds-instance" | "aurora-cluster", name: string, args: RdsBackupArgs, subject: string): RdsInstanceBackupSettings {
  const { plan: p, keyArn } = plan(engine, name, args, subject);
  return {
    backupRetentionPeriod: p.retentionDays,
    backupWindow: p.backupWindow,
    maintenanceWindow: p.maintenanceWindow,
    copyTagsToSnapshot: true,
    deletionProtection: args.deletionProtection ?? true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: args.finalSnapshotIdentifier ?? (p.finalSnapshotIdentifier as string),
    deleteAutomatedBackups: false,
    storageEncrypted: true,
    kmsKeyId: keyArn,
  };
}

/**
 * The backup settings of an Aurora cluster, validated, to spread into the cluster's arguments: the
 * same as {@link rdsInstanceBackupArgs}, under the cluster's argument names. Aurora has no
 * cross-region automated backups: copy it to the DR region with an {@link AwsBackupPlan}.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html
 *
 * @example
 * const cluster = new rds.Cluster("orders", {
 *   engine: "aurora-postgresql",
 *   masterUsername: "app",
 *   manageMasterUserPassword: true,
 *   ...auroraClusterBackupArgs("orders", { key: new VaultKey("orders-db") }),
 * });
 */
export function auroraClusterBackupArgs(name: string, args: RdsBackupArgs): AuroraClusterBackupSettings {
  const { backupWindow, maintenanceWindow, ...shared } = rdsSettings("aurora-cluster", name, args, `auroraClusterBackupArgs("${name}")`);
  return { ...shared, preferredBackupWindow: backupWindow, preferredMaintenanceWindow: maintenanceWindow };
}

/**
 * The backup settings of an ElastiCache (Redis OSS or Valkey) replication group, validated, to
 * spread into its arguments: automatic snapshots kept `retention` days in a window of at least 60
 * minutes clear of maintenance, a final snapshot on deletion, encryption at rest with a customer
 * managed key. ElastiCache has no deletion protection and no cross-region automated snapshots.
 *
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html
 *
 * @example
 * const cache = new elasticache.ReplicationGroup("sessions", {
 *   description: "sessions",
 *   engine: "valkey",
 *   nodeType: "cache.t4g.small",
 *   numCacheClusters: 2,
 *   transitEncryptionEnabled: true,
 *   ...elastiCacheBackupArgs("sessions", { key: new VaultKey("sessions-cache") }),
 * });
 */
export function elastiCacheBackupArgs(name: string, args: DatabaseBackupArgs): ElastiCacheBackupSettings {
  const { plan: p, keyArn } = plan("elasticache", name, args, `elastiCacheBackupArgs("${name}")`);
  return {
    snapshotRetentionLimit: p.retentionDays,
    snapshotWindow: p.backupWindow,
    maintenanceWindow: p.maintenanceWindow,
    finalSnapshotIdentifier: args.finalSnapshotIdentifier ?? (p.finalSnapshotIdentifier as string),
    atRestEncryptionEnabled: true,
    kmsKeyId: keyArn,
  };
}
