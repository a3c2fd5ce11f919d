import { Duration, Names, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as elasticache from "aws-cdk-lib/aws-elasticache";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as rds from "aws-cdk-lib/aws-rds";
import { Construct } from "constructs";
import { type DatabaseAdoptionPlan, type RdsBackupOptions, type DatabaseBackupPlan, type DatabaseBackupsArguments, type DatabaseReplicaSettings, type ManagedDatabaseEngine, planDatabaseAdoption, planDatabaseBackup } from "../core";
import { drStackFor } from "./dr-stack";
import { type KeyInput, keyOf, VaultKey } from "./vault-key";

/** Where a database's automated backups are replicated: core's {@link DatabaseReplicaSettings} with CDK values and the DR stack. */
export interface DatabaseReplicaProps extends DatabaseReplicaSettings<KeyInput> {
  /** @default - the stack's DR stack for `region` */
  readonly stack?: Stack;
}

/** Properties of {@link DatabaseBackups}: core's {@link DatabaseBackupsArguments} with CDK values. */
export interface DatabaseBackupsProps extends DatabaseBackupsArguments<DatabaseReplicaProps> {
  /** The database: an RDS instance of this app (L2 or L1). */
  readonly rdsInstance: rds.DatabaseInstance | rds.CfnDBInstance;
}

/**
 * Cross-region replication of an RDS instance's automated backups, with a key in the DR region. CDK
 * has no resource for it: it sets `CfnDBInstance`'s `AutomaticBackupReplication*` properties.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 *
 * @example
 * new DatabaseBackups(stack, "DbBackups", { rdsInstance: db, dr: { region: "us-west-2" } });
 */
export class DatabaseBackups extends Construct {
  readonly engine: ManagedDatabaseEngine = "rds-instance";
  readonly plan: DatabaseAdoptionPlan;
  readonly drKey?: VaultKey;
  readonly drKeyArn?: string;
  /** A placeholder for the replicated backups' ARN, which CloudFormation does not return. */
  readonly replicationArn?: string;

  constructor(scope: Construct, id: string, props: DatabaseBackupsProps) {
    const subject = `DatabaseBackups "${id}"`;
    const dr = props.dr;
    const region = Stack.of(scope).region;
    const plan = planDatabaseAdoption(
      {
        engine: "rds-instance",
        ...(dr === undefined ? {} : { dr: dr === false ? false : { region: dr.region, keyArn: typeof dr.key === "string" ? dr.key : undefined, retention: dr.retention } }),
        ...(region && !region.startsWith("${") ? { primaryRegion: region } : {}),
      },
      subject,
    );
    const drStack = plan.replication && dr ? (dr.stack ?? drStackFor(scope, plan.replication.region, subject)) : undefined;
    super(scope, id);
    this.plan = plan;
    if (plan.replication && dr && drStack) {
      const key = keyOf(new Construct(drStack, `${Names.uniqueId(this)}-dr`), "Key", dr.key, { description: `Lifeboat replicated automated backups of ${id}` });
      if (key.created) this.drKey = key.created;
      this.drKeyArn = key.keyArn;
      const cfn = props.rdsInstance instanceof rds.CfnDBInstance ? props.rdsInstance : (props.rdsInstance.node.defaultChild as rds.CfnDBInstance);
      cfn.automaticBackupReplicationRegion = plan.replication.region;
      cfn.automaticBackupReplicationKmsKeyId = key.keyArn;
      cfn.automaticBackupReplicationRetentionPeriod = plan.replication.retentionDays;
      this.replicationArn = `<automated-backups-arn-in-${plan.replication.region}>`;
    }
  }
}

/** Settings every backup helper takes: core's {@link RdsBackupOptions} and a key. */
export interface DatabaseBackupProps extends RdsBackupOptions {
  /**
   * The key that encrypts storage and snapshots: a {@link VaultKey} or an `IKey`. A key ARN is
   * accepted by {@link elastiCacheBackupProps} only: `rds.DatabaseInstance` takes an `IKey`, so
   * {@link rdsInstanceBackupProps} refuses an ARN (import it with `kms.Key.fromKeyArn`).
   */
  readonly key: KeyInput;
}

function planned(engine: ManagedDatabaseEngine, name: string, props: DatabaseBackupProps, subject: string): DatabaseBackupPlan {
  const p = props ?? ({} as DatabaseBackupProps);
  // CDK names the final snapshot itself (RemovalPolicy.SNAPSHOT): the scope only feeds the identifier CDK does not use.
  return planDatabaseBackup(
    {
      engine,
      name,
      scope: name,
      retention: p.retention,
      backupWindow: p.backupWindow,
      maintenanceWindow: p.maintenanceWindow,
      deletionProtection: p.deletionProtection,
      key: p.key === undefined ? undefined : typeof p.key === "string" ? p.key : keyRef(p.key).keyArn,
      ...(engine === "rds-instance" && typeof p.key === "string"
        ? { keyArnRefused: 'rds.DatabaseInstance takes the key as an IKey. Pass a VaultKey, or import the ARN with kms.Key.fromKeyArn(this, "DataKey", arn).' }
        : {}),
    },
    subject,
  );
}

/**
 * The backup settings of an RDS instance, to spread into `rds.DatabaseInstance`'s props: retention,
 * windows, copy tags to snapshots, deletion protection, a snapshot on removal, automated backups kept
 * on deletion, storage encrypted with the key.
 */
export function rdsInstanceBackupProps(name: string, props: DatabaseBackupProps) {
  const p = planned("rds-instance", name, props, `rdsInstanceBackupProps("${name}")`);
  return {
    backupRetention: Duration.days(p.retentionDays),
    preferredBackupWindow: p.backupWindow,
    preferredMaintenanceWindow: p.maintenanceWindow,
    copyTagsToSnapshot: true,
    deletionProtection: p.deletionProtection,
    deleteAutomatedBackups: false,
    removalPolicy: RemovalPolicy.SNAPSHOT,
    storageEncrypted: true,
    storageEncryptionKey: keyRef(props.key as Exclude<KeyInput, string>),
  } satisfies Partial<rds.DatabaseInstanceProps>;
}

/** The backup settings of an ElastiCache replication group, to spread into `CfnReplicationGroup`'s props. */
export function elastiCacheBackupProps(name: string, props: DatabaseBackupProps) {
  const p = planned("elasticache", name, props, `elastiCacheBackupProps("${name}")`);
  return {
    snapshotRetentionLimit: p.retentionDays,
    snapshotWindow: p.backupWindow,
    preferredMaintenanceWindow: p.maintenanceWindow,
    atRestEncryptionEnabled: true,
    kmsKeyId: typeof props.key === "string" ? props.key : keyRef(props.key).keyArn,
  } satisfies Partial<elasticache.CfnReplicationGroupProps>;
}

/** The key as an `IKey`: L2 database props take no ARN (import one with `kms.Key.fromKeyArn`). */
function keyRef(key: Exclude<KeyInput, string>): kms.IKey {
  return key instanceof VaultKey ? key.key : key;
}
