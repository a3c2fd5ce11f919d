import { fork } from "node:child_process";
import { join } from "node:path";
import type { ExampleProgram } from "./examples";
import type { RecordedStack } from "@lifeboat/constructs/testing";

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
    const fromSource = __filename.endsWith(".ts");
    const child = fork(join(__dirname, `child${fromSource ? ".ts" : ".js"}`), [JSON.stringify(example)], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // From source (npm start, tests), the child needs the TypeScript loader and the export condition
      // that resolves workspace packages to their sources, whatever the parent was started with.
      ...(fromSource ? { execArgv: ["--conditions=lifeboat-source", "--import", "tsx"] } : {}),
    });
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    let answer: ExampleRun | undefined;
    child.on("message", (message: { ok: boolean; stack?: RecordedStack; error?: string }) => {
      // A failure wins over a result: a program can record everything and still fail in an Output.
      if (!message.ok) answer = { example, error: message.error ?? "unknown error" };
      else answer ??= { example, stack: message.stack as RecordedStack };
    });
    child.on("exit", (code, signal) => {
      resolve(answer ?? { example, error: `the program's process ended (${signal ?? `exit code ${code}`}) without a result` });
    });
  });
}
