import { checkRegion, checkKmsKeyArn } from "./aws/aws-names";
import { checkDrillSettings, type DrillSettings } from "./drill";
import { Problems } from "./errors";
import { checkRestoreSettings, type RestoreSettings } from "./restore-settings";
import { checkSourceName, SOURCE_KINDS, type SourceKind, TIER_PLACEMENTS, type TierPlacement } from "./vault-layout";

/**
 * The configuration every job reads: in Lambda from the `LIFEBOAT_CONFIG` environment variable (JSON),
 * on the command line from `--config <file>`, `LIFEBOAT_CONFIG_FILE` or `LIFEBOAT_CONFIG`. The
 * constructs write it; the jobs read it. Never holds a credential: only where to find one.
 */
export interface JobConfig {
  readonly vault: VaultLocation;
  readonly sources: readonly SourceConfig[];
  readonly verify?: VerifySettings;
  /** How restores use scratch space and parallel workers. @default - the machine's temporary directory and cores */
  readonly restore?: RestoreSettings;
  /** Where the jobs find the command-line tools they run. @default - each tool by name on the PATH */
  readonly tools?: ToolPaths;
}

/**
 * Paths of the tools the jobs run. A tool that cannot be started is an error, except `zstd`: without
 * it backups are compressed with gzip (level 1) and the manifest says so.
 */
export interface ToolPaths {
  /** @default "pg_dump" */
  readonly pgDump?: string;
  /** @default "pg_restore" */
  readonly pgRestore?: string;
  /** @default "psql" */
  readonly psql?: string;
  /** @default "zstd" */
  readonly zstd?: string;
  /**
   * The bin directory of each PostgreSQL major's client tools (pg_dump, pg_restore, psql, pg_dumpall),
   * keyed by major: `{ "17": "/usr/lib/postgresql/17/bin" }`. A dump uses the server's major or the
   * nearest newer one; a restore the target's major when it reads the archive.
   * @default - each major found in /usr/lib/postgresql/<major>/bin, /usr/pgsql-<major>/bin or /opt/postgresql/<major>/bin, then `pgDump` and the PATH
   */
  readonly postgres?: Readonly<Record<string, string>>;
}

/** PostgreSQL majors the jobs back up, verify and restore. */
export const POSTGRES_MAJORS = [13, 14, 15, 16, 17, 18] as const;

/** Where backups go. */
export interface VaultLocation {
  readonly bucket: string;
  /** @default - the SDK's region (AWS_REGION) */
  readonly region?: string;
  /** The vault key's full ARN, sent with every upload (the bucket policy refuses other keys). */
  readonly kmsKeyArn?: string;
  /** An S3-compatible endpoint (tests, MinIO). @default - AWS */
  readonly endpoint?: string;
  /** @default false */
  readonly forcePathStyle?: boolean;
  /** The replica vault, checked by verification. @default - none */
  readonly replica?: { readonly bucket: string; readonly region?: string; readonly endpoint?: string; readonly forcePathStyle?: boolean };
  /**
   * When the S3 client adds request checksums and validates response checksums. Keep the default
   * against AWS; `"when-required"` is for S3-compatible servers that mishandle the SDK's default
   * checksums on streamed uploads (s3rver, some older MinIO releases).
   * @default "when-supported"
   */
  readonly checksums?: "when-supported" | "when-required";
  /** Attempts per S3 request, with exponential backoff between them (5xx, throttling, network errors). @default 5 */
  readonly maxAttempts?: number;
  /**
   * Where each backup's tier goes: the object tag `tier` (S3, whose lifecycle filters by tag) or the
   * key's first segment (`daily/<source>/...`: DigitalOcean Spaces, whose lifecycle filters by prefix only).
   * @default "tag"
   */
  readonly tiers?: TierPlacement;
  /**
   * Client-side encryption of every artifact for stores that cannot encrypt with a key you hold
   * (Spaces offers SSE-C only): the artifact is encrypted to these age X25519 recipients (public
   * keys, `age1...`) before upload. Verification checks the ciphertext's size and SHA-256 without any
   * private key; restore, drills and a verify that reads contents decrypt with the identity in
   * `LIFEBOAT_AGE_IDENTITY`, else the file named by `LIFEBOAT_AGE_IDENTITY_FILE` (`--identity-file`),
   * else `identitySecretArn`, which only the machines that restore hold.
   * @default - none (the vault's own encryption)
   */
  readonly encryption?: AgeEncryption;
  /** Size of each multipart upload part. Memory use is about `partSizeMiB × (queueSize + 1)`. @default 16 */
  readonly partSizeMiB?: number;
  /** Parts uploaded at once. @default 4 */
  readonly queueSize?: number;
}

