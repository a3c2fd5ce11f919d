import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { freePort, waitFor } from "./ports";
import { stopOnFailure } from "./servers";

const run = promisify(execFile);

/** A throwaway Redis from Debian's redis-server on 127.0.0.1, with a password. */
export interface TestRedis {
  readonly port: number;
  readonly password: string;
  /** Runs redis-cli with arguments and returns its output. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "lifeboat-redis-"));
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--requirepass", password, "--loglevel", "warning"], { stdio: "ignore" });
  const cli = async (...args: string[]) => (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", ...args], { env: { ...process.env, REDISCLI_AUTH: password }, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const stop = async () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  await stopOnFailure(() => waitFor("redis-server", async () => (await cli("PING")).trim() === "PONG", 15_000), stop);
  return {
    port,
    password,
    cli,
    stop,
  };
}
