import { describe, expect, it } from "vitest";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import { Provider } from "@pulumi/aws/provider";
import { checkDailyWindow, checkWeeklyWindow, Problems, scopeSuffix, windowsOverlap } from "@lifeboat/constructs/core";
import { auroraClusterBackupArgs, DatabaseBackups, elastiCacheBackupArgs, deploymentScope, rdsInstanceBackupArgs, VaultKey } from "@lifeboat/constructs/pulumi/aws";
import { record } from "./support";

const T = {
  instance: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
  cache: "aws:elasticache/replicationGroup:ReplicationGroup",
  key: "aws:kms/key:Key",
  replication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  provider: "pulumi:providers:aws",
};
const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/99999999-2222-3333-4444-555555555555";

describe("backup and maintenance windows", () => {
  it("reads a daily window that crosses midnight", () => {
    const window = checkDailyWindow("23:30-00:30", "backupWindow", new Problems(), { minMinutes: 30, service: "RDS" });

    expect(window).toEqual({ text: "23:30-00:30", startMinute: 1410, lengthMinutes: 60 });
  });

  it("finds an overlap on the maintenance day only, including across the end of the week", () => {
    const problems = new Problems();
    const nightly = checkDailyWindow("23:30-00:30", "b", problems, { minMinutes: 30, service: "RDS" })!;
    const sundayMidnight = checkWeeklyWindow("sun:00:00-sun:00:45", "m", problems, { minMinutes: 30, service: "RDS" })!;
    const wednesdayNoon = checkWeeklyWindow("wed:12:00-wed:13:00", "m", problems, { minMinutes: 30, service: "RDS" })!;

    expect(windowsOverlap(nightly, sundayMidnight)).toBe(true);
    expect(windowsOverlap(nightly, wednesdayNoon)).toBe(false);
    expect(problems.isEmpty).toBe(true);
  });

  it("finds an overlap with a maintenance window that spans Saturday night into Sunday", () => {
    const problems = new Problems();
    const early = checkDailyWindow("00:15-01:00", "b", problems, { minMinutes: 30, service: "RDS" })!;
    const weekend = checkWeeklyWindow("sat:23:00-sun:01:00", "m", problems, { minMinutes: 30, service: "RDS" })!;

    expect(weekend.lengthMinutes).toBe(120);
    expect(windowsOverlap(early, weekend)).toBe(true);
  });
});

describe("rdsInstanceBackupArgs", () => {
  it("gives an instance a week of backups, a window clear of maintenance, deletion protection, a final snapshot and the customer key", async () => {
    const rec = await record(() => {
      const key = new VaultKey("orders-db");
      new rds.Instance("orders", { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 50, ...rdsInstanceBackupArgs("orders", { key }) });
    });
    const instance = rec.get(T.instance, "orders");

    expect(instance.inputs).toMatchObject({
      backupRetentionPeriod: 7,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `orders-final-snapshot-${scopeSuffix(deploymentScope())}`,
      deleteAutomatedBackups: false,
      storageEncrypted: true,
      kmsKeyId: rec.get(T.key, "orders-db-key").outputs.arn,
    });
  });

  it("takes retention, windows, final snapshot and deletion protection from its arguments", () => {
    const args = rdsInstanceBackupArgs("orders", {
      key: KEY,
      retention: "2w",
      backupWindow: "22:00-22:30",
      maintenanceWindow: "tue:23:00-tue:23:30",
      finalSnapshotIdentifier: "orders-last",
      deletionProtection: false,
    });

    expect(args).toEqual({
      backupRetentionPeriod: 14,
      backupWindow: "22:00-22:30",
      maintenanceWindow: "tue:23:00-tue:23:30",
      copyTagsToSnapshot: true,
      deletionProtection: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "orders-last",
      deleteAutomatedBackups: false,
      storageEncrypted: true,
      kmsKeyId: KEY,
    });
  });
});

describe("auroraClusterBackupArgs", () => {
  it("uses the cluster's argument names for the same settings", async () => {
    const rec = await record(() => new rds.Cluster("orders", { engine: "aurora-postgresql", ...auroraClusterBackupArgs("orders", { key: KEY, retention: "35d" }) }));

    expect(rec.get(T.cluster, "orders").inputs).toMatchObject({
      backupRetentionPeriod: 35,
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:05:00-sun:06:00",
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `orders-final-snapshot-${scopeSuffix(deploymentScope())}`,
      deleteAutomatedBackups: false,
      storageEncrypted: true,
      kmsKeyId: KEY,
    });
  });
});