/** Client-side encryption of a vault's backups to age recipients. */
export interface AgeEncryption {
  /** The age X25519 recipients (public keys, `age1...`) every artifact is encrypted to; any one's identity decrypts. */
  readonly ageRecipients: readonly string[];
  /**
   * A Secrets Manager secret whose value is the age identity (the text `age-keygen` writes, or JSON
   * with `identity`), for restores and drills that run in AWS. Never the identity itself.
   * @default - the identity from `LIFEBOAT_AGE_IDENTITY` or `LIFEBOAT_AGE_IDENTITY_FILE` only
   */
  readonly identitySecretArn?: string;
}

/** Where a credential comes from: a Secrets Manager secret or environment variables. Never the value itself. */
export type CredentialsSource =
  | { readonly secretArn: string }
  | { readonly env: { readonly username?: string; readonly password: string } };

interface SourceBase {
  readonly name: string;
  readonly kind: SourceKind;
  /** The source's recovery point objective: verification alarms when the newest backup is older. */
  readonly rpoMinutes: number;
  /** How often the backup is scheduled; verification counts missed runs with it. @default - `rpoMinutes` */
  readonly intervalMinutes?: number;
  /** The restore drill's scratch target, smoke queries and schedule. @default - PostgreSQL: a scratch database on the source's server, monthly; Redis and objects: no drill until a scratch target is declared */
  readonly drill?: DrillSettings;
  /** Which of verification's checks run for this source. @default - every check */
  readonly verify?: SourceVerifySettings;
}

/** What verification checks of one source. */
export interface SourceVerifySettings {
  /**
   * `"all"`: freshness, completeness, integrity, consistency, restorability, test restore and the
   * replica. `"replica-only"`: only that the newest replicated backup is in `vault.replica` (the
   * primary copy is verified elsewhere, such as by a Fargate task in a VPC that cannot reach the DR
   * region); the run still reports the backup's age (`BackupAgeMinutes`) from the vault's listing,
   * so the freshness alarm keeps its period.
   * @default "all"
   */
  readonly checks?: VerifyChecks;
}

/** What a verification of one source checks. */
export type VerifyChecks = "all" | "replica-only";
export const VERIFY_CHECKS: readonly VerifyChecks[] = ["all", "replica-only"];

export interface PostgresSourceConfig extends SourceBase {
  readonly kind: "postgres";
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  readonly database: string;
  /** A secret with `username` and `password` (the RDS format; `host`, `port`, `dbname` in it override). */
  readonly credentials?: CredentialsSource;
  /** @default "require" in AWS, as the server allows locally */
  readonly sslMode?: "disable" | "prefer" | "require" | "verify-full";
}

/** How a Redis or Valkey backup reads the data. */
export type RedisBackupMode = "auto" | "sync" | "scan";
export const REDIS_BACKUP_MODES: readonly RedisBackupMode[] = ["auto", "sync", "scan"];

