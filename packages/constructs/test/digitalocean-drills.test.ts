import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import { SpacesBucket } from "@pulumi/digitalocean/spacesBucket";
import { LifeboatValidationError, renderRunbook, type DrillRecord } from "@lifeboat/constructs/core";
import {
  designDigitalOceanEstate,
  digitalOceanPosture,
  drillJobConfig,
  drillOnCalendar,
  type DoEstateSettings,
  healthServerArgs,
  runnerUserData,
} from "@lifeboat/constructs/core/digitalocean";
import { DigitalOceanRecoveryEstate, type DigitalOceanRecoveryEstateArgs } from "@lifeboat/constructs/pulumi/digitalocean";
import { errorOf, record } from "./support";

// A throwaway pair made for these tests with age-encryption's generateIdentity(); it protects nothing.
const IDENTITY = "AGE-SECRET-KEY-1GXLFA8LVR4AV4F5P74NSUTUXEEFPWQG2CJLAQJN6ZQVMRF8VEQWQLK5SP9";
const RECIPIENT = "age1f80qy6vsxuy0y234s9tg69svk96j3n7r0lzywsdesq8c7w6hmfsqe7htv6";

const settings = (drills: DoEstateSettings["drills"]): DoEstateSettings => ({
  objectives: { rpo: "24h", rto: "4h", region: "nyc3" },
  sources: [
    { name: "postgres-main", kind: "postgres", engine: "do-managed", clusterEngine: "pg" },
    { name: "cache", kind: "redis", engine: "do-managed", clusterEngine: "valkey", rpo: "1h" },
    { name: "uploads", kind: "objects", engine: "spaces" },
    { name: "app-files", kind: "objects", engine: "droplet" },
  ],
  alerts: { emails: ["oncall@example.com"] },
  encryption: { ageRecipients: [RECIPIENT] },
  ...(drills ? { drills } : {}),
});
const ids = { estate: "prod", vaultBucket: "prod-vault", runnerIp: "203.0.113.7", targets: { "postgres-main": { cluster: "app-db", database: "app" } }, emails: ["oncall@example.com"], slackChannels: [] };

const problemLines = (build: () => unknown) => {
  const error = errorOf(build);
  expect(error).toBeInstanceOf(LifeboatValidationError);
  return (error as LifeboatValidationError).problems.map((p) => `\`${p.argument}\` (${p.value}) ${p.message}`);
};

