import type { DrillRecord } from "./drill-record";
import { Problems } from "./errors";
import type { BackupManifest } from "./manifest";
import { RESTORE_MODEL } from "./objectives";
import { describeMinutes } from "./posture";
import type { SourceKind } from "./vault-layout";

/** Where a scheduled job runs: AWS Lambda, or an ECS Fargate task from the same image. */
export type JobRuntime = "lambda" | "fargate";

/** The jobs that can run on either. */
export type RuntimeJob = "backup" | "verify" | "drill";

/** Lambda stops a function at 15 minutes. */
export const LAMBDA_LIMIT_MINUTES = 15;
/**
 * A job goes to Lambda only when it is expected to finish this much under the limit: the estimate
 * is a size over a throughput, and a slow day on the network or a grown table must not turn into a
 * killed job (a killed backup leaves no manifest, a killed drill no record).
 */
export const LAMBDA_MARGIN_MINUTES = 5;
/** The longest expected duration Lambda is given: the limit less the margin. */
export const LAMBDA_BUDGET_MINUTES = LAMBDA_LIMIT_MINUTES - LAMBDA_MARGIN_MINUTES;

/**
 * Throughput assumed before anything is measured, in MiB of stored backup per second, deliberately
 * low: a Lambda function's network and one core for zstd. Measurements from backup and drill records
 * replace them.
 */
export const ASSUMED_BACKUP_MIB_PER_SECOND: Readonly<Record<SourceKind, number>> = { postgres: 20, redis: 40, objects: 15, files: 30 };

/** A drill's fixed part before measurements: catalog, scratch target, checks and cleanup. */
export const DRILL_SETUP_MINUTES = 1;

/** A throughput measured by a job, in bytes of stored backup per second. */
export interface MeasuredThroughput {
  readonly bytesPerSecond: number;
  /** Which record it came from: a drill's restore or a backup. */
  readonly from: "drill" | "backup";
  /** When it was measured (ISO 8601). */
  readonly at: string;
}

/** What decides where one job of one source runs. */
export interface JobRuntimeInput {
  readonly source: string;
  readonly kind: SourceKind;
  readonly job: RuntimeJob;
  /** The source's declared size, as the objectives give it. */
  readonly sizeGiB: number;
  /** The newest measurement, when a drill or backup has run. @default - none (assumed throughput) */
  readonly measured?: MeasuredThroughput;
  /** Run it here whatever the estimate says. @default - chosen from the expected duration */
  readonly force?: JobRuntime;
}

/** Where a job can run: Lambda or Fargate on AWS, the runner droplet's systemd timers on DigitalOcean. */
export type JobHost = JobRuntime | "runner";

/** Where one job runs, and why, in words the posture prints. */
export interface JobPlacement {
  readonly job: RuntimeJob;
  readonly runtime: JobHost;
  /** The expected duration in minutes. */
  readonly expectedMinutes: number;
  /** `measured` when a drill or backup record gave the throughput, else `assumed`. */
  readonly basis: "measured" | "assumed" | "forced";
  readonly reason: string;
}

/**
 * Chooses Lambda or Fargate for one job of one source from its expected duration: the declared size
 * over the newest measured throughput (drill restores for drills, backups for backups and
 * verification), or over an assumed throughput until something is measured. Lambda when the
 * expectation is within {@link LAMBDA_BUDGET_MINUTES} (the 15-minute limit less a 5-minute margin),
 * else Fargate; `force` overrides, and says so.
 */
export function chooseJobRuntime(input: JobRuntimeInput): JobPlacement {
  const { expectedMinutes, basis, expected } = expectedJobMinutes(input);
  if (input.force) {
    const warn = input.force === "lambda" && expectedMinutes > LAMBDA_BUDGET_MINUTES ? `; beware: that is over the ${LAMBDA_BUDGET_MINUTES} minutes Lambda is trusted with` : "";
    return { job: input.job, runtime: input.force, expectedMinutes, basis: "forced", reason: `forced to ${input.force === "lambda" ? "Lambda" : "Fargate"}; ${expected}${warn}` };
  }
  const runtime: JobRuntime = expectedMinutes <= LAMBDA_BUDGET_MINUTES ? "lambda" : "fargate";
  const limit = `Lambda's ${LAMBDA_LIMIT_MINUTES}-minute limit less a ${LAMBDA_MARGIN_MINUTES}-minute margin`;
  return {
    job: input.job,
    runtime,
    expectedMinutes,
    basis,
    reason: runtime === "lambda" ? `${expected}, within ${limit}` : `${expected}, over ${limit}`,
  };
}

