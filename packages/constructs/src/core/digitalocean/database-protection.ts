import { isDeployTimeValue } from "../deploy-time";
import { Problems } from "../errors";
import type { DataCopy } from "../posture";
import { DO_NATIVE_BACKUP_DAYS } from "../objectives";
import { checkDoRegion } from "./regions";
import { checkMaintenanceWindow, type MaintenanceWindow } from "./schedule";

/** The managed database engines Lifeboat protects, with the provider's engine slugs. */
export type ManagedDatabaseEngine = "pg" | "mysql" | "valkey";
export const MANAGED_DATABASE_ENGINES: readonly ManagedDatabaseEngine[] = ["pg", "mysql", "valkey"];

/**
 * How DigitalOcean's managed clusters are reached: TLS always, on the ports and with the admin users
 * DigitalOcean gives every new cluster (a restore always makes a new one).
 * @see https://docs.digitalocean.com/products/databases/
 */
export const MANAGED_DATABASE_ENDPOINTS = {
  pg: { port: 25060, tls: true, user: "doadmin" },
  mysql: { port: 25060, tls: true, user: "doadmin" },
  valkey: { port: 25061, tls: true, user: "default" },
} as const satisfies Record<ManagedDatabaseEngine, { port: number; tls: boolean; user: string }>;

/** Engines whose clusters can have a read-only replica in another region. */
export const REPLICA_ENGINES: readonly ManagedDatabaseEngine[] = ["pg", "mysql"];

/** What may connect to a database cluster; values are the engine layer's (ids, often deploy-time). */
export interface TrustedSources<T> {
  /** App Platform apps, by id. @default - none */
  readonly apps?: readonly T[];
  /** Droplets, by id (the backup runner is added by the estate). @default - none */
  readonly droplets?: readonly T[];
  /** Droplet tags. @default - none */
  readonly tags?: readonly T[];
}

/** One rule of a database firewall, in the provider's shape. */
export interface DatabaseFirewallRule<T> {
  readonly type: "app" | "droplet" | "tag";
  readonly value: T;
}

/** The settings of a cluster's protection, as every front end accepts them. */
export interface DatabaseProtectionSettings<T> {
  /** The cluster's engine slug: `pg`, `mysql` or `valkey`. */
  readonly engine: unknown;
  /** The cluster's region. */
  readonly region: unknown;
  /**
   * The disaster-recovery region: a read-only replica runs there (PostgreSQL and MySQL).
   * @default - no replica
   */
  readonly drRegion?: unknown;
  /**
   * The replica's size slug, such as `db-s-1vcpu-2gb`.
   * @default - the cluster's size
   */
  readonly replicaSize?: T;
  /** What may connect: the application and the backup runner. At least one. */
  readonly trustedSources: TrustedSources<T>;
  /**
   * The weekly maintenance window.
   * @default - Sunday 05:00 UTC, four hours after the daily backups start
   */
  readonly maintenanceWindow?: Partial<MaintenanceWindow>;
}

/** Everything decided for a cluster's protection. */
export interface DatabaseProtectionDesign<T> {
  readonly engine: ManagedDatabaseEngine;
  readonly maintenanceWindow: MaintenanceWindow;
  readonly replica?: { readonly region: string; readonly size?: T };
  readonly firewallRules: readonly DatabaseFirewallRule<T>[];
  /** Valkey only: persistence on (RDB), so a restart does not lose the cache. */
  readonly valkeyConfig?: { readonly persistence: "rdb" };
  /** What DigitalOcean keeps by itself, for the posture. */
  readonly nativeCopies: readonly Omit<DataCopy, "where">[];
  readonly notes: readonly string[];
}

/**
 * Validates a managed database's protection and decides it: the maintenance window, a read-only
 * replica in the DR region (PostgreSQL, MySQL), a firewall admitting only the listed sources, Valkey
 * persistence on. Values known only at deploy time (ids) are passed through unchecked.
 */
