import { checkRegion, checkKmsKeyArn } from "./aws-names";
import { Problems } from "./errors";
import { checkSourceName, SOURCE_KINDS, type SourceKind } from "./vault-layout";

/**
 * The configuration every job reads: in Lambda from the `LIFEBOAT_CONFIG` environment variable (JSON),
 * on the command line from `--config <file>`, `LIFEBOAT_CONFIG_FILE` or `LIFEBOAT_CONFIG`. The
 * constructs write it; the jobs read it. Never holds a credential: only where to find one.
 */
export interface JobConfig {
  readonly vault: VaultLocation;
  readonly sources: readonly SourceConfig[];
  readonly verify?: VerifySettings;
}

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
}

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

export interface RedisSourceConfig extends SourceBase {
  readonly kind: "redis";
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default false */
  readonly tls?: boolean;
  /** A secret with `password` (and optionally `username`) for AUTH. */
  readonly credentials?: CredentialsSource;
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
  /** Access keys for a non-AWS endpoint. @default - the job's own AWS credentials */
  readonly credentials?: CredentialsSource;
}

export type SourceConfig = PostgresSourceConfig | RedisSourceConfig | ObjectsSourceConfig;

export interface VerifySettings {
  /** Allowed size change against the previous backup, as a fraction. @default 0.1 */
  readonly sizeTolerance?: number;
  /** Restore the newest PostgreSQL backup into a scratch database and compare row counts. @default false */
  readonly testRestore?: boolean;
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
  /** Verification: minutes since the newest complete backup started. */
  backupAgeMinutes: "BackupAgeMinutes",
  /** Verification: 1 when any check failed for the source, else 0. */
  verifyFailed: "VerifyFailed",
  /** Verification: scheduled runs missed since the newest complete backup. */
  missedRuns: "MissedRuns",
  /** Verification: artifacts without a manifest. */
  incompleteBackups: "IncompleteBackups",
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
    });
  }
  const tolerance = config!.verify?.sizeTolerance;
  if (tolerance !== undefined && (typeof tolerance !== "number" || tolerance < 0 || tolerance > 10)) problems.add("verify.sizeTolerance", tolerance, "must be a fraction such as 0.1 (±10%).");
  problems.throwIfAny(subject);
  return config as JobConfig;
}
