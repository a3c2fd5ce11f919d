import { runDrill, type DrillResult } from "../drill/drill";
import { JobError } from "../support/errors";
import { lambdaJob } from "./shared";

/** The drill function's event, as EventBridge Scheduler sends it. */
export interface DrillEvent {
  readonly source: string;
}

/** Drills `event.source`; throws (a failed invocation) after writing the drill record when the drill failed. */
export async function handler(event: DrillEvent): Promise<DrillResult> {
  if (typeof event?.source !== "string") throw new JobError(`The drill event must be { "source": "<name>" }; received ${JSON.stringify(event)}.`);
  return runDrill(lambdaJob(), event.source);
}
