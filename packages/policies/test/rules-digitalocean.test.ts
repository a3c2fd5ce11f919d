import { describe, expect, it } from "vitest";
import { doDatabaseFirewall, doDatabaseReplica, doSpacesPrivate, doSpacesRetention, doSpacesVersioning, doValkeyPersistence } from "../src";
import { onStack, summary } from "./fixtures/judge";
import { compliantStack, res, withProps } from "./fixtures/pulumi-stack";

const stack = compliantStack();

describe("do-spaces-versioning", () => {
  it("passes a versioned Spaces vault and ignores Spaces that are not vaults", () => {
    expect(onStack(doSpacesVersioning, stack)).toEqual([]);
    expect(onStack(doSpacesVersioning, [res("digitalocean:index/spacesBucket:SpacesBucket", "cdn-assets", { name: "cdn-assets", region: "fra1" })])).toEqual([]);
  });
  it("fails a Spaces vault without versioning", () => {
    expect(summary(onStack(doSpacesVersioning, withProps(stack, "do-backups", (p) => ({ ...p, versioning: { enabled: false } }))))).toEqual(["do-backups: Versioning is off on this Spaces vault."]);
  });
});

describe("do-spaces-private", () => {
  it("passes a private Space", () => {
    expect(onStack(doSpacesPrivate, stack)).toEqual([]);
  });
  it("fails a public-read ACL and a policy allowing everyone", () => {
    expect(summary(onStack(doSpacesPrivate, withProps(stack, "do-backups", (p) => ({ ...p, acl: "public-read" }))))).toEqual(['do-backups: The Space\'s ACL is "public-read".']);
    const policy = res("digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy", "do-backups-policy", {
      bucket: "do-backups",
      region: "fra1",
      policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::do-backups/*" }] }),
    });
    expect(summary(onStack(doSpacesPrivate, [...stack, policy]))).toEqual(['do-backups: A bucket policy allows everyone (Principal "*").']);
  });
});

describe("do-spaces-retention", () => {
  const lifecycle = (rules: unknown[]) => (p: Record<string, unknown>) => ({ ...p, lifecycleRules: rules });
  it("passes expiry at 35 days with noncurrent versions kept 30", () => {
    expect(onStack(doSpacesRetention, stack)).toEqual([]);
    expect(onStack(doSpacesRetention, stack, { maximumRetentionDays: 65 })).toEqual([]);
  });
  it.each([
    ["an expiry under the minimum", [{ enabled: true, expiration: { days: 7 } }], "expires backups after 7 days, less than the minimum of 30 days."],
    ["noncurrent versions kept 2 days", [{ enabled: true, expiration: { days: 35 }, noncurrentVersionExpiration: { days: 2 } }], "deletes noncurrent versions after 2 days"],
    ["an expiry on a date", [{ enabled: true, expiration: { date: "2027-01-01" } }], "expires every backup on 2027-01-01, whatever its age."],
  ])("fails %s", (_, rules, message) => {
    const findings = onStack(doSpacesRetention, withProps(stack, "do-backups", lifecycle(rules)));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("fails objects kept past the maximum, or never expired", () => {
    expect(summary(onStack(doSpacesRetention, stack, { maximumRetentionDays: 60 }))).toEqual(["do-backups: Objects are deleted for good after 65 days (35 days current + 30 days noncurrent), more than the maximum of 60 days."]);
    const prefixOnly = withProps(stack, "do-backups", lifecycle([{ enabled: true, prefix: "pg/", expiration: { days: 35 }, noncurrentVersionExpiration: { days: 30 } }]));
    expect(onStack(doSpacesRetention, prefixOnly, { maximumRetentionDays: 400 })[0]?.message).toContain("No enabled lifecycle rule covering every object expires it");
  });
});

const CLUSTER = "digitalocean:index/databaseCluster:DatabaseCluster";
/** A resource pointing at the cluster `cluster` through its `clusterId` input. */
const ofCluster = (type: string, name: string, cluster: string, properties: Record<string, unknown>) =>
  res(type, name, { clusterId: `${cluster}-id`, ...properties }, { propertyDependencies: { clusterId: [stack.find((r) => r.name === cluster)?.urn ?? res(CLUSTER, cluster, {}).urn] } });
const withoutFirewall = stack.filter((r) => r.name !== "do-db-firewall");

describe("do-database-firewall", () => {
  it("passes a cluster whose firewall admits the application", () => {
    expect(onStack(doDatabaseFirewall, stack)).toEqual([]);
  });
  it("fails a cluster with no firewall, and one whose firewall has no rules", () => {
    expect(summary(onStack(doDatabaseFirewall, withoutFirewall))).toEqual(["do-db: No database firewall admits named sources to this cluster, so it accepts connections from any address."]);
    const empty = [...withoutFirewall, ofCluster("digitalocean:index/databaseFirewall:DatabaseFirewall", "do-db-firewall", "do-db", { rules: [] })];
    expect(summary(onStack(doDatabaseFirewall, empty))).toEqual(["do-db: No database firewall admits named sources to this cluster, so it accepts connections from any address."]);
  });
  it("does not ask a read-only replica for its own firewall", () => {
    const replica = ofCluster("digitalocean:index/databaseReplica:DatabaseReplica", "do-db-replica", "do-db", { region: "ams3" });
    expect(onStack(doDatabaseFirewall, [...stack, replica])).toEqual([]);
  });
});

describe("do-database-replica", () => {
  const required = { requireCrossRegionBackups: true };
  it("passes a PostgreSQL cluster with a replica in another region, and any cluster when not required", () => {
    const replica = ofCluster("digitalocean:index/databaseReplica:DatabaseReplica", "do-db-replica", "do-db", { region: "ams3" });
    expect(onStack(doDatabaseReplica, [...stack, replica], required)).toEqual([]);
    expect(onStack(doDatabaseReplica, stack)).toEqual([]);
  });
  it("fails a cluster with no replica, and one whose replica is in its own region, when required", () => {
    expect(summary(onStack(doDatabaseReplica, stack, required))).toEqual(["do-db: No read-only replica of this cluster exists in another region."]);
    const local = ofCluster("digitalocean:index/databaseReplica:DatabaseReplica", "do-db-replica", "do-db", { region: "fra1" });
    expect(summary(onStack(doDatabaseReplica, [...stack, local], required))).toEqual(["do-db: Its replicas are all in its own region (fra1)."]);
  });
  it("does not ask a Valkey cluster, which cannot have replicas, for one", () => {
    expect(onStack(doDatabaseReplica, [...withProps(stack, "do-db", (p) => ({ ...p, engine: "valkey" }))], required)).toEqual([]);
  });
});

describe("do-valkey-persistence", () => {
  const cache = res(CLUSTER, "do-cache", { region: "fra1", engine: "valkey" });
  it("passes a Valkey cluster with default persistence or rdb", () => {
    expect(onStack(doValkeyPersistence, [...stack, cache])).toEqual([]);
    const rdb = res("digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig", "do-cache-config", { clusterId: "x", persistence: "rdb" }, { propertyDependencies: { clusterId: [cache.urn] } });
    expect(onStack(doValkeyPersistence, [...stack, cache, rdb])).toEqual([]);
  });
  it.each(["databaseValkeyConfig:DatabaseValkeyConfig", "databaseRedisConfig:DatabaseRedisConfig"])("fails persistence off set by %s", (type) => {
    const off = res(`digitalocean:index/${type}`, "do-cache-config", { clusterId: "x", persistence: "off" }, { propertyDependencies: { clusterId: [cache.urn] } });
    expect(summary(onStack(doValkeyPersistence, [...stack, cache, off]))).toEqual(["do-cache: Persistence is off on this cluster: a restart loses every key."]);
  });
});
