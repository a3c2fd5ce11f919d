import * as pulumi from "@pulumi/pulumi";
import { App } from "@pulumi/digitalocean/app";
import { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import { SpacesBucket } from "@pulumi/digitalocean/spacesBucket";
import { databaseClusterProtectionArgs, DigitalOceanRecoveryEstate } from "@lifeboat/constructs/pulumi/digitalocean";

// A complete backup and disaster-recovery estate on DigitalOcean for an App Platform application
// with a managed PostgreSQL database, a managed Valkey cache and an uploads bucket in Spaces. Every
// value but the age recipients has a default, so `pulumi up` works on a fresh stack once
// `pulumi config set lifeboat-digitalocean:ageRecipient $(age-keygen -y restore.key)` is set;
// `pulumi config set lifeboat-digitalocean:<key> <value>` overrides the rest.
const config = new pulumi.Config();
const region = config.get("region") ?? "nyc3";
const drRegion = config.get("drRegion") ?? "sfo3";
const alertEmails = config.getObject<string[]>("alertEmails") ?? [config.get("alertEmail") ?? "backups-oncall@example.com"];
const slackChannel = config.get("slackChannel") ?? "#backups-oncall";
// A Slack incoming webhook is a credential: set it with `pulumi config set --secret slackWebhook ...`.
const slackWebhook = config.getSecret("slackWebhook") ?? pulumi.secret("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
// The age recipients every backup is encrypted to, client-side, before it reaches Spaces: public
// keys (`age-keygen -y restore.key`), so they are plain config. There is no default: backups
// encrypted to a key nobody holds could never be restored. The identities (private keys) stay with
// whoever restores (`lifeboat restore --identity-file restore.key`), never in this stack or its state.
const ageRecipients = config.getObject<string[]>("ageRecipients") ?? [config.require("ageRecipient")];
// Scheduled restore drills (opt-in): a drill decrypts what it restores, so it needs the age identity,
// which never goes in this repository. `pulumi config set --secret ageIdentity "$(cat restore.key)"`
// turns drills on: a separate drill runner droplet holds the identity (a secret in the state), drills
// PostgreSQL monthly into a scratch database on its cluster and the cache into its empty database 15,
// and the dead-man's switch pages when a drill fails, is overdue, or restores slower than the RTO.
// Without it there is no drill runner, and the posture prints the command to drill by hand.
const ageIdentity = config.getSecret("ageIdentity");
// The off-site copy in AWS: another provider is the strongest disaster-recovery boundary.
const offsite = config.getBoolean("offsite") ?? false;

// --- The application: PostgreSQL, Valkey, uploads in Spaces, and an App Platform service.
const db = new DatabaseCluster("app-db", {
  engine: "pg",
  version: "17",
  size: "db-s-1vcpu-2gb",
  region,
  nodeCount: 1,
  // The weekly maintenance window Lifeboat decides: Sunday 05:00 UTC, after the nightly dump.
  ...databaseClusterProtectionArgs(),
});
const cache = new DatabaseCluster("app-cache", { engine: "valkey", version: "8", size: "db-s-1vcpu-1gb", region, nodeCount: 1, ...databaseClusterProtectionArgs() });
const uploads = new SpacesBucket("uploads", { region, acl: "private", versioning: { enabled: true } });
const app = new App("app", {
  spec: {
    name: "app",
    region,
    services: [
      {
        name: "web",
        image: { registryType: "DOCR", repository: "app", tag: config.get("appImageTag") ?? "latest" },
        httpPort: 8080,
        instanceCount: 2,
        instanceSizeSlug: "apps-s-1vcpu-1gb",
        healthCheck: { httpPath: "/healthz" },
      },
    ],
    databases: [
      { name: "db", engine: "PG", production: true, clusterName: db.name },
      { name: "cache", engine: "VALKEY", production: true, clusterName: cache.name },
    ],
  },
});

// --- The estate, derived from the objectives: RTO 4 hours; RPO 24 hours for the database (met by
// DigitalOcean's point-in-time recovery, with a nightly dump as the portable copy) and 1 hour for the
// cache (a dump every 30 minutes). DigitalOcean keeps its own daily backups 7 days; the vault keeps
// dailies 30 days, weeklies 90 and monthlies a year.
const estate = new DigitalOceanRecoveryEstate("prod", {
  objectives: {
    rpo: "24h",
    rto: "4h",
    region,
    drRegion,
    retention: { daily: "30d", weekly: "90d", monthly: "1y" },
  },
  sources: [
    { name: "postgres-main", kind: "postgres", engine: "do-managed", cluster: db, database: "defaultdb", sizeGiB: 20 },
    { name: "cache", kind: "redis", engine: "do-managed", cluster: cache, rpo: "1h", sizeGiB: 1, restoreAfter: ["postgres-main"] },
    { name: "uploads", kind: "objects", engine: "spaces", bucket: uploads, region, sizeGiB: 50 },
  ],
  app: { id: app.id },
  alerts: { emails: alertEmails, slack: [{ channel: slackChannel, url: slackWebhook }] },
  encryption: { ageRecipients },
  monitor: { healthUrl: pulumi.interpolate`${app.liveUrl}/healthz` },
  // uploads is not drilled: a Spaces drill needs a scratch bucket (`uploads: { scratch: { bucket } }`).
  ...(ageIdentity ? { drills: { identity: ageIdentity, sources: { cache: { scratch: { database: 15 } } } } } : {}),
  ...(offsite ? { offsite: { region: new pulumi.Config("aws").get("region") ?? "us-east-1", replicaRegion: config.get("offsiteReplicaRegion") ?? "us-west-2" } } : {}),
});

export const appUrl = app.liveUrl;
export const vaultBucket = estate.vault.bucketName;
export const runnerHealthUrl = estate.runner.healthUrl;
export const drillRunnerIp = estate.drillRunner?.droplet.ipv4Address;
// Per source: achieved RPO and RTO against the objectives, copies, alerts, restore commands.
export const posture = estate.posture;
export const runbook = estate.runbook;
