import { JobError } from "../support/errors";
import { runVerify, type VerifyReport } from "../verify/verify";
import { lambdaJob } from "./shared";

/** The verify function's event: `{}` for every source, or `{ "sources": [...] }`. */
export interface VerifyEvent {
  readonly sources?: readonly string[];
}

/** Verifies; returns the report, or throws after reporting when any check failed. */
export async function handler(event: VerifyEvent = {}): Promise<VerifyReport> {
  const sources = event?.sources ?? [];
  if (!Array.isArray(sources) || sources.some((s) => typeof s !== "string")) throw new JobError(`The verify event must be {} or { "sources": ["<name>", ...] }; received ${JSON.stringify(event)}.`);
  const job = lambdaJob();
  return runVerify(job, sources);
}