describe("elastiCacheBackupArgs", () => {
  it("keeps a week of snapshots in an hour-long window, a final snapshot, and encrypts at rest with the customer key", async () => {
    const rec = await record(
      () => new elasticache.ReplicationGroup("sessions", { description: "sessions", engine: "valkey", nodeType: "cache.t4g.small", ...elastiCacheBackupArgs("sessions", { key: KEY }) }),
    );

    expect(rec.get(T.cache, "sessions").inputs).toMatchObject({
      snapshotRetentionLimit: 7,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      finalSnapshotIdentifier: `sessions-final-snapshot-${scopeSuffix(deploymentScope())}`,
      atRestEncryptionEnabled: true,
      kmsKeyId: KEY,
    });
  });
});

describe("DatabaseBackups", () => {
  it("replicates an adopted instance's automated backups to the DR region with a key created there", async () => {
    const rec = await record(() => {
      const db = new rds.Instance("orders", { engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 50, ...rdsInstanceBackupArgs("orders", { key: KEY }) });
      new DatabaseBackups("orders-backups", { database: { rdsInstance: db }, dr: { region: "us-west-2", retention: "14d" } });
    });
    const provider = rec.get(T.provider, "orders-backups-dr-provider");
    const drKey = rec.get(T.key, "orders-backups-dr-key-key");
    const replication = rec.get(T.replication, "orders-backups-backup-replication");

    expect(provider.inputs.region).toBe("us-west-2");
    expect(drKey.provider).toBe(provider.urn);
    expect(drKey.outputs.arn).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(drKey.protect).toBe(true);
    expect(replication.provider).toBe(provider.urn);
    expect(replication.inputs).toEqual({
      sourceDbInstanceArn: rec.get(T.instance, "orders").outputs.arn,
      kmsKeyId: drKey.outputs.arn,
      retentionPeriod: 14,
    });
    expect(replication.outputs.arn).toMatch(/^arn:aws:rds:us-west-2:123456789012:auto-backup:ab-/);
  });

  it("builds the ARN of an instance given by identifier from the account and region, and uses a DR key passed in", async () => {
    let backups: DatabaseBackups | undefined;
    const rec = await record(
      () => {
        const west = new Provider("west", { region: "us-west-2" });
        backups = new DatabaseBackups("legacy", { database: { rdsInstance: "legacy-db" }, dr: { region: "us-west-2", provider: west, key: WEST_KEY } });
      },
      { cloud: { account: "111122223333" } },
    );
    const arn = await new Promise((resolve) => backups!.arn.apply(resolve));
    const identifier = await new Promise((resolve) => backups!.identifier.apply(resolve));

    expect(arn).toBe("arn:aws:rds:us-east-1:111122223333:db:legacy-db");
    expect(identifier).toBe("legacy-db");
    expect(rec.ofType(T.key)).toEqual([]);
    expect(rec.ofType(T.provider).map((p) => p.name)).toEqual(["west"]);
    expect(rec.get(T.replication, "legacy-backup-replication").inputs).toEqual({
      sourceDbInstanceArn: "arn:aws:rds:us-east-1:111122223333:db:legacy-db",
      kmsKeyId: WEST_KEY,
      retentionPeriod: 7,
    });
  });

  it("adopts an Aurora cluster and an ElastiCache group by ARN without creating anything, exposing their identifiers", async () => {
    const found: Record<string, unknown> = {};
    const rec = await record(() => {
      const aurora = new DatabaseBackups("aurora", { database: { auroraCluster: "arn:aws:rds:eu-west-1:123456789012:cluster:orders" } });
      const cache = new DatabaseBackups("cache", { database: { elastiCache: "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions" } });
      aurora.identifier.apply((v) => (found.aurora = v));
      cache.arn.apply((v) => (found.cache = v));
      found.engines = [aurora.engine, cache.engine];
    });

    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
    expect(found).toEqual({ aurora: "orders", cache: "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions", engines: ["aurora-cluster", "elasticache"] });
  });

  it("replicates nothing when told `dr: false`", async () => {
    const rec = await record(() => new DatabaseBackups("orders", { database: { rdsInstance: "arn:aws:rds:us-east-1:123456789012:db:orders" }, dr: false }));

    expect(rec.ofType(T.replication)).toEqual([]);
    expect(rec.ofType(T.provider)).toEqual([]);
  });
});
