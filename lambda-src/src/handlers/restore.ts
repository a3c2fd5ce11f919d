import { runRestore, type RestoreResult } from "../restore/restore";
import { JobError } from "../support/errors";
import { lambdaJob } from "./shared";

/**
 * The restore function's event. The target's password, if any, comes from the function's
 * environment (`PGPASSWORD`), never from the event.
 */
export interface RestoreEvent {
  readonly source: string;
  readonly at?: string;
  readonly target: string;
  readonly dryRun?: boolean;
  /** PostgreSQL: recreate the backup's roles the target lacks. @default false */
  readonly createRoles?: boolean;
  /** PostgreSQL: restore owners. @default true */
  readonly owners?: boolean;
  /** PostgreSQL: restore GRANTs and default privileges. @default true */
  readonly privileges?: boolean;
}

/** Restores; throws on failure. */
export async function handler(event: RestoreEvent): Promise<RestoreResult> {
  if (typeof event?.source !== "string" || typeof event.target !== "string") throw new JobError('The restore event must be { "source": "<name>", "at": "latest", "target": "<url>", "dryRun": false }.');
  return runRestore(lambdaJob(), {
    source: event.source,
    at: event.at ?? "latest",
    target: event.target,
    dryRun: event.dryRun === true,
    grants: { owners: event.owners !== false, privileges: event.privileges !== false, createRoles: event.createRoles === true },
  });
}
