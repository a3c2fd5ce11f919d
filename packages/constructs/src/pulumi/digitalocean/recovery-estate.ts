import * as pulumi from "@pulumi/pulumi";
import type { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";
import type { Droplet } from "@pulumi/digitalocean/droplet";
import type { SpacesBucket } from "@pulumi/digitalocean/spacesBucket";
import { SpacesKey } from "@pulumi/digitalocean/spacesKey";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { AccessKey } from "@pulumi/aws/iam/accessKey";
import { User } from "@pulumi/aws/iam/user";
import { UserPolicy } from "@pulumi/aws/iam/userPolicy";
import { type DrillRecord, type EstatePosture, type JobConfig, policyDocument, renderRunbook, type SourceConfig } from "../../core";
import {
  designDigitalOceanEstate,
  type DoEstateDesign,
  type DoObjectivesArgs,
  digitalOceanPosture,
  AGE_IDENTITY_VARIABLE,
  type DoDrillSettings,
  drillJobConfig,
  drillSpacesKeyGrants,
  drillSpacesKeyVariables,
  environmentFile,
  envStem,
  offsiteCopyStatements,
  offsiteJobConfig,
  OFFSITE_CONFIG_FILE,
  SPACES_SIGNING_REGION,
  spacesEndpoint,
  type BackupRunnerSettings,
  type RunnerFiles,
} from "../../core/digitalocean";
import { ReplicatedBackupVault } from "../aws/replicated-backup-vault";
import type { AlertRecipientsArgs } from "./alerts";
import { BackupRunner } from "./backup-runner";
import { DeadMansSwitch } from "./dead-mans-switch";
import { DrillRunner } from "./drill-runner";
import { ManagedDatabaseProtection } from "./managed-database-protection";
import { ServiceMonitor, type ServiceMonitorArgs } from "./service-monitor";
import { SpacesVault } from "./spaces-vault";

interface DoSourceCommon {
  /** The source's name: its prefix in the vault, part of resource and unit names. */
  readonly name: string;
  /** @default - the estate's RPO */
  readonly rpo?: string;
  /** @default - the estate's RTO */
  readonly rto?: string;
  /** @default 10 */
  readonly sizeGiB?: number;
  /** @default - none */
  readonly restoreAfter?: readonly string[];
  /** @default - derived from the RPO */
  readonly logicalInterval?: string;
}

/** A database on a managed PostgreSQL cluster. */
export interface ManagedPostgresSourceArgs extends DoSourceCommon {
  readonly kind: "postgres";
  readonly engine: "do-managed";
  readonly cluster: DatabaseCluster;
  readonly database: pulumi.Input<string>;
}

/** A managed Valkey cluster (dumped with SCAN + DUMP: managed Valkey refuses SYNC). */
export interface ManagedValkeySourceArgs extends DoSourceCommon {
  readonly kind: "redis";
  readonly engine: "do-managed";
  readonly cluster: DatabaseCluster;
}

/** A Spaces bucket, copied incrementally into the vault (Spaces has no replication: the copy is the job). */
export interface SpacesSourceArgs extends DoSourceCommon {
  readonly kind: "objects";
  readonly engine: "spaces";
  readonly bucket: SpacesBucket;
  /** The bucket's region, as given to it. */
  readonly region: string;
  /** @default "" (the whole bucket) */
  readonly prefix?: string;
}

/** A directory on a droplet, protected by the droplet's own backups (give it `dropletBackupArgs(rpo)`). */
export interface DropletDirectorySourceArgs extends DoSourceCommon {
  readonly kind: "objects";
  readonly engine: "droplet";
  readonly droplet: Droplet;
  readonly path: string;
}

export type DoEstateSource = ManagedPostgresSourceArgs | ManagedValkeySourceArgs | SpacesSourceArgs | DropletDirectorySourceArgs;

/** Arguments of a {@link DigitalOceanRecoveryEstate}. */
export interface DigitalOceanRecoveryEstateArgs {
  /** RPO, RTO, retention tiers, the region and the DR region: everything else is derived from them. */
  readonly objectives: DoObjectivesArgs;
  readonly sources: readonly DoEstateSource[];
  /** Who is paged: by email and Slack. */
  readonly alerts: AlertRecipientsArgs;
  /** age X25519 recipients every backup is encrypted to; keep the identity only where restores run. */
  readonly encryption: { readonly ageRecipients: readonly string[] };
  /**
   * The App Platform app that uses the databases: their firewalls admit it.
   * @default - only the runner (and `trustedSources`)
   */
  readonly app?: { readonly id: pulumi.Input<string> };
  /** More droplets or tags the database firewalls admit. @default - none */
  readonly trustedSources?: { readonly droplets?: readonly pulumi.Input<string>[]; readonly tags?: readonly pulumi.Input<string>[] };
  /** @default - the defaults of {@link BackupRunnerSettings} */
  readonly runner?: Omit<BackupRunnerSettings, "region">;
  /** @default - generated name, not force-destroyed */
  readonly vault?: { readonly bucketName?: pulumi.Input<string>; readonly forceDestroy?: boolean };
  /**
   * An off-site copy in an AWS `ReplicatedBackupVault` (another provider: the strongest DR boundary).
   * @default - none
   */
  readonly offsite?: { readonly region: string; readonly replicaRegion: string };
  /**
   * The application's monitoring; the managed databases and the runner are added to it.
   * @default - no service monitor
   */
  readonly monitor?: Omit<ServiceMonitorArgs, "alerts" | "databases">;
  /**
   * Scheduled restore drills, on a separate drill runner droplet that holds `identity` (the backup
   * runner never does): every PostgreSQL source monthly into a scratch database on its cluster,
   * Valkey and Spaces sources once their scratch target is declared in `sources`. The health endpoint
   * then answers 503 when a drill failed, when none succeeded within its period, or when a restore
   * took longer than the RTO. Pass the identity as a Pulumi secret (`config.requireSecret(...)`): it
   * is kept secret in the state. See {@link DoDrillSettings}.
   * @default - no scheduled drills; the posture prints the command to drill where the identity is
   */
  readonly drills?: DoDrillSettings & { readonly identity: pulumi.Input<string> };
  /**
   * Drill records read from the vault (`drills/<source>/*.json`, e.g. with `lifeboat list` or the S3 API
   * before `pulumi up`): the posture and runbook then show measured RTOs from the newest per source.
   * @default - none: the posture shows estimates
   */
  readonly records?: { readonly drills?: readonly DrillRecord[] };
}

/**
 * A whole DigitalOcean backup and disaster-recovery estate from one declaration: the Spaces vault
 * (tiers by prefix, age-encrypted backups), each managed database's protection (firewall, DR
 * replica, Valkey persistence), the runner with a systemd timer per backup and verification, the
 * dead-man's switch on its health endpoint, the service monitor, and optionally an off-site copy in
 * an AWS replicated vault with credentials limited to the sources' prefixes. `posture` and `runbook`
 * come from the same core functions as the AWS estate's.
 *
 * @example
 * const estate = new DigitalOceanRecoveryEstate("prod", {
 *   objectives: { rpo: "24h", rto: "4h", region: "nyc3", drRegion: "sfo3", retention: { daily: "30d", weekly: "90d", monthly: "1y" } },
 *   sources: [{ name: "postgres-main", kind: "postgres", engine: "do-managed", cluster: db, database: "app" }],
 *   alerts: { emails: ["oncall@example.com"] },
 *   encryption: { ageRecipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] },
 * });
 */
export class DigitalOceanRecoveryEstate extends pulumi.ComponentResource {
  readonly design: DoEstateDesign;
  readonly vault: SpacesVault;
  readonly runner: BackupRunner;
  /** The drill runner, when drills are opted in. */
  readonly drillRunner?: DrillRunner;
  readonly deadMansSwitch: DeadMansSwitch;
  readonly databases: Record<string, ManagedDatabaseProtection> = {};
  readonly monitor?: ServiceMonitor;
  readonly offsiteVault?: ReplicatedBackupVault;
  readonly posture: pulumi.Output<EstatePosture>;
  readonly runbook: pulumi.Output<string>;

  constructor(name: string, args: DigitalOceanRecoveryEstateArgs, opts?: pulumi.ComponentResourceOptions) {
    const design = designDigitalOceanEstate(
      {
        objectives: args.objectives,
        sources: (args.sources ?? []).map((s) => ({
          name: s.name,
          kind: s.kind,
          engine: s.engine,
          ...(s.engine === "do-managed" ? { clusterEngine: s.kind === "postgres" ? ("pg" as const) : ("valkey" as const) } : {}),
          ...(s.rpo !== undefined ? { rpo: s.rpo } : {}),
          ...(s.rto !== undefined ? { rto: s.rto } : {}),
          ...(s.sizeGiB !== undefined ? { sizeGiB: s.sizeGiB } : {}),
          ...(s.restoreAfter !== undefined ? { restoreAfter: s.restoreAfter } : {}),
          ...(s.logicalInterval !== undefined ? { logicalInterval: s.logicalInterval } : {}),
        })),
        alerts: args.alerts,
        encryption: args.encryption,
        ...(args.runner ? { runner: args.runner } : {}),
        ...(args.vault ? { vault: args.vault } : {}),
        ...(args.offsite ? { offsite: args.offsite } : {}),
        ...(args.drills ? { drills: args.drills } : {}),
        ...(args.monitor ? { monitor: { ...args.monitor, counts: { droplets: (args.monitor.droplets?.length ?? 0) + 1, databases: 1, loadBalancers: args.monitor.loadBalancers?.length ?? 0 } } } : {}),
      },
      `DigitalOceanRecoveryEstate "${name}"`,
    );
    super("lifeboat:digitalocean:DigitalOceanRecoveryEstate", name, {}, opts);
    this.design = design;
    const region = args.objectives.region;
    const plan = design.plan;
    const logical = args.sources.filter((s) => plan.sources.find((p) => p.name === s.name)?.logical);

    this.vault = new SpacesVault(`${name}-vault`, { region, ...(args.objectives.retention ? { retention: args.objectives.retention } : {}), ...(args.vault ?? {}) }, { parent: this });
    const writer = this.vault.grant("runner", "readwrite");
    const readers: Record<string, SpacesKey> = {};
    for (const s of logical) {
      if (s.engine === "spaces") readers[s.name] = new SpacesKey(`${name}-${s.name}-reader`, { name: pulumi.interpolate`${s.bucket.name}-lifeboat-read`, grants: [{ bucket: s.bucket.name, permission: "read" }] }, { parent: this });
    }

    let offsite: { vault: ReplicatedBackupVault; key: AccessKey } | undefined;
    if (design.offsite) {
      const aws = new AwsProvider(`${name}-offsite-aws`, { region: design.offsite.region }, { parent: this });
      const vault = new ReplicatedBackupVault(
        `${name}-offsite`,
        { ...(args.objectives.retention ? { retention: args.objectives.retention } : {}), replica: { region: design.offsite.replicaRegion }, primaryRegion: design.offsite.region },
        { parent: this, providers: { aws } },
      );
      const user = new User(`${name}-offsite-writer`, { path: "/lifeboat/", tags: { "lifeboat:estate": name } }, { parent: this, provider: aws });
      new UserPolicy(
        `${name}-offsite-writer-policy`,
        { user: user.name, policy: pulumi.all([vault.primary.bucketArn, vault.primary.keyArn]).apply(([bucketArn, keyArn]) => JSON.stringify(policyDocument(offsiteCopyStatements({ bucketArn, keyArn }, logical.map((s) => s.name))))) },
        { parent: this, provider: aws },
      );
      const key = new AccessKey(`${name}-offsite-writer-key`, { user: user.name }, { parent: this, provider: aws });
      this.offsiteVault = vault;
      offsite = { vault, key };
    }

    const major = design.runner.postgresClientMajor;
    const tools = { pgDump: `/usr/lib/postgresql/${major}/bin/pg_dump`, pgRestore: `/usr/lib/postgresql/${major}/bin/pg_restore`, psql: `/usr/lib/postgresql/${major}/bin/psql` };
    const secretEntries: Record<string, pulumi.Input<string>> = {};
    const sourceConfigs: pulumi.Input<SourceConfig>[] = logical.map((s) => {
      const p = plan.sources.find((x) => x.name === s.name)!;
      const base = { name: s.name, rpoMinutes: p.objective.rpoMinutes, intervalMinutes: p.logical!.intervalMinutes };
      const stem = envStem(s.name);
      switch (s.engine) {
        case "do-managed":
          secretEntries[`${stem}_USER`] = s.cluster.user;
          secretEntries[`${stem}_PASSWORD`] = s.cluster.password;
          return s.kind === "postgres"
            ? pulumi.all([s.cluster.privateHost, s.cluster.port, s.database]).apply(([host, port, database]) => ({ ...base, kind: "postgres" as const, host, port, database, sslMode: "require" as const, credentials: { env: { username: `${stem}_USER`, password: `${stem}_PASSWORD` } } }))
            : pulumi.all([s.cluster.privateHost, s.cluster.port]).apply(([host, port]) => ({ ...base, kind: "redis" as const, host, port, tls: true, credentials: { env: { username: `${stem}_USER`, password: `${stem}_PASSWORD` } } }));
        case "spaces":
          secretEntries[`${stem}_ACCESS_KEY_ID`] = readers[s.name]!.accessKey;
          secretEntries[`${stem}_SECRET_ACCESS_KEY`] = readers[s.name]!.secretKey;
          return pulumi.output(s.bucket.name).apply((bucket) => ({ ...base, kind: "objects" as const, bucket, prefix: s.prefix ?? "", region: SPACES_SIGNING_REGION, endpoint: spacesEndpoint(s.region), credentials: { env: { username: `${stem}_ACCESS_KEY_ID`, password: `${stem}_SECRET_ACCESS_KEY` } } }));
        default:
          throw new Error(`unreachable: ${s.engine} has no logical backup`);
      }
    });
    const primaryConfig: pulumi.Output<JobConfig> = pulumi.all([this.vault.bucketName, pulumi.all(sourceConfigs)]).apply(([bucket, sources]) => ({
      vault: { bucket, region: SPACES_SIGNING_REGION, endpoint: this.vault.endpoint, tiers: "prefix" as const, encryption: { ageRecipients: [...design.ageRecipients] } },
      sources: sources as SourceConfig[],
      tools,
    }));
    const sharedSecrets = pulumi.all(secretEntries);
    const files: pulumi.Output<RunnerFiles> = pulumi.all([
      primaryConfig,
      sharedSecrets,
      writer.accessKey,
      writer.secretKey,
      offsite ? pulumi.all([offsite.vault.primary.bucketName, offsite.vault.primary.keyArn, offsite.key.id, offsite.key.secret]) : pulumi.output(undefined),
    ]).apply(([config, shared, accessKey, secretKey, off]) => ({
      config: JSON.stringify(config, null, 2),
      secrets: environmentFile({ ...(shared as Record<string, string>), AWS_ACCESS_KEY_ID: accessKey ?? "", AWS_SECRET_ACCESS_KEY: secretKey ?? "" }),
      ...(off && design.offsite
        ? {
            offsite: {
              config: JSON.stringify(offsiteJobConfig(config, { bucket: off[0], region: design.offsite.region, kmsKeyArn: off[1] }, design.ageRecipients), null, 2),
              secrets: environmentFile({ ...(shared as Record<string, string>), AWS_ACCESS_KEY_ID: off[2], AWS_SECRET_ACCESS_KEY: off[3] }),
            },
          }
        : {}),
    }));

    this.runner = new BackupRunner(`${name}-runner`, { ...(args.runner ?? {}), region, plan, files: pulumi.secret(files), offsite: offsite !== undefined, design: design.runner }, { parent: this });
    if (design.drills && args.drills) {
      const drills = design.drills;
      const drillWriter = this.vault.grant("drill-runner", "readwrite");
      const drillEntries: Record<string, pulumi.Input<string>> = {};
      for (const s of logical) {
        if (!drills.plans[s.name]) continue;
        const stem = envStem(s.name);
        if (s.engine === "do-managed") Object.assign(drillEntries, { [`${stem}_USER`]: s.cluster.user, [`${stem}_PASSWORD`]: s.cluster.password });
        if (s.engine === "spaces") {
          const scratch = drills.settings[s.name]!.scratch!.bucket!;
          const key = new SpacesKey(`${name}-${s.name}-drill`, { name: pulumi.interpolate`${s.bucket.name}-lifeboat-drill`, grants: drillSpacesKeyGrants(s.bucket.name, scratch) }, { parent: this });
          const vars = drillSpacesKeyVariables(s.name);
          Object.assign(drillEntries, { [vars.username]: key.accessKey, [vars.password]: key.secretKey });
        }
      }
      const drillFiles: pulumi.Output<RunnerFiles> = pulumi
        .all([primaryConfig, pulumi.all(drillEntries), drillWriter.accessKey, drillWriter.secretKey, pulumi.secret(args.drills.identity)])
        .apply(([config, entries, accessKey, secretKey, identity]) => ({
          config: JSON.stringify(drillJobConfig(config, drills), null, 2),
          secrets: environmentFile({ ...(entries as Record<string, string>), AWS_ACCESS_KEY_ID: accessKey ?? "", AWS_SECRET_ACCESS_KEY: secretKey ?? "", [AGE_IDENTITY_VARIABLE]: identity.trim() }),
        }));
      this.drillRunner = new DrillRunner(`${name}-drill-runner`, { design: drills, files: pulumi.secret(drillFiles) }, { parent: this });
    }
    this.deadMansSwitch = new DeadMansSwitch(`${name}-backup-health`, { healthUrl: this.runner.healthUrl, alerts: args.alerts }, { parent: this });

    for (const s of args.sources) {
      if (s.engine !== "do-managed") continue;
      this.databases[s.name] = new ManagedDatabaseProtection(
        `${name}-${s.name}`,
        {
          cluster: s.cluster,
          engine: s.kind === "postgres" ? "pg" : "valkey",
          region,
          ...(s.kind === "postgres" && args.objectives.drRegion ? { drRegion: args.objectives.drRegion } : {}),
          trustedSources: { apps: args.app ? [args.app.id] : [], droplets: [this.runner.droplet.id, ...(this.drillRunner ? [this.drillRunner.droplet.id] : []), ...(args.trustedSources?.droplets ?? [])], tags: [...(args.trustedSources?.tags ?? [])] },
        },
        { parent: this },
      );
    }
    const clusters = args.sources.flatMap((s) => (s.engine === "do-managed" ? [s.cluster.id] : []));
    if (args.monitor) {
      this.monitor = new ServiceMonitor(`${name}-monitor`, { ...args.monitor, droplets: [...(args.monitor.droplets ?? []), this.runner.droplet.id], databases: clusters, alerts: args.alerts }, { parent: this });
    }

    const targets = args.sources.map((s) =>
      pulumi
        .all([s.engine === "do-managed" ? s.cluster.name : "", s.engine === "do-managed" && s.kind === "postgres" ? s.database : "", s.engine === "droplet" ? s.droplet.id : "", s.engine === "spaces" ? s.bucket.name : ""])
        .apply(([cluster, database, dropletId, bucket]) => [s.name, { ...(cluster ? { cluster } : {}), ...(database ? { database } : {}), ...(dropletId ? { dropletId } : {}), ...(bucket ? { bucket } : {}), ...(s.engine === "droplet" ? { path: s.path } : {}) }] as const),
    );
    this.posture = pulumi
      .all([this.vault.bucketName, this.runner.droplet.ipv4Address, pulumi.all(targets), offsite ? offsite.vault.primary.bucketName : "", offsite ? offsite.vault.replica.bucketName : "", pulumi.all([...(args.alerts.emails ?? [])]), pulumi.all((args.alerts.slack ?? []).map((s) => s.channel))])
      .apply(([vaultBucket, runnerIp, t, offsiteBucket, offsiteReplicaBucket, emails, slackChannels]) =>
        digitalOceanPosture(design, {
          estate: name,
          vaultBucket,
          runnerIp,
          targets: Object.fromEntries(t),
          ...(offsiteBucket ? { offsiteBucket, offsiteReplicaBucket } : {}),
          emails,
          slackChannels,
          ...(args.records?.drills ? { drillRecords: args.records.drills } : {}),
        }),
      );
    this.runbook = pulumi
      .all([this.posture, primaryConfig, offsite ? pulumi.all([offsite.vault.primary.bucketName, offsite.vault.primary.keyArn]) : pulumi.output(undefined)])
      .apply(([posture, config, off]) =>
        renderRunbook(posture, {
          jobConfigs: {
            "lifeboat.json": JSON.stringify(config, null, 2),
            ...(off && design.offsite ? { [OFFSITE_CONFIG_FILE]: JSON.stringify(offsiteJobConfig(config, { bucket: off[0], region: design.offsite.region, kmsKeyArn: off[1] }, design.ageRecipients), null, 2) } : {}),
          },
        }),
      );
    this.registerOutputs({ posture: this.posture, runbook: this.runbook });
  }
}
