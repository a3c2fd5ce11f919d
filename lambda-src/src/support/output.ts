import { JOB_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE } from "@lifeboat/constructs/core";
import { redact } from "./redact";

export type MetricName = (typeof JOB_METRICS)[keyof typeof JOB_METRICS];

const UNITS: Record<MetricName, string> = {
  BackupSucceeded: "Count",
  BackupFailed: "Count",
  BackupBytes: "Bytes",
  BackupDurationSeconds: "Seconds",
  BackupContentsNotInspected: "Count",
  // CloudWatch has no minutes unit.
  BackupAgeMinutes: "None",
  VerifyFailed: "Count",
  MissedRuns: "Count",
  IncompleteBackups: "Count",
  DrillSucceeded: "Count",
  DrillFailed: "Count",
  DrillRestoreSeconds: "Seconds",
  DrillDataLossMinutes: "None",
  DrillAgeMinutes: "None",
};

/** A structured log event. `event` is a stable machine name (`backup.started`), `message` is for people. */
export interface LogEvent {
  readonly level: "info" | "warn" | "error";
  readonly event: string;
  readonly message: string;
  readonly source?: string;
  readonly [field: string]: unknown;
}

/**
 * Where a job's logs and metrics go. In Lambda both are lines on stdout (CloudWatch Logs reads
 * Embedded Metric Format lines as metrics); on the command line they go to stderr, leaving stdout
 * for the result.
 */
export interface Output {
  log(event: LogEvent): void;
  /** Emits one Embedded Metric Format line for `source`, namespace `Lifeboat`, dimension `Source`. */
  metrics(source: string, values: Partial<Record<MetricName, number>>): void;
}

/** The Embedded Metric Format document for one source's metric values. */
export function emfDocument(source: string, values: Partial<Record<MetricName, number>>, at: Date): Record<string, unknown> {
  const names = (Object.keys(values) as MetricName[]).filter((n) => Number.isFinite(values[n]));
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[METRIC_DIMENSION]], Metrics: names.map((Name) => ({ Name, Unit: UNITS[Name] })) }],
    },
    [METRIC_DIMENSION]: source,
    ...Object.fromEntries(names.map((n) => [n, values[n]])),
  };
}

/** An {@link Output} writing JSON lines through `write`, every line redacted. */
export function lineOutput(write: (line: string) => void, now: () => Date = () => new Date()): Output {
  const emit = (doc: Record<string, unknown>) => write(redact(JSON.stringify(doc)));
  return {
    log: (event) => emit({ time: now().toISOString(), ...event }),
    metrics: (source, values) => emit(emfDocument(source, values, now())),
  };
}

/** Fans one output out to several (a test observing a job that also writes lines). */
export function teeOutput(...outputs: Output[]): Output {
  return {
    log: (event) => outputs.forEach((o) => o.log(event)),
    metrics: (source, values) => outputs.forEach((o) => o.metrics(source, values)),
  };
}
