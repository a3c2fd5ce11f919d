import * as pulumi from "@pulumi/pulumi";
import * as rds from "@pulumi/aws/rds";
import * as elasticache from "@pulumi/aws/elasticache";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { Provider } from "@pulumi/aws/provider";
import { adoptedEngine, crossRegionMismatch, type DatabaseAdoptionPlan, databaseArn, type DatabaseBackupsArguments, type DatabaseReplicaSettings, type ManagedDatabaseEngine, planDatabaseAdoption, regionOfArn } from "../../core";
import { accountContext } from "./account";
import { configuredRegion } from "./configured-region";
import { VaultKey } from "./vault-key";

/** Where the automated backups of an adopted RDS instance are replicated: core's {@link DatabaseReplicaSettings} with Pulumi values and the DR provider. */
export interface DatabaseReplicaArgs extends DatabaseReplicaSettings<VaultKey | pulumi.Input<string>> {
  /**
   * The AWS provider for the DR region.
   * @default - a provider for `region` with the default credentials
   */
  readonly provider?: pulumi.ProviderResource;
}

/** The database a {@link DatabaseBackups} adopts: exactly one of these. */
export type AdoptedDatabase =
  /** An RDS DB instance: the resource, or its ARN or identifier. */
  | { readonly rdsInstance: rds.Instance | pulumi.Input<string> }
  /** An Aurora cluster: the resource, or its ARN or identifier. */
  | { readonly auroraCluster: rds.Cluster | pulumi.Input<string> }
  /** An ElastiCache replication group: the resource, or its ARN or id. */
  | { readonly elastiCache: elasticache.ReplicationGroup | pulumi.Input<string> };

/** Arguments of a {@link DatabaseBackups}: core's {@link DatabaseBackupsArguments} with Pulumi values. */
export interface DatabaseBackupsArgs extends DatabaseBackupsArguments<DatabaseReplicaArgs> {
  /** The database to adopt: the resource, or its ARN or identifier. */
  readonly database: AdoptedDatabase;
  /**
   * The database's region, to refuse a DR region equal to it before anything is created. Also
   * checked at deploy time.
   * @default - the region in the database's ARN, else the `aws:region` config when no explicit provider is passed
   */
  readonly primaryRegion?: string;
  /**
   * Refuse `pulumi destroy` and replacements of the DR key it creates.
   * @default true
   */
  readonly protect?: boolean;
  /** @default - none */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Adopts a managed database (an RDS instance, an Aurora cluster or an ElastiCache replication group)
 * into a backup estate, and adds what lives outside it: for an RDS instance, replication of its
 * automated backups to the DR region, encrypted with a key of that region. It exposes the
 * database's ARN and identifier for AWS Backup selections and the runbook.
 *
 * What adoption cannot change: retention, backup and maintenance windows, tags copied to
 * snapshots, deletion protection, the final snapshot and storage encryption are settings of the
 * database itself. For a database this program creates, spread {@link rdsInstanceBackupArgs},
 * {@link auroraClusterBackupArgs} or {@link elastiCacheBackupArgs} into its arguments. For one
 * managed elsewhere, apply the same values there (`aws rds modify-db-instance
 * --backup-retention-period 7 --preferred-backup-window 03:00-04:00 --copy-tags-to-snapshot
 * --deletion-protection`), or `pulumi import` it and spread the arguments. Encryption cannot be
 * turned on in place: snapshot, copy the snapshot with the key, restore. A final snapshot is taken
 * only when the deletion asks for one (`--final-db-snapshot-identifier`). Replication needs
 * automated backups on (retention of at least 1 day).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 *
 * @example
 * const key = new VaultKey("orders-db");
 * const orders = new rds.Instance("orders", {
 *   engine: "postgres",
 *   instanceClass: "db.t4g.medium",
 *   allocatedStorage: 50,
 *   username: "app",
 *   manageMasterUserPassword: true,
 *   ...rdsInstanceBackupArgs("orders", { key }),
 * });
 * const backups = new DatabaseBackups("orders", { database: { rdsInstance: orders }, dr: { region: "us-west-2", retention: "14d" } });
 * // A database managed elsewhere, adopted by ARN:
 * new DatabaseBackups("legacy", { database: { rdsInstance: "arn:aws:rds:us-east-1:123456789012:db:legacy" }, dr: { region: "us-west-2" } });
 * export const replicatedBackups = backups.replicationArn;
 */
export class DatabaseBackups extends pulumi.ComponentResource {
  readonly engine: ManagedDatabaseEngine;
  /** The database's ARN: what AWS Backup selections name. */
  readonly arn: pulumi.Output<string>;
  /** The DB instance or cluster identifier, or the replication group id. */
  readonly identifier: pulumi.Output<string>;
  /** The DR region automated backups are replicated to, when they are. */
  readonly drRegion?: string;
  readonly drProvider?: pulumi.ProviderResource;
  /** The DR key this component created, when it created one. */
  readonly drKey?: VaultKey;
  /** The ARN of the key that encrypts the replicated backups. */
  readonly drKeyArn?: pulumi.Output<string>;
  readonly replication?: rds.InstanceAutomatedBackupsReplication;
  /** The ARN of the replicated automated backups in the DR region (`arn:aws:rds:<dr>:<account>:auto-backup:ab-...`): what a DR restore starts from. */
  readonly replicationArn?: pulumi.Output<string>;
  readonly plan: DatabaseAdoptionPlan;

  constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    const database = (args?.database ?? {}) as Record<string, unknown>;
    const { engine, key } = adoptedEngine(database, `DatabaseBackups "${name}"`);
    const given = database[key];
    const resource = given instanceof rds.Instance || given instanceof rds.Cluster || given instanceof elasticache.ReplicationGroup ? given : undefined;
    const dr = args.dr;
    const plan = planDatabaseAdoption(
      {
        engine,
        reference: resource ? undefined : given,
        ...(dr === undefined ? {} : { dr: dr === false ? false : { region: dr.region, keyArn: dr.key instanceof VaultKey ? undefined : dr.key, retention: dr.retention } }),
        ...((args.primaryRegion ?? configuredRegion(opts)) !== undefined ? { primaryRegion: (args.primaryRegion ?? configuredRegion(opts)) as string } : {}),
      },
      `DatabaseBackups "${name}"`,
    );
    super("lifeboat:aws:DatabaseBackups", name, {}, opts);
    this.engine = engine;
    this.plan = plan;

    if (resource instanceof rds.Instance) {
      this.arn = resource.arn;
      this.identifier = resource.identifier;
    } else if (resource instanceof rds.Cluster) {
      this.arn = resource.arn;
      this.identifier = resource.clusterIdentifier;
    } else if (resource instanceof elasticache.ReplicationGroup) {
      this.arn = resource.arn;
      this.identifier = resource.replicationGroupId;
    } else {
      const { account, partition, region } = accountContext(this);
      const reference = pulumi.output(given as pulumi.Input<string>);
      this.arn = pulumi
        .all([reference, account, partition, region])
        .apply(([ref, acct, part, reg]) => (ref.startsWith("arn:") ? ref : databaseArn(engine, { partition: part, region: reg, account: acct, identifier: ref })));
      this.identifier = reference.apply((ref) => (ref.startsWith("arn:") ? ref.split(":").slice(6).join(":") : ref));
    }

    if (plan.replication && dr) {
      this.drRegion = plan.replication.region;
      this.drProvider = dr.provider ?? new Provider(`${name}-dr-provider`, { region: plan.replication.region }, { parent: this });
      if (dr.key instanceof VaultKey) {
        this.drKeyArn = dr.key.arn;
      } else if (dr.key !== undefined) {
        this.drKeyArn = pulumi.output(dr.key);
      } else {
        this.drKey = new VaultKey(
          `${name}-dr-key`,
          { description: `Lifeboat replicated automated backups of ${name}`, protect: args.protect ?? true, ...(args.tags ? { tags: args.tags } : {}) },
          { parent: this, providers: { aws: this.drProvider } },
        );
        this.drKeyArn = this.drKey.arn;
      }
      const drRegion = plan.replication.region;
      const drAt = getRegionOutput({}, { parent: this, provider: this.drProvider }).region;
      // Checked where both are known: the source's region is in its ARN, the DR provider's in its config.
      const sourceChecked = pulumi.all([this.arn, drAt]).apply(([arn, at]) => {
        const mismatch = crossRegionMismatch({ subject: `DatabaseBackups "${name}"`, originalAt: regionOfArn(arn), copyAt: at, copyRegion: drRegion, argument: "dr", pair: "the database and its replicated backups" });
        if (mismatch) throw new Error(mismatch);
        return arn;
      });
      this.replication = new rds.InstanceAutomatedBackupsReplication(
        `${name}-backup-replication`,
        { sourceDbInstanceArn: sourceChecked, kmsKeyId: this.drKeyArn, retentionPeriod: plan.replication.retentionDays },
        { parent: this, provider: this.drProvider },
      );
      this.replicationArn = this.replication.id;
    }

    this.registerOutputs({
      engine,
      arn: this.arn,
      identifier: this.identifier,
      ...(this.replicationArn ? { replicationArn: this.replicationArn, drRegion: this.drRegion, drKeyArn: this.drKeyArn } : {}),
    });
  }
}