/**
 * A job on DigitalOcean's runner droplet, run by the systemd timer `unit`: no limit but the next
 * run's start (`windowMinutes`), when systemd stops a run still going.
 */
export function runnerPlacement(input: Omit<JobRuntimeInput, "force">, unit: string, windowMinutes: number): JobPlacement {
  const { expectedMinutes, basis, expected } = expectedJobMinutes(input);
  const fits = expectedMinutes <= windowMinutes;
  return {
    job: input.job,
    runtime: "runner",
    expectedMinutes,
    basis,
    reason: `the runner droplet's timer ${unit}; ${expected}, ${fits ? "within" : "over"} the ${describeMinutes(windowMinutes)} before its next run, when systemd stops it${fits ? "" : ": give the source a longer interval or the runner a larger size"}`,
  };
}

/** A job's expected duration and how it was estimated, in words (`expected 12 minutes (10 GiB at ...)`). */
export function expectedJobMinutes(input: Omit<JobRuntimeInput, "force">): { readonly expectedMinutes: number; readonly basis: "measured" | "assumed"; readonly expected: string } {
  const mib = input.sizeGiB * 1024;
  const gib = `${Math.round(input.sizeGiB * 10) / 10} GiB`;
  let expectedMinutes: number;
  let basis: "measured" | "assumed";
  let how: string;
  if (input.measured && input.measured.bytesPerSecond > 0) {
    const mibPerSecond = input.measured.bytesPerSecond / 1024 / 1024;
    expectedMinutes = mib / mibPerSecond / 60;
    basis = "measured";
    how = `${gib} at ${mibPerSecond.toFixed(1)} MiB/s measured by the ${input.measured.from} of ${input.measured.at.slice(0, 10)}`;
  } else if (input.job === "drill") {
    // The model's fixed part is a new server's provisioning, which a drill into a scratch target skips.
    const model = RESTORE_MODEL[`${input.kind}:logical`]!;
    expectedMinutes = DRILL_SETUP_MINUTES + model.minutesPerGiB * input.sizeGiB;
    basis = "assumed";
    how = `${gib} at the restore estimate's ${model.minutesPerGiB} minutes per GiB plus ${DRILL_SETUP_MINUTES} minute of setup, until a drill measures it`;
  } else {
    const assumed = ASSUMED_BACKUP_MIB_PER_SECOND[input.kind];
    expectedMinutes = mib / assumed / 60;
    basis = "assumed";
    how = `${gib} at an assumed ${assumed} MiB/s${input.job === "verify" ? " (verification reads the newest backup whole)" : ""}, until a backup measures it`;
  }
  expectedMinutes = Math.round(expectedMinutes * 100) / 100;
  return { expectedMinutes, basis, expected: `expected ${expectedMinutes < 1 ? "under a minute" : describeMinutes(Math.ceil(expectedMinutes))} (${how})` };
}

/**
 * The newest throughput a job's records show for `job`: drill restores for drills, backups (stored
 * bytes over the backup's duration) for backups and verification.
 */
export function newestThroughput(job: RuntimeJob, records: { readonly drills?: readonly DrillRecord[]; readonly backups?: readonly BackupManifest[] }): MeasuredThroughput | undefined {
  if (job === "drill") {
    const drill = [...(records.drills ?? [])].filter((d) => d.outcome === "succeeded" && d.restoreBytesPerSecond).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    return drill ? { bytesPerSecond: drill.restoreBytesPerSecond!, from: "drill", at: drill.startedAt } : undefined;
  }
  const backup = [...(records.backups ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  if (!backup) return undefined;
  const seconds = (Date.parse(backup.finishedAt) - Date.parse(backup.startedAt)) / 1000;
  return seconds > 0 ? { bytesPerSecond: backup.sizeBytes / seconds, from: "backup", at: backup.startedAt } : undefined;
}

/** Checks a forced runtime (`jobs.runtime` or a source's `runtime`). */
export function checkJobRuntime(value: unknown, argument: string, problems: Problems): value is JobRuntime | undefined {
  if (value === undefined || value === "lambda" || value === "fargate") return true;
  problems.add(argument, value, 'must be "lambda" or "fargate"; leave it unset to choose from the expected duration.');
  return false;
}
