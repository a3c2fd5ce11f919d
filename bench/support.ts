/**
 * What the benchmarks share: timing a command (and the peak RSS of its process tree), medians, a
 * seeded PostgreSQL database of `events` tables, and the `lifeboat` command with its configuration
 * and environment against the throwaway PostgreSQL and S3 server of `lambda-src/test/support`.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleHandlers } from "@lifeboat/jobs/bundle";
import { postgresBin, type TestPostgres } from "../lambda-src/test/support/postgres";
import type { TestS3 } from "../lambda-src/test/support/s3";

/** The middle of `xs` (the mean of the two middles for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Peak RSS (VmHWM) of one process of a measured tree. */
export interface ProcessPeak {
  readonly name: string;
  readonly hwm: number;
}

/** Peak RSS per process of the tree under `root`, sampled every 50 ms until `stop`. */
function watchTree(root: number): { stop: () => Map<number, ProcessPeak> } {
  const peaks = new Map<number, ProcessPeak>();
  const sample = () => {
    const parents = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      } catch {
        // gone
      }
    }
    const tree = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) (tree.add(pid), (grew = true));
    }
    for (const pid of tree) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
        const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? "?";
        if (hwm > (peaks.get(pid)?.hwm ?? 0)) peaks.set(pid, { name, hwm });
      } catch {
        // gone
      }
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

/** A measured command: wall seconds, its stdout, and (when watched) each process's peak RSS. */
export interface Measured {
  readonly seconds: number;
  readonly stdout: string;
  readonly peaks: Map<number, ProcessPeak>;
  readonly rootPid: number;
}

/** Sum over a tree's processes of each one's peak RSS. */
export const treePeak = (peaks: Map<number, ProcessPeak>) => [...peaks.values()].reduce((a, p) => a + p.hwm, 0);

/**
 * Runs a command after `sync` (so it starts with nothing left to write back from the runs before
 * it); throws with the end of its stderr when it fails.
 *
 * @param options.peaks - sample the process tree's peak RSS every 50 ms. @default false (sampling costs CPU the timing would count)
 */
export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, options: { peaks?: boolean } = {}): Promise<Measured> {
  execFileSync("sync");
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const watcher = options.peaks ? watchTree(child.pid!) : undefined;
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peaks = watcher?.stop() ?? new Map<number, ProcessPeak>();
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`);
  return { seconds, stdout, peaks, rootPid: child.pid! };
}

/**
 * Creates `database` with `tables` tables `events_<n>` of about `targetMb / tables` each (about 130
 * bytes a row: ids, times, hex digests, a few repeated words, numbers), loaded in batches, then
 * settled (VACUUM, CHECKPOINT, sync) so the first runs do not measure that background I/O.
 *
 * @param options.indexes - add a primary key and a second index to each table. @default false
 * @returns the database's size and the tables' (with their indexes) in bytes
 */
export async function seed(pg: TestPostgres, database: string, targetMb: number, tables = 1, options: { indexes?: boolean } = {}): Promise<{ databaseBytes: number; tableBytes: number }> {
  await pg.sql("postgres", `CREATE DATABASE ${database}`);
  const rows = Math.ceil((targetMb * 1024 * 1024) / 130 / tables);
  const batch = 2_000_000;
  for (let t = 1; t <= tables; t++) {
    await pg.sql(database, `CREATE TABLE events_${t} (id bigint, at timestamptz, account text, kind text, amount numeric(12,2), payload text)`);
    for (let from = 1; from <= rows; from += batch) {
      const to = Math.min(rows, from + batch - 1);
      await pg.sql(database, `INSERT INTO events_${t} SELECT i, timestamptz '2026-01-01' + i * interval '1 second', md5(i::text), (ARRAY['signup','login','purchase','refund','logout'])[1 + i % 5], (i % 100000) / 100.0, 'user-' || (i % 5000) || ' ' || repeat(chr(97 + i % 26), i % 40) FROM generate_series(${from}, ${to}) i`);
    }
    if (options.indexes) await pg.sql(database, `ALTER TABLE events_${t} ADD PRIMARY KEY (id); CREATE INDEX events_${t}_account ON events_${t} (account)`);
  }
  await pg.sql(database, "VACUUM (ANALYZE)");
  await pg.sql(database, "CHECKPOINT");
  execFileSync("sync");
  const [databaseBytes] = await pg.sql(database, "SELECT pg_database_size(current_database())");
  const [tableBytes] = await pg.sql(database, "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE relname LIKE 'events\\_%' AND relkind = 'r'");
  return { databaseBytes: Number(databaseBytes), tableBytes: Number(tableBytes) };
}

/** The jobs' configuration for one PostgreSQL source named as its `database`, on `pg`, into `s3`'s bucket `vault`. */
export function benchConfig(pg: TestPostgres, s3: TestS3, database: string, restore?: { scratchDirectory: string; parallelJobs: number }): object {
  return {
    vault: { bucket: "vault", region: "us-east-1", endpoint: s3.directEndpoint, forcePathStyle: true, checksums: "when-required" },
    sources: [{ name: database, kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database, credentials: { env: { username: "BENCH_PGUSER", password: "BENCH_PGPASSWORD" } } }],
    tools: { pgDump: postgresBin("pg_dump"), pgRestore: postgresBin("pg_restore"), psql: postgresBin("psql") },
    ...(restore ? { restore } : {}),
  };
}

/** The bundled `lifeboat` command line (or `cli`, another build of it). */
export async function lifeboatCli(cli?: string): Promise<string> {
  return cli ?? (await bundleHandlers()).find((b) => b.name === "cli")!.file;
}

/**
 * The environment that runs `lifeboat` with the configuration in `configFile` and the PostgreSQL
 * tools against `pg`, and `pgArgs`, the connection arguments of those tools.
 */
export function benchEnvironment(pg: TestPostgres, configFile: string, extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; pgArgs: string[] } {
  const env = {
    ...process.env,
    PGPASSWORD: pg.password,
    BENCH_PGUSER: pg.user,
    BENCH_PGPASSWORD: pg.password,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    LIFEBOAT_CONFIG_FILE: configFile,
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1",
    ...extra,
  };
  return { env, pgArgs: ["-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.user] };
}

/**
 * The bundled `lifeboat` command and the environment that runs it against `pg`'s database bench and
 * `s3`'s bucket vault (configuration in `work`, scratch space there too, `jobs` restore workers).
 */
export async function benchCommand(pg: TestPostgres, s3: TestS3, work: string, jobs: number): Promise<{ cli: string; env: NodeJS.ProcessEnv; pgArgs: string[] }> {
  const configFile = join(work, "config.json");
  writeFileSync(configFile, JSON.stringify(benchConfig(pg, s3, "bench", { scratchDirectory: work, parallelJobs: jobs })));
  return { cli: await lifeboatCli(), ...benchEnvironment(pg, configFile) };
}

/** Runs a benchmark's `main`: on failure prints the stack and sets exit status 1 (its `finally` has stopped the servers). */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  });
}
