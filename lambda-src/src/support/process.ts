import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { JobError } from "./errors";
import { redact } from "./redact";

/** How much of a tool's stderr is kept for its error message. */
const STDERR_TAIL_BYTES = 4096;

/**
 * Environment variables a tool inherits. Everything else is dropped, above all the job's own AWS
 * credentials: `pg_dump` has no business seeing them.
 */
const INHERITED = /^(PATH|HOME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|PG[A-Z]+)$/;

/** The environment for a tool: the inherited variables plus `extra` (which may hold a password). */
export function toolEnvironment(extra: Record<string, string | undefined> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (INHERITED.test(name) && value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** A running command-line tool: its streams, and a promise that settles when it exits. */
export class ToolProcess {
  readonly child: ChildProcess;
  /** Resolves when the tool exits with status 0; rejects with a {@link JobError} naming the tool otherwise. */
  readonly exited: Promise<void>;
  private stderrTail = "";
  private killedWith: NodeJS.Signals | undefined;

  constructor(
    readonly label: string,
    readonly path: string,
    args: readonly string[],
    options: { env: NodeJS.ProcessEnv; stdin?: "pipe" | "ignore"; stdout?: "pipe" | "ignore"; hint?: string },
  ) {
    this.child = spawn(path, args, { env: options.env, stdio: [options.stdin ?? "ignore", options.stdout ?? "pipe", "pipe"] });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise<void>((resolve, reject) => {
      this.child.once("error", (error: NodeJS.ErrnoException) => {
        reject(
          error.code === "ENOENT" || error.code === "EACCES"
            ? new JobError(`${label} could not be started from "${path}" (${error.code}).`, { hint: options.hint ?? "Install it or set its path in the configuration's `tools`." })
            : new JobError(`${label} could not be started: ${error.message}`),
        );
      });
      this.child.once("close", (code, signal) => {
        if (code === 0) return resolve();
        // Only the signal Lifeboat sent is Lifeboat's doing: a tool that died of another one before
        // it was reaped (killed by the OOM killer or an operator) failed on its own.
        const byUs = this.killedWith !== undefined && signal === this.killedWith;
        const why = signal ? `was killed by ${signal}${byUs ? " (stopped by Lifeboat after another failure)" : ""}` : `exited with status ${code}`;
        const stderr = this.stderr;
        reject(new JobError(`${label} ${why}${stderr ? `: ${stderr}` : "."}`));
      });
    });
    // Callers await `exited` when they need it; an early failure must not crash the process first.
    this.exited.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): Writable {
    return this.child.stdin!;
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  /** The end of what the tool wrote to stderr, trimmed and redacted. */
  get stderr(): string {
    return redact(this.stderrTail.trim().split("\n").slice(-8).join(" | "));
  }

  /** Stops the tool if it is still running. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.killedWith = signal;
      this.child.kill(signal);
    }
  }
}

/** Runs a tool to completion and returns its stdout (for short outputs such as `--version` or a query). */
export async function runTool(label: string, path: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const tool = new ToolProcess(label, path, args, { env, stdin: input === undefined ? "ignore" : "pipe" });
  const chunks: Buffer[] = [];
  tool.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  if (input !== undefined) {
    tool.stdin.on("error", () => undefined);
    tool.stdin.end(input);
  }
  await tool.exited;
  return Buffer.concat(chunks).toString("utf8");
}
