import { checkDays, Duration, type DurationInput } from "../duration";
import { Problems } from "../errors";
import { parseScheduleExpression } from "./schedule-expression";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The engine-neutral settings of a scheduled job (a backup or a verification). */
export interface ScheduledJobSettings {
  /** An EventBridge Scheduler expression: `rate(30 minutes)` or `cron(0 3 * * ? *)`. */
  readonly schedule: string;
  /** Memory in MB, 128 to 10,240. */
  readonly memoryMb?: number;
  /** At most 15 minutes: the Lambda limit. */
  readonly timeout?: DurationInput;
  readonly logRetention?: DurationInput;
  /** Retries of a failed run by Lambda, 0 to 2. */
  readonly retryAttempts?: number;
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