export interface RedisSourceConfig extends SourceBase {
  readonly kind: "redis";
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default false */
  readonly tls?: boolean;
  /** A secret with `password` (and optionally `username`) for AUTH. */
  readonly credentials?: CredentialsSource;
  /**
   * `"sync"`: the RDB snapshot over the replication protocol (`SYNC`), a point in time. `"scan"`:
   * `SCAN` + `DUMP`/`PTTL` key by key, for servers that refuse `SYNC` (ElastiCache, MemoryDB,
   * DigitalOcean managed Valkey); not a point in time, and the manifest says so. `"auto"`: `SYNC`, and
   * `SCAN` when the server refuses it.
   * @default "auto"
   */
  readonly mode?: RedisBackupMode;
  /**
   * Longest wait for the server on any one network step (connecting, a reply, the next bytes of the
   * snapshot) before the backup fails: a server that stops answering never hangs the job.
   * @default 60
   */
  readonly timeoutSeconds?: number;
}

/** The default of {@link RedisSourceConfig.timeoutSeconds}. */
export const DEFAULT_REDIS_TIMEOUT_SECONDS = 60;

/**
 * A directory on the machine the job runs on (uploads, configuration), stored as tar + zstd with
 * every file's SHA-256 in the manifest.
 */
export interface FilesSourceConfig extends SourceBase {
  readonly kind: "files";
  /** Absolute path of the directory to back up. */
  readonly path: string;
  /**
   * Glob patterns of paths to leave out, relative to `path` (`*` within a name, `**` across
   * directories, `?` one character; a pattern without `/` matches a name at any depth; a directory
   * that matches is left out whole).
   * @default - nothing left out
   */
  readonly exclude?: readonly string[];
}

export interface ObjectsSourceConfig extends SourceBase {
  readonly kind: "objects";
  readonly bucket: string;
  /** @default "" (the whole bucket) */
  readonly prefix?: string;
  readonly region?: string;
  /** Any S3-compatible endpoint, such as DigitalOcean Spaces (`https://nyc3.digitaloceanspaces.com`). */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** As `vault.checksums`, for this bucket's endpoint. @default "when-supported" */
  readonly checksums?: "when-supported" | "when-required";
  /** Access keys for a non-AWS endpoint. @default - the job's own AWS credentials */
  readonly credentials?: CredentialsSource;
}

export type SourceConfig = PostgresSourceConfig | RedisSourceConfig | ObjectsSourceConfig | FilesSourceConfig;

export interface VerifySettings {
  /** Allowed size change against the previous backup, as a fraction. @default 0.1 */
  readonly sizeTolerance?: number;
  /** Restore the newest PostgreSQL backup into a scratch database and compare row counts. @default false */
  readonly testRestore?: boolean;
  /**
   * The server test restores go to; it needs the right to create and drop databases. Lifeboat
   * creates a database named `lifeboat_verify_<stamp>` there and drops it afterwards.
   * @default - the source's own server and credentials
   */
  readonly scratch?: {
    readonly host: string;
    /** @default 5432 */
    readonly port?: number;
    readonly credentials?: CredentialsSource;
    readonly sslMode?: "disable" | "prefer" | "require" | "verify-full";
  };
  /** How many of the newest complete backups of each source have their SHA-256 recomputed. @default 1 */
  readonly checksumBackups?: number;
  /**
   * Backups younger than this are not yet expected in the replica vault (S3 Replication Time Control
   * replicates within 15 minutes).
   * @default 15
   */
  readonly replicaLagMinutes?: number;
}

/** CloudWatch namespace of every job metric. */
export const METRIC_NAMESPACE = "Lifeboat";
/** The dimension every job metric carries: the source's name. */
export const METRIC_DIMENSION = "Source";

