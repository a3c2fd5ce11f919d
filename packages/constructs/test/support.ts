import { Recorder, type RecordedResource, type RecordingOptions } from "@lifeboat/constructs/testing";
import type { PolicyDocument, PolicyStatement } from "@lifeboat/constructs/core";

/**
 * Runs `build` under the mock engine and returns what it registered. Each call starts a fresh
 * recording, so tests in one file do not see each other's resources.
 */
export async function record(build: () => void, options: RecordingOptions = {}): Promise<Recorder> {
  const recorder = new Recorder(options);
  build();
  await recorder.settle();
  return recorder;
}

/** The policy document a resource received as a JSON string input (`policy`, `assumeRolePolicy`). */
export function policyOf(resource: RecordedResource, input = "policy"): PolicyDocument {
  const raw = resource.inputs[input];
  if (typeof raw !== "string") throw new Error(`${resource.name} has no ${input} string input; inputs: ${Object.keys(resource.inputs).join(", ")}`);
  return JSON.parse(raw) as PolicyDocument;
}

/** The statement with `sid`, or a failure naming the statements that exist. */
export function statement(document: PolicyDocument, sid: string): PolicyStatement {
  const found = document.Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`No statement ${sid}; statements: ${document.Statement.map((s) => s.Sid).join(", ")}`);
  return found;
}

/** Calls `fn` and returns the error it throws (failing when it does not throw). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, but none was thrown");
}
