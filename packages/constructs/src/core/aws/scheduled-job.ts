import { checkDays, Duration, type DurationInput } from "../duration";
import { Problems } from "../errors";
import type { JobConfig, VerifySettings } from "../job-config";
import { parseScheduleExpression } from "./schedule-expression";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The engine-neutral settings of a scheduled job (a backup, a verification or a drill), declared once. */
export interface ScheduledJobSettings {
  /**
   * An EventBridge Scheduler expression: `rate(30 minutes)` or `cron(0 3 * * ? *)`. Derive it from
   * objectives with `planEstate`.
   */
  readonly schedule: string;
  /**
   * Memory in MB, 128 to 10,240.
   * @default - 1024 MB for PostgreSQL and verification, 512 MB otherwise
   */
  readonly memoryMb?: number;
  /**
   * How long one run may take: 1 to 15 minutes, the Lambda limit.
   * @default 15 minutes
   */
  readonly timeout?: DurationInput;
  /**
   * How long the job's logs are kept: a period CloudWatch Logs offers.
   * @default 90 days
   */
  readonly logRetention?: DurationInput;
  /**
   * Lambda's retries of a failed run before it lands in the dead-letter queue: 0 to 2.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Vault client settings for S3-compatible servers; keep the defaults against AWS.
   * @default - AWS defaults
   */
  readonly vaultClient?: Pick<JobConfig["vault"], "endpoint" | "forcePathStyle" | "checksums">;
}

/**
 * The arguments every scheduled job takes, declared once with their docs and defaults. Each front
 * end fills in its own types: `C` for the code, `K` for a key, `V` for a network placement, `A` for
 * a list of key ARNs.
 */
export interface ScheduledJobArguments<C = unknown, K = unknown, V = unknown, A = unknown> extends ScheduledJobSettings {
  /** Where the code comes from: the jobs image (PostgreSQL and Redis need its binaries) or the bundled handler. */
  readonly code: C;
  /**
   * The key that encrypts the function's environment and its dead-letter queue.
   * @default - a new VaultKey created with the job
   */
  readonly key?: K;
  /**
   * Subnets and security groups, for databases in a private network.
   * @default - no VPC
   */
  readonly vpc?: V;
  /**
   * Customer keys that encrypt the credential secrets, when not the AWS managed key.
   * @default - none
   */
  readonly secretKeyArns?: A;
}

/**
 * The vault a job writes to or reads from (a BackupVault of either front end fits). `S` is the front
 * end's string (a Pulumi `Input`, a CDK token).
 */
export interface JobVaultTarget<S = string> {
  readonly bucketName: S;
  readonly bucketArn: S;
  readonly keyArn: S;
}

/** The arguments of a backup job, declared once; `Src` is the front end's source, `S` its string. */
export interface BackupJobArguments<Src, S = string> {
  /** What to back up. Its name is the job's prefix in the vault. */
  readonly source: Src;
  /** Where backups go. */
  readonly vault: JobVaultTarget<S>;
  /**
   * The ARN of the bucket an `objects` source copies from, when it is an AWS bucket (read access is
   * granted on exactly it). Not needed for S3-compatible endpoints, which use the source's credentials.
   * @default - none
   */
  readonly sourceBucketArn?: S;
}

/** The arguments of a verification job, declared once; `Src` is the front end's source, `S` its string. */
export interface VerifyJobArguments<Src, S = string> {
  /** The sources to verify, as their backup jobs describe them (each with its RPO). */
  readonly sources: readonly Src[];
  /** The vault their backups are in. */
  readonly vault: JobVaultTarget<S>;
  /**
   * The replica vault, checked for a copy of each verified backup.
   * @default - no replica check
   */
  readonly replica?: JobVaultTarget<S> & { readonly region: string };
  /**
   * Verification settings: size tolerance, test restores, how many backups to checksum.
   * @default - ±10% size tolerance, checksum of the newest backup, no test restore
   */
  readonly verify?: VerifySettings;
}

/** The arguments of a restore drill job, declared once; `Src` is the front end's source, `S` its string. */
export interface DrillJobArguments<Src, S = string> {
  /** The source to drill, with its `drill` settings (scratch target, smoke queries). */
  readonly source: Src;
  /** The vault its backups are in and its drill records go to. */
  readonly vault: JobVaultTarget<S>;
  /**
   * An objects drill's scratch bucket ARN (its `drill.scratch.bucket`): the role may write and
   * delete under the drill prefix there.
   * @default - none
   */
  readonly scratchBucketArn?: S;
}