/** The metrics the jobs emit (Embedded Metric Format) and the alarms watch. */
export const JOB_METRICS = {
  /** 1 per successful backup. */
  backupSucceeded: "BackupSucceeded",
  /** 1 per failed backup. */
  backupFailed: "BackupFailed",
  /** Bytes stored by a successful backup. */
  backupBytes: "BackupBytes",
  backupDurationSeconds: "BackupDurationSeconds",
  /** 1 when a backup was stored without its contents read (a format version the job does not know): a warning. */
  backupContentsNotInspected: "BackupContentsNotInspected",
  /** Verification: minutes since the newest complete backup started. */
  backupAgeMinutes: "BackupAgeMinutes",
  /** Verification: 1 when any check failed for the source, else 0. */
  verifyFailed: "VerifyFailed",
  /** Verification: scheduled runs missed since the newest complete backup. */
  missedRuns: "MissedRuns",
  /** Verification: artifacts without a manifest. */
  incompleteBackups: "IncompleteBackups",
  /** 1 per restore drill whose restore and checks passed. */
  drillSucceeded: "DrillSucceeded",
  /** 1 per restore drill that failed (restore, a check or the cleanup). */
  drillFailed: "DrillFailed",
  /** A drill's measured restore time: what the RTO alarm compares. */
  drillRestoreSeconds: "DrillRestoreSeconds",
  /** A drill's data-loss window: minutes between the restored backup and the drill. */
  drillDataLossMinutes: "DrillDataLossMinutes",
  /** Verification: minutes since the newest successful drill (since the first drill while none has succeeded). */
  drillAgeMinutes: "DrillAgeMinutes",
} as const;

/**
 * Validates a job configuration (parsed JSON), naming each bad field. Returns the config, or throws
 * every problem at once.
 */
export function parseJobConfig(value: unknown, subject = "Lifeboat job configuration"): JobConfig {
  const problems = new Problems();
  const config = value as Partial<JobConfig> | undefined;
  if (typeof config !== "object" || config === null) {
    problems.add("config", value, "must be a JSON object with `vault` and `sources`.");
    problems.throwIfAny(subject);
  }
  const vault = config!.vault as Partial<VaultLocation> | undefined;
  if (typeof vault?.bucket !== "string" || vault.bucket === "") problems.add("vault.bucket", vault?.bucket, "must name the vault bucket.");
  if (vault?.region !== undefined) checkRegion(vault.region, "vault.region", problems);
  if (vault?.kmsKeyArn !== undefined) checkKmsKeyArn(vault.kmsKeyArn, "vault.kmsKeyArn", problems);
  if (vault?.replica !== undefined && typeof vault.replica.bucket !== "string") problems.add("vault.replica.bucket", vault.replica.bucket, "must name the replica bucket.");
  const sources = config!.sources;
  if (!Array.isArray(sources) || sources.length === 0) {
    problems.add("sources", sources, "must list at least one source.");
  } else {
    const seen = new Set<string>();
    sources.forEach((s: Partial<SourceConfig> & Record<string, unknown>, i) => {
      const at = `sources[${i}]`;
      if (checkSourceName(s?.name, `${at}.name`, problems)) {
        if (seen.has(s.name as string)) problems.add(`${at}.name`, s.name, "is used by another source; names must be unique (they are key prefixes).");
        seen.add(s.name as string);
      }
      if (!SOURCE_KINDS.includes(s?.kind as SourceKind)) problems.add(`${at}.kind`, s?.kind, `must be one of ${SOURCE_KINDS.join(", ")}.`);
      if (typeof s?.rpoMinutes !== "number" || !(s.rpoMinutes > 0)) problems.add(`${at}.rpoMinutes`, s?.rpoMinutes, "must be a positive number of minutes.");
      if ((s?.kind === "postgres" || s?.kind === "redis") && (typeof s.host !== "string" || s.host === "")) problems.add(`${at}.host`, s.host, "must name the server's host.");
      if (s?.kind === "postgres" && (typeof s.database !== "string" || s.database === "")) problems.add(`${at}.database`, s.database, "must name the database to back up.");
      if (s?.kind === "objects" && (typeof s.bucket !== "string" || s.bucket === "")) problems.add(`${at}.bucket`, s.bucket, "must name the bucket to copy.");
      if (s?.kind === "files") checkFilesSource(s, at, problems);
    });
  }
  const tolerance = config!.verify?.sizeTolerance;
  if (tolerance !== undefined && (typeof tolerance !== "number" || tolerance < 0 || tolerance > 10)) problems.add("verify.sizeTolerance", tolerance, "must be a fraction such as 0.1 (±10%).");
  checkJobSettings(config as Partial<JobConfig>, problems);
  checkKnownKeys(config as Record<string, any>, problems);
  problems.throwIfAny(subject);
  return config as JobConfig;
}