describe("scheduled drills on DigitalOcean (core)", () => {
  it("schedules a monthly drill of each PostgreSQL source on a separate drill runner, and leaves Valkey and Spaces sources undrilled until their scratch target is declared", () => {
    const design = designDigitalOceanEstate(settings({ identity: IDENTITY }), "test");
    const drills = design.drills!;

    expect(drills.runner.role).toBe("drill");
    expect(drills.runner.droplet.tags).toEqual(["lifeboat-drill-runner"]);
    expect(drills.runner.jobs.map((j) => [j.unit, j.args.join(" "), j.onCalendar, j.timeoutSeconds])).toEqual([["lifeboat-drill-postgres-main", "drill --source postgres-main", "*-*-01/30 03:00:00 UTC", 8 * 3600]]);
    expect(drills.runner.firewall.inbound).toEqual([]);
    expect(Object.keys(drills.undrilled)).toEqual(["cache", "uploads"]);
    expect(drills.undrilled.cache).toContain("`drills.sources.cache`: { scratch: { database: 15 } }");
    expect(design.databases["postgres-main"]!.firewallRules.filter((r) => r.type === "droplet").map((r) => r.value)).toEqual(["runner", "drill-runner"]);
  });

  it("drills a Valkey source into a declared scratch database and a Spaces source into a declared scratch bucket, each at its own interval", () => {
    const design = designDigitalOceanEstate(
      settings({ identity: IDENTITY, every: "14d", sources: { cache: { scratch: { database: 15 }, every: "7d" }, uploads: { scratch: { bucket: "uploads-drill" } }, "postgres-main": false } }),
      "test",
    );
    const drills = design.drills!;

    expect(drills.runner.jobs.map((j) => [j.unit, j.onCalendar])).toEqual([
      ["lifeboat-drill-cache", "*-*-01/7 03:00:00 UTC"],
      ["lifeboat-drill-uploads", "*-*-01/14 03:20:00 UTC"],
    ]);
    expect(drills.settings).toEqual({ cache: { scratch: { database: 15 } }, uploads: { scratch: { bucket: "uploads-drill" } } });
    expect(drills.undrilled["postgres-main"]).toMatch(/^Restore drills are turned off for this source/);
  });

  it("runs drills at least as often as declared: day-of-month steps up to a month, month steps beyond, 20 minutes apart per source", () => {
    expect([1, 7, 30, 31, 45, 62, 92].map((d) => drillOnCalendar(d, 0))).toEqual([
      "*-*-* 03:00:00 UTC",
      "*-*-01/7 03:00:00 UTC",
      "*-*-01/30 03:00:00 UTC",
      "*-*-01/31 03:00:00 UTC",
      "*-*-01 03:00:00 UTC",
      "*-01/2-01 03:00:00 UTC",
      "*-01/2-01 03:00:00 UTC",
    ]);
    expect(drillOnCalendar(30, 4)).toBe("*-*-01/30 04:20:00 UTC");
  });

  it("has the health endpoint watch each drill with the numbers of the AWS estate's drill alarms", () => {
    const design = designDigitalOceanEstate(settings({ identity: IDENTITY }), "test");

    expect(design.runner.drillWatches).toEqual([{ source: "postgres-main", everyMinutes: 30 * 1440, staleAfterMinutes: 31 * 1440, rtoMinutes: 240, alarmWindowMinutes: 1440 }]);
    expect(healthServerArgs(design.runner).slice(-2)).toEqual(["--drills-file", "/etc/lifeboat/drills.json"]);
    const doc = JSON.parse(runnerUserData(design.runner, { config: "{}", secrets: "" }).replace("#cloud-config\n", ""));
    expect(JSON.parse(doc.write_files.find((f: any) => f.path === "/etc/lifeboat/drills.json").content)).toEqual(design.runner.drillWatches);
  });

  it("gives the drill runner drill timers only, no health service, and the identity in the root-only environment file", () => {
    const drills = designDigitalOceanEstate(settings({ identity: IDENTITY }), "test").drills!;
    const secrets = `LIFEBOAT_AGE_IDENTITY='${IDENTITY}'\n`;

    const doc = JSON.parse(runnerUserData(drills.runner, { config: "{}", secrets }).replace("#cloud-config\n", ""));

    expect(doc.write_files.find((f: any) => f.path === "/etc/lifeboat/lifeboat.env")).toEqual({ path: "/etc/lifeboat/lifeboat.env", content: secrets, permissions: "0600", owner: "root:root" });
    expect(doc.write_files.map((f: any) => f.path)).not.toContain("/etc/systemd/system/lifeboat-health.service");
    expect(doc.runcmd).toContainEqual(["systemctl", "enable", "--now", "lifeboat-metadata-guard.service", "lifeboat-drill-postgres-main.timer"]);
    expect(doc.runcmd.at(-1)).toEqual(["shred", "-u", "/var/lib/cloud/instance/user-data.txt", "/var/lib/cloud/instance/user-data.txt.i"]);
  });

  it("writes the drill runner's job configuration with the drilled sources only, each with its drill settings and a Spaces source on its drill key", () => {
    const drills = designDigitalOceanEstate(settings({ identity: IDENTITY, sources: { uploads: { scratch: { bucket: "uploads-drill" } } } }), "test").drills!;
    const base = { name: "x", rpoMinutes: 1440 };
    const config = {
      vault: { bucket: "prod-vault", region: "us-east-1" },
      sources: [
        { ...base, name: "postgres-main", kind: "postgres", host: "db", port: 25060, database: "app" },
        { ...base, name: "cache", kind: "redis", host: "cache", port: 25061 },
        { ...base, name: "uploads", kind: "objects", bucket: "uploads", credentials: { env: { username: "UPLOADS_ACCESS_KEY_ID", password: "UPLOADS_SECRET_ACCESS_KEY" } } },
      ],
    } as any;

    const out = drillJobConfig(config, drills);

    expect(out.sources.map((s: any) => [s.name, s.drill, s.credentials])).toEqual([
      ["postgres-main", {}, undefined],
      ["uploads", { scratch: { bucket: "uploads-drill" } }, { env: { username: "UPLOADS_DRILL_ACCESS_KEY_ID", password: "UPLOADS_DRILL_SECRET_ACCESS_KEY" } }],
    ]);
  });

  it("refuses invalid drill settings in one error naming each argument, without echoing the identity", () => {
    const lines = problemLines(() =>
      designDigitalOceanEstate(
        settings({
          identity: RECIPIENT,
          every: "200d",
          size: "s-1vcpu-1gb",
          sources: { cache: { scratch: {} }, uploads: { smokeQueries: [{ sql: "SELECT 1", min: 1 }] } as any, "app-files": {}, billing: {} },
        }),
        "test",
      ),
    );

    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^`drills.identity` \("a string that is not an age identity \(not shown\)"\) must be the age X25519 identity matching `encryption.ageRecipients`.*config.requireSecret/),
        expect.stringMatching(/^`drills.size` \("s-1vcpu-1gb"\) is too small/),
        expect.stringMatching(/^`drills.sources.billing` \("billing"\) is not a source of this estate; the sources with backups are postgres-main, cache, uploads\.$/),
        expect.stringMatching(/^`drills.sources.app-files` \(\{\}\) has no logical backup in the vault to drill/),
        expect.stringMatching(/^`drills.sources.cache.scratch` \(\{\}\) must set `database`/),
        expect.stringMatching(/^`drills.sources.uploads.smokeQueries` .* apply to PostgreSQL sources only/),
        expect.stringMatching(/^`drills.sources.uploads.scratch` \(not set\) is required for an objects drill/),
        expect.stringMatching(/^`drills.every` \(200 days\) must be between 1 and 92 days because a drill restores a whole copy/),
      ]),
    );
    expect(lines.filter((l) => l.startsWith("`drills.every`"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain(RECIPIENT);
  });
});

