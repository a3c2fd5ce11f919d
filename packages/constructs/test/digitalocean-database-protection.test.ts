import { describe, expect, it } from "vitest";
import { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import { databaseClusterProtectionArgs, dropletBackupArgs, ManagedDatabaseProtection } from "@lifeboat/constructs/pulumi/digitalocean";
import { record } from "./support";

const FIREWALL = "digitalocean:index/databaseFirewall:DatabaseFirewall";
const REPLICA = "digitalocean:index/databaseReplica:DatabaseReplica";
const VALKEY = "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig";

describe("ManagedDatabaseProtection", () => {
  it("admits only the application and the runner, and keeps a read-only replica in the DR region of the cluster's size", async () => {
    const rec = await record(() => {
      const db = new DatabaseCluster("db", { engine: "pg", version: "17", size: "db-s-2vcpu-4gb", region: "nyc3", nodeCount: 1, ...databaseClusterProtectionArgs() });
      new ManagedDatabaseProtection("db", { cluster: db, engine: "pg", region: "nyc3", drRegion: "sfo3", trustedSources: { apps: ["app-123"], droplets: ["4242"] } });
    });
    const cluster = rec.get("digitalocean:index/databaseCluster:DatabaseCluster", "db");

    expect(rec.get(FIREWALL, "db-firewall").inputs).toEqual({ clusterId: cluster.id, rules: [{ type: "app", value: "app-123" }, { type: "droplet", value: "4242" }] });
    expect(rec.get(REPLICA, "db-replica").inputs).toEqual({ clusterId: cluster.id, region: "sfo3", size: "db-s-2vcpu-4gb", tags: ["lifeboat-replica"] });
    expect(rec.ofType(VALKEY)).toEqual([]);
  });

  it("turns Valkey persistence on and creates no replica for a cache", async () => {
    const rec = await record(() => {
      const cache = new DatabaseCluster("cache", { engine: "valkey", version: "8", size: "db-s-1vcpu-1gb", region: "nyc3", nodeCount: 1 });
      new ManagedDatabaseProtection("cache", { cluster: cache, engine: "valkey", region: "nyc3", trustedSources: { tags: ["web"] } });
    });

    expect(rec.get(VALKEY, "cache-valkey-config").inputs).toMatchObject({ persistence: "rdb" });
    expect(rec.get(FIREWALL, "cache-firewall").inputs.rules).toEqual([{ type: "tag", value: "web" }]);
    expect(rec.ofType(REPLICA)).toEqual([]);
  });

  it("puts the maintenance window on Sunday at 05:00 UTC, four hours after the nightly backups start", () => {
    expect(databaseClusterProtectionArgs()).toEqual({ maintenanceWindows: [{ day: "sunday", hour: "05:00" }] });
    expect(databaseClusterProtectionArgs({ day: "wednesday", hour: "14:30" })).toEqual({ maintenanceWindows: [{ day: "wednesday", hour: "14:30" }] });
  });

  it("backs a droplet up daily for an RPO under a week and weekly on Sunday otherwise", () => {
    expect(dropletBackupArgs("24h")).toEqual({ backups: true, backupPolicy: { plan: "daily", hour: 4 } });
    expect(dropletBackupArgs("7d")).toEqual({ backups: true, backupPolicy: { plan: "weekly", hour: 4, weekday: "SUN" } });
  });
});