function checkWholeNumber(value: unknown, argument: string, min: number, max: number, why: string, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) problems.add(argument, value, `must be a whole number from ${min} to ${max}${why}.`);
}

function checkCredentials(value: unknown, argument: string, problems: Problems): void {
  if (value === undefined) return;
  const c = value as Record<string, any>;
  if (typeof c === "object" && c !== null && typeof c.secretArn === "string" && c.secretArn !== "") return;
  if (typeof c === "object" && c !== null && typeof c.env === "object" && c.env !== null && typeof c.env.password === "string" && (c.env.username === undefined || typeof c.env.username === "string")) return;
  // The value may hold a credential written in the wrong place: name its shape, never its content.
  problems.add(argument, "an object with other fields", 'must be { "secretArn": "arn:aws:secretsmanager:..." } or { "env": { "username": "PGUSER", "password": "PGPASSWORD" } } (the names of environment variables, never the values).');
}

/** Checks `tools.postgres`: supported majors, each with a bin directory. */
function checkPostgresTools(value: unknown, problems: Problems): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add("tools.postgres", JSON.stringify(value), 'must map PostgreSQL majors to bin directories, such as { "17": "/usr/lib/postgresql/17/bin" }.');
    return;
  }
  for (const [major, dir] of Object.entries(value)) {
    if (!(POSTGRES_MAJORS as readonly number[]).includes(Number(major)) || !/^\d+$/.test(major)) {
      problems.add(`tools.postgres["${major}"]`, dir, `is not a supported PostgreSQL major; the majors are ${POSTGRES_MAJORS.join(", ")}.`);
    } else if (typeof dir !== "string" || !dir.startsWith("/")) {
      problems.add(`tools.postgres["${major}"]`, dir, `must be the absolute path of PostgreSQL ${major}'s bin directory, such as "/usr/lib/postgresql/${major}/bin".`);
    }
  }
}

