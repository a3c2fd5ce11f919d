/**
 * `npm run drill`: the proof a newcomer can run. Starts a throwaway PostgreSQL 15, Redis and an
 * S3-protocol server (s3rver) on 127.0.0.1, loads a realistic database (`pgbench -i -s <scale>` plus
 * objects a restore gets wrong easily: partitions, a materialized view, an enum, a mixed-case quoted
 * name, large bytea and jsonb values, a sequence, a function), a cache and an uploads bucket; backs
 * each up, verifies, corrupts a backup that verification must catch, and drills every source. Prints
 * each measured restore time and data-loss window beside the objectives of `examples/aws` (read from
 * its posture under the mock engine), and exits 1 when a drill fails, verification misses the
 * corruption or an objective is missed. Stops everything it started, on failure and on Ctrl-C too.
 *
 *   npm run drill [-- --scale 20] [--keys 100000] [--objects 200] [--rto <duration>] [--json]
 *
 * `--rto` replaces every source's RTO objective (to see a missed objective fail the run).
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Duration, parseJobConfig, type DrillRecord, type EstatePosture, type JobConfig } from "@lifeboat/constructs/core";
import { jobContext, lineOutput, runBackup, runDrill, verifySources, DrillFailedError, type BackupResult } from "@lifeboat/jobs";
import { loadExample, posturesOf, runExamples } from "@lifeboat/preview";
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { postgresBin, startPostgres, type TestPostgres } from "../../lambda-src/test/support/postgres";
import { startTogether } from "../../lambda-src/test/support/servers";
import { startRedis, type TestRedis } from "../../lambda-src/test/support/redis";
import { useTestAwsEnvironment } from "../../lambda-src/test/support/jobs";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { flipByte } from "../../lambda-src/test/support/vault";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../..");

/** What the proof measured for one source, against the example's objectives. */
interface SourceProof {
  readonly source: string;
  readonly kind: string;
  readonly backupBytes: number;
  readonly backupSeconds: number;
  readonly drill: DrillRecord;
  readonly objective: { readonly rpoMinutes: number; readonly rtoMinutes: number };
  readonly meets: boolean;
}

interface Options {
  readonly scale: number;
  readonly keys: number;
  readonly objects: number;
  readonly rtoMinutes?: number;
  readonly json: boolean;
}

/** Everything started, so that one place stops it. */
class Servers {
  pg?: TestPostgres;
  redis?: TestRedis;
  s3?: TestS3;
  private stopping?: Promise<void>;

  stop(): Promise<void> {
    this.stopping ??= Promise.all([this.pg?.stop(), this.redis?.stop(), this.s3?.stop()]).then(() => undefined);
    return this.stopping;
  }
}

const say = (options: Options, text: string) => {
  if (!options.json) process.stdout.write(`${text}\n`);
  else process.stderr.write(`${text}\n`);
};

/** The example estate's posture, from its program under the mock engine. */
async function examplePosture(): Promise<EstatePosture> {
  const [example] = await runExamples([loadExample(join(ROOT, "examples/aws"))]);
  const posture = example && posturesOf(example)[0];
  if (!posture) throw new Error(`examples/aws did not export a posture${example?.error ? `: ${example.error}` : ""}`);
  return posture;
}

async function loadDatabase(pg: TestPostgres, scale: number): Promise<void> {
  await pg.sql("postgres", "CREATE DATABASE app");
  await run(postgresBin("pgbench"), ["-i", "-s", String(scale), "-q", "-h", pg.host, "-p", String(pg.port), "-U", pg.user, "app"], { env: { ...process.env, PGPASSWORD: pg.password } });
  await pg.sql(
    "app",
    `CREATE TYPE mood AS ENUM ('calm', 'busy', 'on fire');
     CREATE SCHEMA "Billing";
     CREATE TABLE "Billing"."Invoices" (id bigserial PRIMARY KEY, account int NOT NULL, state mood NOT NULL, body jsonb NOT NULL, scan bytea);
     INSERT INTO "Billing"."Invoices" (account, state, body, scan)
       SELECT g, (ARRAY['calm','busy','on fire']::mood[])[1 + g % 3], jsonb_build_object('lines', jsonb_agg(jsonb_build_object('n', g, 'text', repeat('x', 200)))), decode(repeat('ff00', 2000), 'hex')
       FROM generate_series(1, 2000) g GROUP BY g;
     CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, payload text) PARTITION BY RANGE (at);
     CREATE TABLE events_2026_10 PARTITION OF events FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
     CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
     INSERT INTO events SELECT g, DATE '2026-10-01' + (g % 61), md5(g::text) FROM generate_series(1, 50000) g;
     CREATE MATERIALIZED VIEW account_totals AS SELECT bid, sum(abalance) AS total FROM pgbench_accounts GROUP BY bid;
     CREATE SEQUENCE invoice_numbers START 1000;
     CREATE FUNCTION busy_invoices() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM "Billing"."Invoices" WHERE state = 'busy' $$;
     COMMENT ON TABLE events IS 'partitioned by month';`,
  );
}

