import type { BackupAlarmsDesignArgs } from "./alarms";

/** A job the alarms watch: its function and its dead-letter queue. `V` is the front end's string. */
export interface WatchedJob<V = string> {
  /** A short name for the job, used in alarm names (`postgres-main-backup`). */
  readonly id: string;
  /** The job's Lambda function, by name. */
  readonly functionName: V;
  /** The job's dead-letter queue, by name. */
  readonly deadLetterQueueName: V;
  /**
   * The source the job serves, when it serves one.
   * @default - none
   */
  readonly source?: string;
}

/**
 * The arguments of a set of backup alarms, declared once for every front end: core's
 * {@link BackupAlarmsDesignArgs}, with `V` the front end's string, `T` its topic (an AlertTopic or an
 * ARN) and `R` its replicated vault.
 */
export interface BackupAlarmsArguments<V, T, R> extends Omit<BackupAlarmsDesignArgs<V>, "topic" | "replicatedVaults" | "jobs"> {
  /** Where every alarm and failure event goes: an AlertTopic or a topic ARN. */
  readonly topic: T;
  /**
   * Jobs whose errors, throttles and dead letters raise alarms.
   * @default - none
   */
  readonly jobs?: readonly WatchedJob<V>[];
  /**
   * Replicated vaults whose replication failures and latency raise alarms.
   * @default - none
   */
  readonly replicatedVaults?: readonly R[];
  /**
   * Send AWS Backup job, copy and restore failures (EventBridge) to the topic.
   * @default false
   */
  readonly awsBackupFailures?: boolean;
}