/** Checks the settings added for the jobs: S3 client tuning, tools, verification and credentials. */
function checkJobSettings(config: Partial<JobConfig>, problems: Problems): void {
  const vault = (config.vault ?? {}) as Partial<VaultLocation>;
  if (vault.checksums !== undefined && vault.checksums !== "when-supported" && vault.checksums !== "when-required") {
    problems.add("vault.checksums", vault.checksums, 'must be "when-supported" (the SDK default, for AWS) or "when-required" (for S3-compatible servers that reject the default checksums).');
  }
  if (vault.tiers !== undefined && !TIER_PLACEMENTS.includes(vault.tiers)) {
    problems.add("vault.tiers", vault.tiers, 'must be "tag" (S3: the object tag `tier`) or "prefix" (Spaces: the key starts with daily/, weekly/ or monthly/).');
  }
  if (vault.encryption !== undefined) checkAgeEncryption(vault.encryption, problems);
  checkWholeNumber(vault.maxAttempts, "vault.maxAttempts", 1, 10, " (each S3 request is tried this many times)", problems);
  checkWholeNumber(vault.partSizeMiB, "vault.partSizeMiB", 5, 512, " because S3 parts are at least 5 MiB and memory grows with the part size", problems);
  checkWholeNumber(vault.queueSize, "vault.queueSize", 1, 16, "", problems);
  const tools = config.tools as Record<string, unknown> | undefined;
  if (tools !== undefined) {
    for (const [name, path] of Object.entries(tools)) {
      if (name === "postgres") checkPostgresTools(path, problems);
      else if (!["pgDump", "pgRestore", "psql", "zstd"].includes(name)) problems.add(`tools.${name}`, path, "is not a tool the jobs run; the tools are pgDump, pgRestore, psql, zstd and postgres (directories per major).");
      else if (typeof path !== "string" || path === "") problems.add(`tools.${name}`, path, 'must be a command name or path, such as "/usr/lib/postgresql/15/bin/pg_dump".');
    }
  }
  checkRestoreSettings(config.restore, problems);
  const verify = config.verify;
  checkWholeNumber(verify?.checksumBackups, "verify.checksumBackups", 0, 1000, " (how many of the newest backups have their SHA-256 recomputed)", problems);
  if (verify?.replicaLagMinutes !== undefined && (typeof verify.replicaLagMinutes !== "number" || verify.replicaLagMinutes < 0)) problems.add("verify.replicaLagMinutes", verify.replicaLagMinutes, "must be a number of minutes, 0 or more.");
  if (verify?.scratch !== undefined) {
    if (typeof verify.scratch.host !== "string" || verify.scratch.host === "") problems.add("verify.scratch.host", verify.scratch.host, "must name the scratch server's host.");
    checkWholeNumber(verify.scratch.port, "verify.scratch.port", 1, 65535, "", problems);
    checkCredentials(verify.scratch.credentials, "verify.scratch.credentials", problems);
  }
  if (Array.isArray(config.sources)) {
    config.sources.forEach((s: Partial<SourceConfig> & Record<string, unknown>, i) => {
      const at = `sources[${i}]`;
      if (s?.intervalMinutes !== undefined && (typeof s.intervalMinutes !== "number" || !(s.intervalMinutes > 0))) problems.add(`${at}.intervalMinutes`, s.intervalMinutes, "must be a positive number of minutes.");
      if (s?.port !== undefined) checkWholeNumber(s.port, `${at}.port`, 1, 65535, "", problems);
      if (s?.credentials !== undefined) checkCredentials(s.credentials, `${at}.credentials`, problems);
      if (s?.verify !== undefined) checkSourceVerify(s.verify, `${at}.verify`, vault.replica !== undefined, problems);
      if (s?.drill !== undefined) checkDrillSettings(s.drill, SOURCE_KINDS.includes(s?.kind as SourceKind) ? (s.kind as SourceKind) : undefined, `${at}.drill`, problems);
      if (s?.kind === "objects" && s.checksums !== undefined && s.checksums !== "when-supported" && s.checksums !== "when-required") problems.add(`${at}.checksums`, s.checksums, 'must be "when-supported" or "when-required".');
      if (s?.kind === "redis") {
        if (s.mode !== undefined && !REDIS_BACKUP_MODES.includes(s.mode as RedisBackupMode)) problems.add(`${at}.mode`, s.mode, `must be one of ${REDIS_BACKUP_MODES.map((m) => `"${m}"`).join(", ")}; "scan" is for servers that refuse SYNC.`);
        if (s.timeoutSeconds !== undefined && (typeof s.timeoutSeconds !== "number" || !(s.timeoutSeconds > 0) || s.timeoutSeconds > 3600)) problems.add(`${at}.timeoutSeconds`, s.timeoutSeconds, "must be a number of seconds above 0 and at most 3600.");
      }
    });
  }
}

/** Checks a source's `verify`: a known `checks`, and a replica to check when it is `"replica-only"`. */
function checkSourceVerify(value: unknown, at: string, hasReplica: boolean, problems: Problems): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(at, JSON.stringify(value), 'must be an object such as { "checks": "replica-only" }.');
    return;
  }
  const checks = (value as SourceVerifySettings).checks;
  if (checks !== undefined && !VERIFY_CHECKS.includes(checks)) problems.add(`${at}.checks`, checks, `must be one of ${VERIFY_CHECKS.map((c) => `"${c}"`).join(", ")}; leave it unset for every check.`);
  if (checks === "replica-only" && !hasReplica) problems.add(`${at}.checks`, checks, "checks only the replica, but `vault.replica` is not set: give the replica vault, or leave `checks` unset to verify the primary copy.");
}

