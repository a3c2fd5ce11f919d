import { fork } from "node:child_process";
import { join } from "node:path";
import type { ExampleProgram } from "./examples";
import type { RecordedStack } from "./recorder";

/** One example after running under the mock engine. */
export interface ExampleRun {
  readonly example: ExampleProgram;
  readonly stack?: RecordedStack;
  /** Why the program failed, when it did (a validation error, for example). */
  readonly error?: string;
}

/**
 * Runs each example in its own child process, all at once, and collects what they registered.
 * Children inherit this process's Node options (the TypeScript loader and export conditions); their
 * own output goes to stderr so stdout stays for the caller's report.
 */
export function runExamples(examples: readonly ExampleProgram[]): Promise<ExampleRun[]> {
  return Promise.all(examples.map(runOne));
}

function runOne(example: ExampleProgram): Promise<ExampleRun> {
  return new Promise((resolve) => {
    const child = fork(join(__dirname, `child${__filename.endsWith(".ts") ? ".ts" : ".js"}`), [JSON.stringify(example)], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    let answer: ExampleRun | undefined;
    child.on("message", (message: { ok: boolean; stack?: RecordedStack; error?: string }) => {
      answer = message.ok ? { example, stack: message.stack as RecordedStack } : { example, error: message.error ?? "unknown error" };
      child.disconnect();
    });
    child.on("exit", (code, signal) => {
      resolve(answer ?? { example, error: `the program's process ended (${signal ?? `exit code ${code}`}) without a result` });
    });
  });
}
