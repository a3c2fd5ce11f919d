import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { freePort, waitFor } from "./ports";
import { stopOnFailure } from "./servers";
import { provisionedTool } from "./tools";

const run = promisify(execFile);

/** A throwaway Redis from Debian's redis-server on 127.0.0.1, with a password. */
export interface TestRedis {
  readonly port: number;
  readonly password: string;
  /** The server's process id (tests stop and continue it). */
  readonly pid: number;
  /** Runs redis-cli with arguments and returns its output. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Which server to start: Debian's Redis 7.0 by default, or a provisioned build, with extra configuration. */
export interface RedisServerOptions {
  /** @default "redis-server" (Debian's) */
  readonly server?: string;
  /** @default "redis-cli" (Debian's) */
  readonly cli?: string;
  /** Extra configuration directives as arguments, such as ["--rename-command", "SYNC", ""]. @default - none */
  readonly args?: readonly string[];
}

/** A Redis-family server the provisioning built: `redisFamily("redis", "8")`, `redisFamily("valkey", "9")`. */
export function redisFamily(pkg: "redis" | "valkey", major: string): RedisServerOptions {
  const bin = join(provisionedTool(pkg, major), "bin");
  return { server: join(bin, `${pkg}-server`), cli: join(bin, `${pkg}-cli`) };
}

export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "lifeboat-redis-"));
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(options.server ?? "redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--requirepass", password, "--loglevel", "warning", ...(options.args ?? [])], { stdio: "ignore" });
  const cli = async (...args: string[]) => (await run(options.cli ?? "redis-cli", ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", ...args], { env: { ...process.env, REDISCLI_AUTH: password }, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const stop = async () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  await stopOnFailure(() => waitFor("redis-server", async () => (await cli("PING")).trim() === "PONG", 15_000), stop);
  return {
    port,
    password,
    pid: child.pid!,
    cli,
    stop,
  };
}