function checkFilesSource(s: Record<string, unknown>, at: string, problems: Problems): void {
  if (typeof s.path !== "string" || !s.path.startsWith("/")) problems.add(`${at}.path`, s.path, 'must be the absolute path of the directory to back up, such as "/srv/app/uploads".');
  if (s.exclude !== undefined) {
    if (!Array.isArray(s.exclude)) problems.add(`${at}.exclude`, s.exclude, 'must be a list of glob patterns, such as ["*.tmp", "cache/**"].');
    else s.exclude.forEach((pattern, j) => {
      if (typeof pattern !== "string" || pattern === "" || pattern.startsWith("/") || pattern.split("/").includes("..")) problems.add(`${at}.exclude[${j}]`, pattern, 'must be a glob pattern relative to the source\'s path, such as "*.tmp" or "cache/**".');
    });
  }
}

/**
 * The keys each part of the configuration may hold. A key not listed is a mistake (`"prot"` for
 * `port`) that would otherwise be ignored silently: it is an error that names the likeliest key meant.
 * Adding a setting means adding its key here.
 */
export const JOB_CONFIG_KEYS = {
  root: ["vault", "sources", "verify", "restore", "tools"],
  vault: ["bucket", "region", "kmsKeyArn", "endpoint", "forcePathStyle", "replica", "checksums", "maxAttempts", "partSizeMiB", "queueSize", "tiers", "encryption"],
  replica: ["bucket", "region", "endpoint", "forcePathStyle"],
  encryption: ["ageRecipients", "identitySecretArn"],
  source: ["name", "kind", "rpoMinutes", "intervalMinutes", "drill", "verify"],
  sourceVerify: ["checks"],
  postgres: ["host", "port", "database", "credentials", "sslMode"],
  redis: ["host", "port", "tls", "credentials", "mode", "timeoutSeconds"],
  objects: ["bucket", "prefix", "region", "endpoint", "forcePathStyle", "checksums", "credentials"],
  files: ["path", "exclude"],
  verify: ["sizeTolerance", "testRestore", "scratch", "checksumBackups", "replicaLagMinutes"],
  restore: ["scratchDirectory", "parallelJobs"],
  scratch: ["host", "port", "credentials", "sslMode"],
  credentials: ["secretArn", "env"],
  credentialsEnv: ["username", "password"],
} as const satisfies Record<string, readonly string[]>;

/** `true` when the list names exactly the keys of `T`: a setting added to an interface but not to {@link JOB_CONFIG_KEYS} fails to compile. */
type ListsExactly<T, L extends readonly string[]> = [Exclude<keyof T, L[number]>, Exclude<L[number], keyof T>] extends [never, never] ? true : false;
type Keys = typeof JOB_CONFIG_KEYS;
const keyListsMatchTheInterfaces: [
  ListsExactly<JobConfig, Keys["root"]>,
  ListsExactly<VaultLocation, Keys["vault"]>,
  ListsExactly<NonNullable<VaultLocation["replica"]>, Keys["replica"]>,
  ListsExactly<AgeEncryption, Keys["encryption"]>,
  ListsExactly<PostgresSourceConfig, [...Keys["source"], ...Keys["postgres"]]>,
  ListsExactly<RedisSourceConfig, [...Keys["source"], ...Keys["redis"]]>,
  ListsExactly<ObjectsSourceConfig, [...Keys["source"], ...Keys["objects"]]>,
  ListsExactly<FilesSourceConfig, [...Keys["source"], ...Keys["files"]]>,
  ListsExactly<VerifySettings, Keys["verify"]>,
  ListsExactly<SourceVerifySettings, Keys["sourceVerify"]>,
  ListsExactly<NonNullable<VerifySettings["scratch"]>, Keys["scratch"]>,
  ListsExactly<RestoreSettings, Keys["restore"]>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];
