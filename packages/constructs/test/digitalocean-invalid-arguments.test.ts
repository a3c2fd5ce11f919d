import { describe, expect, it } from "vitest";
import { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import { SpacesBucket } from "@pulumi/digitalocean/spacesBucket";
import { LifeboatValidationError } from "@lifeboat/constructs/core";
import { databaseClusterProtectionArgs, DigitalOceanRecoveryEstate, type DigitalOceanRecoveryEstateArgs, dropletBackupArgs, ManagedDatabaseProtection, ServiceMonitor, SpacesVault } from "@lifeboat/constructs/pulumi/digitalocean";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf } from "./support";

const INPUTS = ["digitalocean:index/databaseCluster:DatabaseCluster", "digitalocean:index/spacesBucket:SpacesBucket"];

const RECIPIENT = "age1encx4j2kn6ntprecd7nw4zhh5a25qfsxh4djc3y77f3jcjn3aufsttl0f9";
const db = () => new DatabaseCluster("db", { engine: "pg", size: "db-s-1vcpu-2gb", region: "nyc3", nodeCount: 1 });

/** A valid estate with one field changed by `change`. */
function estate(change: (args: any) => void): Error {
  const args: any = {
    objectives: { rpo: "24h", rto: "4h", region: "nyc3", drRegion: "sfo3", retention: { daily: "30d", weekly: "90d", monthly: "1y" } },
    sources: [
      { name: "postgres-main", kind: "postgres", engine: "do-managed", cluster: db(), database: "app" },
      { name: "uploads", kind: "objects", engine: "spaces", bucket: new SpacesBucket("uploads", { region: "nyc3" }), region: "nyc3" },
    ],
    alerts: { emails: ["oncall@example.com"] },
    encryption: { ageRecipients: [RECIPIENT] },
  } satisfies DigitalOceanRecoveryEstateArgs;
  change(args);
  return errorOf(() => new DigitalOceanRecoveryEstate("prod", args));
}

/** The problem lines of a validation error. */
const lines = (error: Error) => {
  expect(error).toBeInstanceOf(LifeboatValidationError);
  return (error as LifeboatValidationError).problems.map((p) => `\`${p.argument}\` (${p.value}) ${p.message}`);
};

