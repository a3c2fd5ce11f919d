import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleHandlers } from "@lifeboat/jobs/bundle";
import { postgresBin, type TestPostgres } from "../../lambda-src/test/support/postgres";
import type { TestS3 } from "../../lambda-src/test/support/s3";

/** Creates `database` with `tables` tables of about `targetMb / tables` each, a primary key and a second index; returns its size in bytes. */
export async function seed(pg: TestPostgres, database: string, targetMb: number, tables: number): Promise<number> {
  await pg.sql("postgres", `CREATE DATABASE ${database}`);
  const rows = Math.ceil((targetMb * 1024 * 1024) / 130 / tables);
  for (let t = 1; t <= tables; t++) {
    await pg.sql(database, `CREATE TABLE events_${t} (id bigint, at timestamptz, account text, kind text, amount numeric(12,2), payload text)`);
    await pg.sql(database, `INSERT INTO events_${t} SELECT i, timestamptz '2026-01-01' + i * interval '1 second', md5(i::text), (ARRAY['signup','login','purchase','refund','logout'])[1 + i % 5], (i % 100000) / 100.0, 'user-' || (i % 5000) || ' ' || repeat(chr(97 + i % 26), i % 40) FROM generate_series(1, ${rows}) i`);
    await pg.sql(database, `ALTER TABLE events_${t} ADD PRIMARY KEY (id); CREATE INDEX events_${t}_account ON events_${t} (account)`);
  }
  await pg.sql(database, "VACUUM (ANALYZE)");
  await pg.sql(database, "CHECKPOINT");
  const [size] = await pg.sql(database, "SELECT pg_database_size(current_database())");
  return Number(size);
}

/** Runs a command; returns wall seconds and its stdout. */
export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; stdout: string }> {
  execFileSync("sync");
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`);
  return { seconds, stdout };
}

/**
 * The bundled `lifeboat` command and the environment that runs it against `pg`'s database bench and
 * `s3`'s bucket vault (configuration in `work`, scratch space there too), with `pgArgs` for the
 * PostgreSQL tools.
 */
export async function benchCommand(pg: TestPostgres, s3: TestS3, work: string, jobs: number): Promise<{ cli: string; env: NodeJS.ProcessEnv; pgArgs: string[] }> {
  const cli = (await bundleHandlers()).find((b) => b.name === "cli")!.file;
  const configFile = join(work, "config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      vault: { bucket: "vault", region: "us-east-1", endpoint: s3.directEndpoint, forcePathStyle: true, checksums: "when-required" },
      sources: [{ name: "bench", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "bench", credentials: { env: { username: "BENCH_PGUSER", password: "BENCH_PGPASSWORD" } } }],
      tools: { pgDump: postgresBin("pg_dump"), pgRestore: postgresBin("pg_restore"), psql: postgresBin("psql") },
      restore: { scratchDirectory: work, parallelJobs: jobs },
    }),
  );
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
  };
  return { cli, env, pgArgs: ["-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.user] };
}