void keyListsMatchTheInterfaces;

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The allowed key closest to `key`, when it is close enough to be the one meant. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function checkKeys(value: unknown, allowed: readonly string[], at: string, problems: Problems): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const argument = at ? `${at}.${key}` : key;
    const suggestion = closestKey(key, allowed);
    const known = `the keys here are ${allowed.join(", ")}`;
    // The value is never echoed: a misplaced key may hold a credential.
    const received = (value as Record<string, unknown>)[key];
    const kind = { describe: () => (received === null ? "null" : Array.isArray(received) ? "a list" : typeof received === "object" ? "an object" : `a ${typeof received}`) };
    problems.add(argument, kind, suggestion ? `is not a setting: did you mean \`${suggestion}\`? (${known}).` : `is not a setting; ${known}.`);
  }
}

function checkKnownKeys(config: Record<string, any>, problems: Problems): void {
  const K = JOB_CONFIG_KEYS;
  checkKeys(config, K.root, "", problems);
  checkKeys(config.vault, K.vault, "vault", problems);
  checkKeys(config.vault?.replica, K.replica, "vault.replica", problems);
  checkKeys(config.vault?.encryption, K.encryption, "vault.encryption", problems);
  checkKeys(config.verify, K.verify, "verify", problems);
  checkKeys(config.verify?.scratch, K.scratch, "verify.scratch", problems);
  checkKeys(config.restore, K.restore, "restore", problems);
  const credentials = (value: any, at: string) => {
    checkKeys(value, K.credentials, at, problems);
    checkKeys(value?.env, K.credentialsEnv, `${at}.env`, problems);
  };
  credentials(config.verify?.scratch?.credentials, "verify.scratch.credentials");
  if (Array.isArray(config.sources)) {
    config.sources.forEach((s: any, i: number) => {
      const kind = s?.kind as SourceKind;
      if (!SOURCE_KINDS.includes(kind)) return;
      checkKeys(s, [...K.source, ...K[kind]], `sources[${i}]`, problems);
      checkKeys(s.verify, K.sourceVerify, `sources[${i}].verify`, problems);
      credentials(s.credentials, `sources[${i}].credentials`);
    });
  }
}

/** Checks `vault.encryption`: recipients, never an identity, and where a restore finds the identity. */
function checkAgeEncryption(value: unknown, problems: Problems): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add("vault.encryption", JSON.stringify(value), 'must be { "ageRecipients": ["age1..."] }, optionally with "identitySecretArn".');
    return;
  }
  const e = value as Record<string, unknown>;
  checkAgeRecipients(e.ageRecipients, "vault.encryption.ageRecipients", problems);
  const arn = e.identitySecretArn;
  if (arn !== undefined && (typeof arn !== "string" || !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(arn))) {
    problems.add("vault.encryption.identitySecretArn", typeof arn === "string" && arn.includes("AGE-SECRET-KEY-") ? "an age identity" : arn, "must be the ARN of a Secrets Manager secret holding the identity (arn:aws:secretsmanager:<region>:<account>:secret:<name>), never the identity itself.");
  }
}

const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** Records a problem unless `value` lists age X25519 recipients (public keys, never identities). */
export function checkAgeRecipients(value: unknown, argument: string, problems: Problems): value is readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(argument, value, 'must list at least one age X25519 recipient (a public key such as "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"); make one with `age-keygen` and keep the identity where restores run.');
    return false;
  }
  let ok = true;
  value.forEach((r, i) => {
    if (typeof r === "string" && r.startsWith("AGE-SECRET-KEY-")) {
      // Never echo a private key back into an error (or a log).
      problems.add(`${argument}[${i}]`, "an age identity", "is a private key: give the recipient (the public key printed by `age-keygen -y`), and keep the identity only where restores run.");
      ok = false;
    } else if (typeof r !== "string" || !AGE_RECIPIENT.test(r)) {
      problems.add(`${argument}[${i}]`, r, 'must be an age X25519 recipient: "age1" followed by 58 bech32 characters.');
      ok = false;
    }
  });
  return ok;
}