async function loadCache(redis: TestRedis, keys: number): Promise<void> {
  const script = `for i = 1, tonumber(ARGV[1]) do
      redis.call('SET', 'session:' .. i, string.rep('s', 64))
      if i % 10 == 0 then redis.call('HSET', 'user:' .. i, 'name', 'user ' .. i, 'plan', 'pro') end
      if i % 100 == 0 then redis.call('ZADD', 'leaderboard', i, 'player:' .. i) end
      if i % 1000 == 0 then redis.call('EXPIRE', 'session:' .. i, 86400) end
    end
    return redis.call('DBSIZE')`;
  await redis.cli("EVAL", script, "0", String(keys));
}

function jobConfig(servers: Servers, posture: EstatePosture): JobConfig {
  const { pg, redis, s3 } = servers as Required<Pick<Servers, "pg" | "redis" | "s3">>;
  const rpo = (name: string) => posture.sources.find((s) => s.name === name)?.objective.rpoMinutes ?? posture.objectives.rpoMinutes;
  return parseJobConfig({
    vault: { bucket: "vault", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, checksums: "when-required", partSizeMiB: 8, queueSize: 2, maxAttempts: 3 },
    tools: { pgDump: postgresBin("pg_dump"), pgRestore: postgresBin("pg_restore"), psql: postgresBin("psql") },
    sources: [
      {
        name: "postgres-main",
        kind: "postgres",
        rpoMinutes: rpo("postgres-main"),
        host: pg.host,
        port: pg.port,
        database: "app",
        credentials: { env: { username: "APP_DB_USER", password: "APP_DB_PASSWORD" } },
        drill: {
          smokeQueries: [
            { name: "accounts", sql: "SELECT count(*) FROM pgbench_accounts", min: 1 },
            { name: "balances add up", sql: "SELECT count(*) FROM account_totals t JOIN pgbench_branches b USING (bid) WHERE t.total <> b.bbalance", max: 0 },
            { name: "busy invoices", sql: "SELECT busy_invoices()", min: 1 },
          ],
        },
      },
      { name: "cache", kind: "redis", rpoMinutes: rpo("cache"), host: "127.0.0.1", port: redis.port, credentials: { env: { password: "CACHE_PASSWORD" } }, drill: { scratch: { database: 9 } } },
      {
        name: "uploads",
        kind: "objects",
        rpoMinutes: rpo("uploads"),
        bucket: "uploads",
        region: "us-east-1",
        endpoint: s3.endpoint,
        forcePathStyle: true,
        checksums: "when-required",
        credentials: { env: { username: "UPLOADS_KEY", password: "UPLOADS_SECRET" } },
        drill: { scratch: { bucket: "drill-scratch" } },
      },
    ],
  });
}

/** Flips one byte of the newest PostgreSQL backup, checks that verification catches it, and puts the byte back. */
async function corruptionIsCaught(s3: TestS3, job: ReturnType<typeof jobContext>, backup: BackupResult): Promise<{ caught: boolean; detail: string }> {
  const direct = s3.directClient();
  const original = await flipByte(direct, "vault", backup.artifactKey, undefined, 0x01);
  try {
    const report = await verifySources(job, ["postgres-main"]);
    const failed = report.sources[0]!.checks.filter((c) => c.status === "fail");
    return { caught: failed.some((c) => c.check === "integrity"), detail: failed.map((c) => `${c.check}: ${c.detail}`).join("; ") || "verification passed" };
  } finally {
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: backup.artifactKey, Body: original }));
  }
}

/** Seconds under ten minutes (`36.1 s`), else minutes and hours in words. */
const minutes = (m: number) => (m < 10 ? `${(m * 60).toFixed(1)} s` : Duration.seconds(Math.round(m * 60)).describe());