describe("DigitalOcean components refuse bad arguments before creating anything", () => {
  const cases: [string, () => Error, string][] = [
    ["an estate region that is not a DigitalOcean region", () => estate((a) => (a.objectives.region = "us-east-1")), '`objectives.region` ("us-east-1") is not a DigitalOcean region; use one of ams3,'],
    ["a DR region equal to the primary region", () => estate((a) => (a.objectives.drRegion = "nyc3")), '`objectives.drRegion` ("nyc3") must differ from the primary region (nyc3)'],
    ["a vault retention that archives, which Spaces cannot", () => estate((a) => (a.objectives.retention = { daily: "30d", archiveAfter: "30d" })), '`vault.retention.archiveAfter` ("30d") is not possible on Spaces, which has no storage-class transitions'],
    ["no age recipients", () => estate((a) => (a.encryption = { ageRecipients: [] })), "`encryption.ageRecipients` ([]) must list at least one age X25519 recipient"],
    ["an age identity given as a recipient", () => estate((a) => (a.encryption = { ageRecipients: ["AGE-SECRET-KEY-1QQQQ"] })), '`encryption.ageRecipients[0]` ("an age identity") is a private key'],
    ["no alert recipients", () => estate((a) => (a.alerts = {})), "`alerts` ({}) must name at least one email address or Slack channel"],
    ["a Slack URL that is not a Slack webhook, never printed back", () => estate((a) => (a.alerts = { slack: [{ channel: "#oncall", url: "https://evil.example.com/x?token=abc" }] })), '`alerts.slack[0].url` ("a URL not on hooks.slack.com") must be a Slack incoming webhook'],
    ["a runner too small for pg_dump and zstd", () => estate((a) => (a.runner = { size: "s-1vcpu-1gb" })), '`runner.size` ("s-1vcpu-1gb") is too small'],
    ["a jobs version range instead of a pinned version", () => estate((a) => (a.runner = { jobsVersion: "^0.1.0" })), '`runner.jobsVersion` ("^0.1.0") must be an exact version'],
    ["SSH open to the internet", () => estate((a) => (a.runner = { sshFrom: ["0.0.0.0/0"] })), '`runner.sshFrom[0]` ("0.0.0.0/0") opens SSH to the whole internet'],
    ["a maintenance window during the nightly backup", () => errorOf(() => databaseClusterProtectionArgs({ hour: "01:30" })), '`maintenanceWindow.hour` ("01:30") falls within an hour before or two hours after the daily backups start'],
    ["a cache RPO logical dumps cannot meet", () => estate((a) => a.sources.push({ name: "cache", kind: "redis", engine: "do-managed", cluster: db(), rpo: "10m" })), '`sources[2].rpo` (10 minutes) cannot be met by logical dumps alone'],
    ["a droplet directory with an RPO under a day", () => estate((a) => a.sources.push({ name: "files", kind: "objects", engine: "droplet", droplet: {} as any, path: "/srv", rpo: "6h" })), "`sources[2].rpo` (6 hours) cannot be met by droplet backups, which run at most once a day"],
    ["an off-site replica in the off-site vault's own region", () => estate((a) => (a.offsite = { region: "us-east-1", replicaRegion: "us-east-1" })), '`offsite.replicaRegion` ("us-east-1") must differ from offsite.region'],
    ["a monitor with a down period DigitalOcean does not offer", () => estate((a) => (a.monitor = { healthUrl: "https://app.example.com/healthz", downFor: "4m" })), "`monitor.downFor` (4 minutes) must be one of 2m, 3m, 5m, 10m, 15m, 30m, 1h"],
    ["a Valkey cluster with a DR replica", () => errorOf(() => new ManagedDatabaseProtection("cache", { cluster: db(), engine: "valkey", region: "nyc3", drRegion: "sfo3", trustedSources: { tags: ["web"] } })), '`drRegion` ("sfo3") cannot hold a replica of a Valkey cluster'],
    ["a database firewall that trusts nobody, which DigitalOcean treats as open to all", () => errorOf(() => new ManagedDatabaseProtection("db", { cluster: db(), engine: "pg", region: "nyc3", trustedSources: {} })), "`trustedSources` ({}) must admit at least one app, droplet or tag"],
    ["the retired redis engine", () => errorOf(() => new ManagedDatabaseProtection("db", { cluster: db(), engine: "redis" as never, region: "nyc3", trustedSources: { tags: ["web"] } })), '`engine` ("redis") must be one of pg, mysql, valkey ("redis" clusters are retired by DigitalOcean; migrate to "valkey")'],
    ["a Spaces vault in a region without Spaces", () => errorOf(() => new SpacesVault("v", { region: "nyc1" })), '`region` ("nyc1") is not a region with Spaces'],
    ["a monitor that watches nothing", () => errorOf(() => new ServiceMonitor("m", { alerts: { emails: ["oncall@example.com"] } })), "`healthUrl` (not set) must be set, or droplets, databases or load balancers listed"],
    ["a utilization threshold of 100% or more", () => errorOf(() => new ServiceMonitor("m", { droplets: ["1"], utilizationPercent: 120, alerts: { emails: ["oncall@example.com"] } })), "`utilizationPercent` (120) must be a percentage above 0 and below 100"],
    ["a maintenance day DigitalOcean does not know", () => errorOf(() => databaseClusterProtectionArgs({ day: "sun" })), '`maintenanceWindow.day` ("sun") must be one of monday, tuesday'],
    ["droplet backups for an hourly RPO", () => errorOf(() => dropletBackupArgs("1h")), "`rpo` (1 hour) cannot be met by droplet backups"],
  ];

  it.each(cases)("refuses %s, naming the argument, the value and the fix, before creating anything", async (_what, act, expected) => {
    const recorder = new Recorder();

    const error = act();

    expect(lines(error).join("\n")).toContain(expected);
    expect(error.message).not.toMatch(/token=abc|AGE-SECRET-KEY/);
    await recorder.settle();
    // Only what the case itself declares as the component's input (a cluster, a bucket) may be registered.
    expect(recorder.resources.map((r) => r.type).filter((t) => !INPUTS.includes(t))).toEqual([]);
  });

  it("reports every problem of an estate in one error", () => {
    const error = estate((a) => {
      a.objectives.region = "mars1";
      a.encryption = { ageRecipients: [] };
      a.alerts = {};
    });

    expect(lines(error).map((l) => l.split(" ")[0])).toEqual(expect.arrayContaining(["`objectives.region`", "`encryption.ageRecipients`", "`alerts`"]));
    expect(error.message).toMatch(/^DigitalOceanRecoveryEstate "prod": \d+ problems in the arguments:/);
  });
});
