import * as pulumi from "@pulumi/pulumi";
import type { ClusterArgs, InstanceArgs } from "@pulumi/aws/rds";
import type { ReplicationGroupArgs } from "@pulumi/aws/elasticache";
import { type DatabaseBackupOptions, type DatabaseBackupPlan, type RdsBackupOptions, type ManagedDatabaseEngine, planDatabaseBackup } from "../../core";
import { deploymentScope } from "./deployment-scope";
import { VaultKey } from "./vault-key";

/** The backup settings of a managed database the program creates: core's {@link DatabaseBackupOptions} and a key. */
export interface DatabaseBackupArgs extends DatabaseBackupOptions {
  /**
   * The customer managed key that encrypts the storage, its automated backups and snapshots: a
   * {@link VaultKey} or a key ARN. Required: Lifeboat never leaves a database on an AWS managed key.
   * Changing the key (or encryption) of an existing database replaces it: RDS cannot re-encrypt in
   * place.
   */
  readonly key: VaultKey | pulumi.Input<string>;
  /**
   * The snapshot taken when the database is deleted. It must not exist yet when the deletion happens.
   * @default "<name>-final-snapshot-<suffix of the stack>"
   */
  readonly finalSnapshotIdentifier?: pulumi.Input<string>;
}

/** RDS and Aurora also refuse deletion unless told otherwise: core's {@link RdsBackupOptions}. */
export interface RdsBackupArgs extends DatabaseBackupArgs, RdsBackupOptions {}

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
      ...("deletionProtection" in a ? { deletionProtection: (a as RdsBackupArgs).deletionProtection } : {}),
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
    deletionProtection: p.deletionProtection,
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