/** Runs the proof; resolves to the exit status. */
export async function proveDrills(options: Options, servers: Servers): Promise<number> {
  const clock = Date.now();
  useTestAwsEnvironment();
  say(options, "Starting PostgreSQL 15, Redis and s3rver on 127.0.0.1, and reading the objectives of examples/aws...");
  // Settled, not Promise.all: a failure of one must not leave the servers that did start unknown to the caller, who stops them.
  const [reading, starting] = await Promise.allSettled([examplePosture(), startTogether([startPostgres(), startRedis(), TestS3.start(["vault", "uploads", "drill-scratch"])])]);
  if (starting.status === "fulfilled") Object.assign(servers, { pg: starting.value[0], redis: starting.value[1], s3: starting.value[2] });
  if (reading.status === "rejected") throw reading.reason;
  if (starting.status === "rejected") throw starting.reason;
  const posture = reading.value;
  const [pg, redis, s3] = starting.value;
  say(options, `Loading pgbench scale ${options.scale} plus tricky objects, ${options.keys} cache keys and ${options.objects} uploads...`);
  const direct = s3.directClient();
  await Promise.all([
    loadDatabase(pg, options.scale),
    loadCache(redis, options.keys),
    (async () => {
      for (let i = 0; i < options.objects; i++) await direct.send(new PutObjectCommand({ Bucket: "uploads", Key: `avatars/${i}.png`, Body: Buffer.alloc(2048 + i * 16, i % 251) }));
    })(),
  ]);
  const env = { ...process.env, APP_DB_USER: pg.user, APP_DB_PASSWORD: pg.password, CACHE_PASSWORD: redis.password, UPLOADS_KEY: "S3RVER", UPLOADS_SECRET: "S3RVER" };
  const config = jobConfig(servers, posture);
  const output = lineOutput(() => undefined);
  const job = jobContext(config, output, { env });

  const backups = new Map<string, BackupResult>();
  for (const source of config.sources) {
    const backup = await runBackup(job, source.name);
    backups.set(source.name, backup);
    say(options, `  backup ${source.name}: ${(backup.manifest.sizeBytes / 1024 / 1024).toFixed(1)} MiB in ${backup.durationSeconds.toFixed(1)} s`);
  }
  const verified = await verifySources(job);
  say(options, `  verify: ${verified.ok ? "every check passed" : "FAILED"}`);
  const corruption = await corruptionIsCaught(s3, job, backups.get("postgres-main")!);
  say(options, `  corruption: ${corruption.caught ? "caught by verification" : "NOT CAUGHT"} (${corruption.detail.slice(0, 160)})`);

  const proofs: SourceProof[] = [];
  for (const source of config.sources) {
    let record: DrillRecord;
    try {
      record = (await runDrill(job, source.name)).record;
    } catch (error) {
      if (!(error instanceof DrillFailedError)) throw error;
      record = error.result.record;
    }
    const planned = posture.sources.find((s) => s.name === source.name);
    const objective = { rpoMinutes: planned?.objective.rpoMinutes ?? posture.objectives.rpoMinutes, rtoMinutes: options.rtoMinutes ?? planned?.objective.rtoMinutes ?? posture.objectives.rtoMinutes };
    const meets = record.outcome === "succeeded" && (record.restoreSeconds ?? Infinity) / 60 <= objective.rtoMinutes && (record.dataLossMinutes ?? Infinity) <= objective.rpoMinutes;
    const backup = backups.get(source.name)!;
    proofs.push({ source: source.name, kind: source.kind, backupBytes: backup.manifest.sizeBytes, backupSeconds: backup.durationSeconds, drill: record, objective, meets });
  }

  const ok = verified.ok && corruption.caught && proofs.every((p) => p.meets);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok, verified: verified.ok, corruptionCaught: corruption.caught, sources: proofs, ports: { postgres: pg.port, redis: redis.port, s3: s3.port }, seconds: (Date.now() - clock) / 1000 }, null, 2)}\n`);
  } else {
    say(options, "");
    say(options, "| source | backup | restore (measured) | RTO (examples/aws) | data loss (measured) | RPO (examples/aws) | drill |");
    say(options, "|---|---|---|---|---|---|---|");
    for (const p of proofs) {
      const r = p.drill;
      say(
        options,
        `| ${p.source} (${p.kind}) | ${(p.backupBytes / 1024 / 1024).toFixed(1)} MiB in ${p.backupSeconds.toFixed(1)} s | ${r.restoreSeconds !== undefined ? minutes(r.restoreSeconds / 60) : "-"} | ${minutes(p.objective.rtoMinutes)} | ${r.dataLossMinutes !== undefined ? minutes(r.dataLossMinutes) : "-"} | ${minutes(p.objective.rpoMinutes)} | ${p.meets ? "meets" : `MISSED${r.error ? `: ${r.error.slice(0, 120)}` : ""}`} |`,
      );
    }
    say(options, "");
    say(options, `${ok ? "Every objective met" : "NOT PROVEN"}: ${proofs.filter((p) => p.meets).length} of ${proofs.length} drills within the objectives; verification ${verified.ok ? "passed" : "failed"}; corruption ${corruption.caught ? "caught" : "missed"}. ${((Date.now() - clock) / 1000).toFixed(0)} s in all.`);
  }
  return ok ? 0 : 1;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { scale: { type: "string", default: "20" }, keys: { type: "string", default: "100000" }, objects: { type: "string", default: "200" }, rto: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} (${JSON.stringify(text)}) must be a whole number, at least ${min}.`);
    return n;
  };
  return {
    scale: whole("scale", values.scale!, 1),
    keys: whole("keys", values.keys!, 1),
    objects: whole("objects", values.objects!, 1),
    ...(values.rto !== undefined ? { rtoMinutes: Duration.parse(values.rto, "--rto").seconds / 60 } : {}),
    json: values.json === true,
  };
}

if (require.main === module) {
  const servers = new Servers();
  let exiting = false;
  const stopThenExit = (status: number) => {
    if (exiting) return;
    exiting = true;
    void servers.stop().finally(() => process.exit(status));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the servers...\n`);
      stopThenExit(130);
    });
  }
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`npm run drill: ${(error as Error).message}\n`);
    process.exit(2);
  }
  proveDrills(options, servers).then(stopThenExit, (error: Error) => {
    process.stderr.write(`npm run drill: ${error.stack ?? error.message}\n`);
    stopThenExit(1);
  });
}