describe("the DigitalOcean posture with drills", () => {
  const record_ = (outcome: "succeeded" | "failed", startedAt: string, restoreSeconds?: number): DrillRecord => ({
    schemaVersion: 1,
    source: "postgres-main",
    kind: "postgres",
    startedAt,
    finishedAt: startedAt,
    outcome,
    scratch: "postgres://db/lifeboat_drill",
    checks: [],
    ...(restoreSeconds !== undefined ? { restoreSeconds, backup: { artifactKey: "k", startedAt, sizeBytes: 1, sha256: "x", tier: "daily" } } : {}),
  });

  it("says where each drill runs and what pages, and shows the RTO measured by the newest drill record, through the runbook too", () => {
    const design = designDigitalOceanEstate(settings({ identity: IDENTITY }), "test");

    const posture = digitalOceanPosture(design, { ...ids, drillRecords: [record_("succeeded", "2026-11-28T03:00:00.000Z", 720), record_("succeeded", "2026-10-28T03:00:00.000Z", 900)] });
    const pg = posture.sources.find((s) => s.name === "postgres-main")!;

    expect(pg.rto?.statement).toBe("RTO measured on 2026-11-28: 12 minutes (objective 4 hours)");
    expect(pg.jobs?.map((j) => [j.job, j.runtime])).toContainEqual(["drill", "runner"]);
    expect(pg.jobs?.find((j) => j.job === "drill")?.reason).toMatch(/^the drill runner droplet's timer lifeboat-drill-postgres-main\.timer; .* systemd gives it \(twice the RTO, at least an hour\)/);
    expect(pg.notes.join("\n")).toContain("Restore drills run on the drill runner droplet (it holds the age identity; the backup runner never does) every 30 days");
    expect(pg.alarms.map((a) => a.id)).toEqual(["dead-mans-switch", "drill-health"]);
    expect(renderRunbook(posture)).toContain("RTO measured on 2026-11-28: 12 minutes (objective 4 hours).");
    expect(posture.sources.find((s) => s.name === "cache")!.notes.join("\n")).toMatch(/No restore drill: a Valkey drill needs a declared scratch target.*Drill it by hand where the identity is: `LIFEBOAT_CONFIG_FILE=lifeboat.json/);
  });

  it("keeps the estimate, and says no drill is scheduled, without drills", () => {
    const posture = digitalOceanPosture(designDigitalOceanEstate(settings(undefined), "test"), ids);
    const pg = posture.sources.find((s) => s.name === "postgres-main")!;

    expect(pg.rto).toBeUndefined();
    expect(pg.notes.join("\n")).toContain("No restore drill is scheduled: a drill decrypts the backup, and the runner holds only the age recipients.");
  });

  it("reads drill records into the posture even without scheduled drills (drills run by hand)", () => {
    const posture = digitalOceanPosture(designDigitalOceanEstate(settings(undefined), "test"), { ...ids, drillRecords: [record_("succeeded", "2026-11-28T03:00:00.000Z", 300)] });

    expect(posture.sources.find((s) => s.name === "postgres-main")!.rto?.statement).toBe("RTO measured on 2026-11-28: 5 minutes (objective 4 hours)");
  });
});

describe("DigitalOceanRecoveryEstate with drills (recorded)", () => {
  const args = (identity: pulumi.Input<string>): DigitalOceanRecoveryEstateArgs => {
    const db = new DatabaseCluster("db", { engine: "pg", version: "17", size: "db-s-1vcpu-2gb", region: "nyc3", nodeCount: 1 });
    const uploads = new SpacesBucket("uploads", { region: "nyc3" });
    return {
      objectives: { rpo: "24h", rto: "4h", region: "nyc3" },
      sources: [
        { name: "postgres-main", kind: "postgres", engine: "do-managed", cluster: db, database: "app" },
        { name: "uploads", kind: "objects", engine: "spaces", bucket: uploads, region: "nyc3" },
      ],
      alerts: { emails: ["oncall@example.com"] },
      encryption: { ageRecipients: [RECIPIENT] },
      drills: { identity, sources: { uploads: { scratch: { bucket: "uploads-drill" } } } },
    };
  };

  it("creates the drill runner with secret user data and no inbound rule, admits it to the database firewall, and keeps the identity out of the plain state", async () => {
    const rec = await record(() => new DigitalOceanRecoveryEstate("prod", args(pulumi.secret(IDENTITY))));
    const droplet = rec.get("digitalocean:index/droplet:Droplet", "prod-drill-runner-droplet");
    const firewall = rec.get("digitalocean:index/firewall:Firewall", "prod-drill-runner-firewall");
    const dbFirewall = rec.resources.find((r) => r.type === "digitalocean:index/databaseFirewall:DatabaseFirewall")!;
    const key = rec.get("digitalocean:index/spacesKey:SpacesKey", "prod-uploads-drill");

    expect(droplet.inputs).toMatchObject({ name: "prod-drill-runner-lifeboat-drill-runner", tags: ["lifeboat-drill-runner"], userData: "[secret]" });
    expect(firewall.inputs.inboundRules).toEqual([]);
    expect((dbFirewall.inputs.rules as any[]).filter((r) => r.type === "droplet").map((r) => r.value)).toContain(droplet.id);
    expect((key.inputs.grants as any[]).map((g) => g.permission)).toEqual(["read", "readwrite"]);
    expect(JSON.stringify(rec.resources)).not.toContain(IDENTITY);
    expect(JSON.stringify(rec.resources)).not.toContain(IDENTITY.slice(16, 40));
  });

  it("keeps the identity secret even when it is given as a plain string", async () => {
    const rec = await record(() => new DigitalOceanRecoveryEstate("prod", args(IDENTITY)));

    expect(rec.get("digitalocean:index/droplet:Droplet", "prod-drill-runner-droplet").inputs.userData).toBe("[secret]");
    expect(JSON.stringify(rec.resources)).not.toContain(IDENTITY.slice(16, 40));
  });
});
