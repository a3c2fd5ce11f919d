import { runBackup, type BackupResult } from "../backup/backup";
import { JobError } from "../support/errors";
import { lambdaJob } from "./shared";

/** The backup function's event, as EventBridge Scheduler sends it. */
export interface BackupEvent {
  readonly source: string;
}

/** Backs up `event.source`; throws (a failed invocation, retried by the scheduler) on failure. */
export async function handler(event: BackupEvent): Promise<Pick<BackupResult, "source" | "artifactKey" | "manifestKey" | "durationSeconds"> & { sizeBytes: number; tier: string }> {
  if (typeof event?.source !== "string") throw new JobError(`The backup event must be { "source": "<name>" }; received ${JSON.stringify(event)}.`);
  const result = await runBackup(lambdaJob(), event.source);
  return { source: result.source, artifactKey: result.artifactKey, manifestKey: result.manifestKey, durationSeconds: result.durationSeconds, sizeBytes: result.manifest.sizeBytes, tier: result.manifest.tier };
}