/** A scheduled job's settings after validation. */
export interface ScheduledJobPlan {
  readonly schedule: string;
  /** The longest gap between two runs of the schedule, in minutes (parsed from `rate()` or `cron()`). */
  readonly intervalMinutes: number;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  readonly retryAttempts: number;
  /** How long a failed run may still be retried, by Lambda and by the scheduler: until the next run is due, 60 s to 6 h. */
  readonly maxEventAgeSeconds: number;
  /** EventBridge Scheduler's delivery retries. */
  readonly schedulerRetryAttempts: number;
  /** How long the dead-letter queue keeps a failed run. */
  readonly deadLetterRetentionSeconds: number;
}

const MINUTES_PER_DAY = 1440;
/**
 * The longest a failed or undelivered run is retried, in seconds: Lambda's asynchronous event age
 * allows at most 6 hours (EventBridge Scheduler would allow 24), and a retry after the next run is
 * due only duplicates it. One number for both, so neither retries past the other.
 */
export const MAX_RETRY_WINDOW_SECONDS = 21_600;
/** EventBridge Scheduler's delivery retries before a run goes to the dead-letter queue. */
export const SCHEDULER_RETRY_ATTEMPTS = 3;
/**
 * How long SQS reuses a data key for a job's encrypted dead-letter queue, in seconds: five minutes,
 * SQS's default, so a burst of failed runs costs few KMS calls.
 */
export const QUEUE_DATA_KEY_REUSE_SECONDS = 300;
/**
 * The Lambda runtime and architecture of a job's bundled handler (the jobs image brings its own):
 * Node.js 22, since Node.js 20 reached end of life on Lambda in April 2026, on Graviton.
 */
export const BUNDLED_JOB_RUNTIME = { runtime: "nodejs22.x", architecture: "arm64" } as const;
/** The CloudWatch log group of a job: `/lifeboat/<deployment>/<job>`, where the deployment is the Pulumi project and stack or the CDK stack. */
export function jobLogGroupName(deployment: string, job: string): string {
  return `/lifeboat/${deployment}/${job}`;
}
/** How long a dead-letter queue keeps a failed run: 14 days, the SQS maximum, time to read it after a holiday. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/**
 * Validates a scheduled job: a schedule EventBridge Scheduler accepts, memory and timeout within
 * Lambda's limits, a log retention CloudWatch Logs accepts, 0 to 2 retries.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export function checkScheduledJob(settings: ScheduledJobSettings, defaults: { memoryMb: number }, problems: Problems, path = ""): ScheduledJobPlan | undefined {
  const before = problems.all.length;
  const expression = parseScheduleExpression(settings.schedule, `${path}schedule`, problems);
  const intervalMinutes = expression?.maxIntervalMinutes ?? MINUTES_PER_DAY;
  const memoryMb = settings.memoryMb ?? defaults.memoryMb;
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240) {
    problems.add(`${path}memoryMb`, settings.memoryMb, "must be a whole number of MB from 128 to 10,240 (the Lambda limits).");
  }
  const timeout = Duration.check(settings.timeout ?? "15m", `${path}timeout`, problems);
  if (timeout && (timeout.seconds < 60 || timeout.seconds > 900)) {
    problems.add(`${path}timeout`, timeout, "must be from 1 to 15 minutes: Lambda stops a function at 15 minutes. Run larger backups from the command line in a container task.");
  }
  const logRetentionDays = checkDays(settings.logRetention ?? "90d", `${path}logRetention`, problems, { min: 1, max: 3653 });
  if (logRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    problems.add(`${path}logRetention`, Duration.days(logRetentionDays), `must be a period CloudWatch Logs offers: ${LOG_RETENTION_DAYS.join(", ")} days.`);
  }
  const retryAttempts = settings.retryAttempts ?? 2;
  if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2) {
    problems.add(`${path}retryAttempts`, settings.retryAttempts, "must be 0, 1 or 2: Lambda retries an asynchronous run at most twice.");
  }
  if (problems.all.length > before || !timeout || logRetentionDays === undefined) return undefined;
  return {
    schedule: settings.schedule,
    intervalMinutes,
    memoryMb,
    timeoutSeconds: timeout.seconds,
    logRetentionDays,
    retryAttempts,
    maxEventAgeSeconds: Math.max(60, Math.min(MAX_RETRY_WINDOW_SECONDS, intervalMinutes * 60)),
    schedulerRetryAttempts: SCHEDULER_RETRY_ATTEMPTS,
    deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
  };
}