export function checkDatabaseProtection<T>(settings: DatabaseProtectionSettings<T>, problems: Problems, path = ""): DatabaseProtectionDesign<T> | undefined {
  const before = problems.all.length;
  const engine = settings?.engine;
  if (!MANAGED_DATABASE_ENGINES.includes(engine as ManagedDatabaseEngine)) {
    problems.add(`${path}engine`, engine, `must be one of ${MANAGED_DATABASE_ENGINES.join(", ")}${engine === "redis" ? ' ("redis" clusters are retired by DigitalOcean; migrate to "valkey")' : ""}.`);
  }
  const region = settings?.region;
  if (!isDeployTimeValue(region)) checkDoRegion(region, `${path}region`, problems);
  const drRegion = settings?.drRegion;
  if (drRegion !== undefined && checkDoRegion(drRegion, `${path}drRegion`, problems)) {
    if (drRegion === region) problems.add(`${path}drRegion`, drRegion, "must differ from the cluster's region: a replica in the same region does not survive a regional outage.");
    if (engine === "valkey") problems.add(`${path}drRegion`, drRegion, "cannot hold a replica of a Valkey cluster (DigitalOcean offers read-only replicas for PostgreSQL and MySQL only); leave it unset for this cluster: the logical backups are its off-site copy.");
  }
  const trusted = settings?.trustedSources ?? {};
  const rules: DatabaseFirewallRule<T>[] = [
    ...(trusted.apps ?? []).map((value) => ({ type: "app" as const, value })),
    ...(trusted.droplets ?? []).map((value) => ({ type: "droplet" as const, value })),
    ...(trusted.tags ?? []).map((value) => ({ type: "tag" as const, value })),
  ];
  if (rules.length === 0) {
    problems.add(`${path}trustedSources`, trusted, "must admit at least one app, droplet or tag: a managed database with no trusted sources accepts connections from any address.");
  }
  rules.forEach((r, i) => {
    if (r.value === undefined || r.value === null || r.value === "") problems.add(`${path}trustedSources.${r.type}s`, r.value, `entry ${i} is empty; give the ${r.type}'s ${r.type === "tag" ? "name" : "id"}.`);
  });
  const maintenanceWindow = checkMaintenanceWindow(settings?.maintenanceWindow, `${path}maintenanceWindow`, problems);
  if (problems.all.length > before || !maintenanceWindow) return undefined;

  const e = engine as ManagedDatabaseEngine;
  const nativeCopies: Omit<DataCopy, "where">[] =
    e === "valkey"
      ? []
      : [{ what: `DigitalOcean daily backups with point-in-time recovery (restore into a new cluster)`, region: region as string, keptFor: `${DO_NATIVE_BACKUP_DAYS} days (fixed by DigitalOcean)`, every: "any second of the window" }];
  if (drRegion !== undefined && e !== "valkey") {
    nativeCopies.push({ what: "read-only replica (promote it to recover from a regional outage)", region: drRegion as string, keptFor: "live: it follows the primary, deletions included", every: "continuously" });
  }
  const notes =
    e === "valkey"
      ? ["Valkey persistence is on (RDB), so a restart keeps the data; DigitalOcean keeps no restorable copy of a Valkey cluster, so the logical backups in the vault are the only restore points."]
      : [`DigitalOcean's own copies cover ${DO_NATIVE_BACKUP_DAYS} days in one region and provider; the logical backups add the retention tiers beyond that and a copy that survives the loss of the cluster, the region or (off-site) the provider.`];
  return {
    engine: e,
    maintenanceWindow,
    ...(drRegion !== undefined ? { replica: { region: drRegion as string, ...(settings.replicaSize !== undefined ? { size: settings.replicaSize } : {}) } } : {}),
    firewallRules: rules,
    ...(e === "valkey" ? { valkeyConfig: { persistence: "rdb" as const } } : {}),
    nativeCopies,
    notes,
  };
}

/** {@link checkDatabaseProtection}, throwing every problem at once. */
export function designDatabaseProtection<T>(settings: DatabaseProtectionSettings<T>, subject: string): DatabaseProtectionDesign<T> {
  const problems = new Problems();
  const design = checkDatabaseProtection(settings, problems);
  problems.throwIfAny(subject);
  return design as DatabaseProtectionDesign<T>;
}
