import * as pulumi from "@pulumi/pulumi";
import type { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import { DatabaseFirewall } from "@pulumi/digitalocean/databaseFirewall";
import { DatabaseReplica } from "@pulumi/digitalocean/databaseReplica";
import { DatabaseValkeyConfig } from "@pulumi/digitalocean/databaseValkeyConfig";
import { Problems } from "../../core";
import { checkMaintenanceWindow, type DatabaseProtectionDesign, designDatabaseProtection, type MaintenanceWindow, type ManagedDatabaseEngine, type TrustedSources } from "../../core/digitalocean";

/** Arguments of a {@link ManagedDatabaseProtection}. */
export interface ManagedDatabaseProtectionArgs {
  /** The cluster to protect. */
  readonly cluster: DatabaseCluster;
  /** The cluster's engine slug (`pg`, `mysql`, `valkey`), as given to the cluster: checked before anything is created. */
  readonly engine: ManagedDatabaseEngine;
  /** The cluster's region, as given to the cluster. */
  readonly region: string;
  /**
   * The disaster-recovery region: a read-only replica runs there (PostgreSQL, MySQL).
   * @default - no replica
   */
  readonly drRegion?: string;
  /** @default - the cluster's size */
  readonly replicaSize?: pulumi.Input<string>;
  /** What may connect: the application and the backup runner. At least one. */
  readonly trustedSources: TrustedSources<pulumi.Input<string>>;
}

/**
 * The cluster arguments Lifeboat decides: the weekly maintenance window, away from the daily backups.
 * Spread them into the `DatabaseCluster`'s arguments.
 *
 * @example
 * const db = new DatabaseCluster("db", { engine: "pg", version: "17", size: "db-s-1vcpu-2gb", region: "nyc3", nodeCount: 1, ...databaseClusterProtectionArgs() });
 */
export function databaseClusterProtectionArgs(maintenanceWindow?: Partial<MaintenanceWindow>): { maintenanceWindows: MaintenanceWindow[] } {
  const problems = new Problems();
  const window = checkMaintenanceWindow(maintenanceWindow, "maintenanceWindow", problems);
  problems.throwIfAny("databaseClusterProtectionArgs");
  return { maintenanceWindows: [window as MaintenanceWindow] };
}

/**
 * Protection for a DigitalOcean managed database cluster: a firewall that admits only the
 * application and the backup runner, a read-only replica in the DR region (PostgreSQL, MySQL), and
 * for Valkey persistence on. DigitalOcean keeps PostgreSQL and MySQL daily backups with
 * point-in-time recovery for 7 days and restores them only into a new cluster; the logical backups
 * of the estate add the retention tiers and a copy outside the cluster, region and provider.
 *
 * @see https://docs.digitalocean.com/products/databases/
 *
 * @example
 * new ManagedDatabaseProtection("db", { cluster: db, engine: "pg", region: "nyc3", drRegion: "sfo3", trustedSources: { apps: [app.id] } });
 */
export class ManagedDatabaseProtection extends pulumi.ComponentResource {
  readonly firewall: DatabaseFirewall;
  readonly replica?: DatabaseReplica;
  readonly valkeyConfig?: DatabaseValkeyConfig;
  readonly design: DatabaseProtectionDesign<pulumi.Input<string>>;

  constructor(name: string, args: ManagedDatabaseProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    const design = designDatabaseProtection<pulumi.Input<string>>(args, `ManagedDatabaseProtection "${name}"`);
    super("lifeboat:digitalocean:ManagedDatabaseProtection", name, {}, opts);
    this.design = design;
    this.firewall = new DatabaseFirewall(`${name}-firewall`, { clusterId: args.cluster.id, rules: design.firewallRules.map((r) => ({ type: r.type, value: r.value })) }, { parent: this });
    if (design.replica) {
      this.replica = new DatabaseReplica(
        `${name}-replica`,
        { clusterId: args.cluster.id, region: design.replica.region, size: design.replica.size ?? args.cluster.size, tags: ["lifeboat-replica"] },
        { parent: this },
      );
    }
    if (design.valkeyConfig) {
      this.valkeyConfig = new DatabaseValkeyConfig(`${name}-valkey-config`, { clusterId: args.cluster.id, persistence: design.valkeyConfig.persistence }, { parent: this });
    }
    this.registerOutputs({});
  }
}
