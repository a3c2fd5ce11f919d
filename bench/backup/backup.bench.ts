/**
 * Backup throughput: `lifeboat backup` against the seeds' pipeline (`pg_dump -Fc | aws s3 cp -`)
 * and the source's limit (`pg_dump -Fc -Z0 > /dev/null`), on one table of PostgreSQL 15 and the
 * same local S3 server (s3rver), all on 127.0.0.1. Prints wall time, output size and peak RSS of
 * each, and the ratios the jobs are held to. Not a test: nothing is asserted.
 *
 *   node --conditions=lifeboat-source --import tsx bench/backup/backup.bench.ts [--mb 220] [--big-mb 2048] [--runs 3] [--cli <file>]
 *
 * Each variant runs once to warm the caches, then `--runs` times: the wall time is the median of
 * those runs (one run on a shared machine is noise), the peak RSS the highest. `--big-mb 0` skips
 * the second, larger table (peak RSS at 2 GB). `--cli` runs another build of the `lifeboat` command
 * line (a bundle, such as `dist-bundle/cli/index.js` of an earlier commit) instead of these sources.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleHandlers } from "@lifeboat/jobs/bundle";
import { postgresBin, startPostgres, type TestPostgres } from "../../lambda-src/test/support/postgres";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { listKeys } from "../../lambda-src/test/support/vault";
import { DeleteObjectsCommand, HeadObjectCommand } from "@aws-sdk/client-s3";

interface Run {
  readonly label: string;
  readonly seconds: number;
  readonly outputBytes: number;
  /** Sum over the processes of the pipeline of each one's peak RSS. */
  readonly peakRssBytes: number;
  /** Peak RSS of the main process (lifeboat's node, or aws). */
  readonly mainPeakRssBytes: number;
}

const { values } = parseArgs({ options: { mb: { type: "string", default: "220" }, "big-mb": { type: "string", default: "2048" }, runs: { type: "string", default: "3" }, cli: { type: "string" } } });

/** Peak RSS (VmHWM) per process of the tree under `root`, sampled every 50 ms until it exits. */
function watchTree(root: number): { stop: () => Map<number, { name: string; hwm: number }> } {
  const peaks = new Map<number, { name: string; hwm: number }>();
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

/** Runs a command, sampling its process tree; returns wall seconds and peaks. */
async function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peaks: Map<number, { name: string; hwm: number }>; rootPid: number }> {
  // Every run starts with nothing left to write back from the runs before it.
  execFileSync("sync");
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const watcher = watchTree(child.pid!);
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peaks = watcher.stop();
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`);
  return { seconds, peaks, rootPid: child.pid! };
}

const sum = (peaks: Map<number, { hwm: number }>) => [...peaks.values()].reduce((a, p) => a + p.hwm, 0);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs `once` `runs` times: the median wall time, the highest peaks, the output of the last run. */
async function repeat(runs: number, once: () => Promise<Run>): Promise<Run> {
  const all: Run[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  const seconds = all.map((r) => r.seconds).sort((a, b) => a - b);
  const median = seconds.length % 2 ? seconds[(seconds.length - 1) / 2]! : (seconds[seconds.length / 2 - 1]! + seconds[seconds.length / 2]!) / 2;
  return {
    ...all[all.length - 1]!,
    seconds: median,
    peakRssBytes: Math.max(...all.map((r) => r.peakRssBytes)),
    mainPeakRssBytes: Math.max(...all.map((r) => r.mainPeakRssBytes)),
  };
}

async function seed(pg: TestPostgres, database: string, targetMb: number): Promise<number> {
  await pg.sql("postgres", `CREATE DATABASE ${database}`);
  await pg.sql(database, "CREATE TABLE events (id bigint, at timestamptz, account text, kind text, amount numeric(12,2), payload text)");
  // About 130 bytes a row: ids, times, hex digests, a few repeated words, numbers.
  const rows = Math.ceil((targetMb * 1024 * 1024) / 130);
  const batch = 2_000_000;
  for (let from = 1; from <= rows; from += batch) {
    const to = Math.min(rows, from + batch - 1);
    await pg.sql(database, `INSERT INTO events SELECT i, timestamptz '2026-01-01' + i * interval '1 second', md5(i::text), (ARRAY['signup','login','purchase','refund','logout'])[1 + i % 5], (i % 100000) / 100.0, 'user-' || (i % 5000) || ' ' || repeat(chr(97 + i % 26), i % 40) FROM generate_series(${from}, ${to}) i`);
  }
  // Settle what loading leaves behind (hint bits, autovacuum's first pass, dirty pages being
  // written back), or the first runs measure that background I/O instead of the backup.
  await pg.sql(database, "VACUUM (ANALYZE) events");
  await pg.sql(database, "CHECKPOINT");
  execFileSync("sync");
  const [size] = await pg.sql(database, "SELECT pg_total_relation_size('events')");
  return Number(size);
}

async function main(): Promise<void> {
  const targetMb = Number(values.mb);
  const bigMb = Number(values["big-mb"]);
  const runs = Math.max(1, Number(values.runs));
  process.stdout.write(`Starting PostgreSQL 15 and s3rver on 127.0.0.1; seeding a ${targetMb} MB table...\n`);
  const [pg, s3] = await Promise.all([startPostgres(), TestS3.start(["vault"])]);
  const work = mkdtempSync(join(tmpdir(), "lifeboat-bench-"));
  try {
    const tableBytes = await seed(pg, "bench", targetMb);
    const cli = values.cli ?? (await bundleHandlers()).find((b) => b.name === "cli")!.file;
    const configFile = join(work, "config.json");
    const config = (database: string) => ({
      vault: { bucket: "vault", region: "us-east-1", endpoint: s3.directEndpoint, forcePathStyle: true, checksums: "when-required" },
      sources: [{ name: database, kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database, credentials: { env: { username: "BENCH_PGUSER", password: "BENCH_PGPASSWORD" } } }],
      tools: { pgDump: postgresBin("pg_dump"), pgRestore: postgresBin("pg_restore"), psql: postgresBin("psql") },
    });
    const awsConfig = join(work, "aws-config");
    writeFileSync(awsConfig, "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n");
    const env = {
      ...process.env,
      PGPASSWORD: pg.password,
      BENCH_PGUSER: pg.user,
      BENCH_PGPASSWORD: pg.password,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: awsConfig,
      LIFEBOAT_CONFIG_FILE: configFile,
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1",
    };
    const pgArgs = ["-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.user];
    const direct = s3.directClient();
    const sizeOf = async (key: string) => (await direct.send(new HeadObjectCommand({ Bucket: "vault", Key: key }))).ContentLength ?? 0;
    const aws = existsSync("/usr/bin/aws") ? "/usr/bin/aws" : "aws";

    const lifeboat = async (database: string): Promise<Run> => {
      writeFileSync(configFile, JSON.stringify(config(database)));
      const before = new Set(await listKeys(direct, "vault", `${database}/`));
      const m = await measure(process.execPath, [cli, "backup", "--source", database], env);
      const written = (await listKeys(direct, "vault", `${database}/`)).filter((k) => !before.has(k));
      const key = written.find((k) => !k.endsWith(".manifest.json"))!;
      const outputBytes = await sizeOf(key);
      // The S3 server stores each artifact twice on its disk (parts, then the object): the next run
      // must not compete with writing back hundreds of megabytes of this one.
      await direct.send(new DeleteObjectsCommand({ Bucket: "vault", Delete: { Objects: written.map((Key) => ({ Key })) } }));
      return { label: "lifeboat backup", seconds: m.seconds, outputBytes, peakRssBytes: sum(m.peaks), mainPeakRssBytes: m.peaks.get(m.rootPid)?.hwm ?? 0 };
    };

    const limitBytes = Number((await measure("sh", ["-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc -Z0 bench | wc -c > ${work}/z0`], env), readFileSync(`${work}/z0`, "utf8")));
    const limitOnce = async (): Promise<Run> => {
      const limit = await measure("sh", ["-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc -Z0 bench > /dev/null`], env);
      return { label: "pg_dump -Fc -Z0 > /dev/null", seconds: limit.seconds, outputBytes: limitBytes, peakRssBytes: sum(limit.peaks), mainPeakRssBytes: Math.max(...[...limit.peaks.values()].filter((p) => p.name === "pg_dump").map((p) => p.hwm)) };
    };
    const seedsOnce = async (): Promise<Run> => {
      const pipeline = await measure("bash", ["-o", "pipefail", "-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc bench | ${aws} s3 cp - s3://vault/seeds/bench.dump --endpoint-url ${s3.directEndpoint} --only-show-errors`], env);
      return { label: "pg_dump -Fc | aws s3 cp -", seconds: pipeline.seconds, outputBytes: await sizeOf("seeds/bench.dump"), peakRssBytes: sum(pipeline.peaks), mainPeakRssBytes: Math.max(...[...pipeline.peaks.values()].filter((p) => p.name === "aws").map((p) => p.hwm), 0) };
    };
    const results: Run[] = [];
    // Each variant once to warm the caches, then measured.
    for (const once of [limitOnce, seedsOnce, () => lifeboat("bench")]) {
      await once();
      results.push(await repeat(runs, once));
    }

    process.stdout.write(`\nTable: ${mb(tableBytes)} on disk (PostgreSQL 15, one table), S3: s3rver on 127.0.0.1, ${readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)!.length} cores, median of ${runs} run${runs > 1 ? "s" : ""}\n\n`);
    process.stdout.write(`${"".padEnd(30)}${"wall".padStart(10)}${"output".padStart(12)}${"peak RSS (tree)".padStart(18)}${"peak RSS (main)".padStart(18)}\n`);
    for (const r of results) process.stdout.write(`${r.label.padEnd(30)}${`${r.seconds.toFixed(2)} s`.padStart(10)}${mb(r.outputBytes).padStart(12)}${mb(r.peakRssBytes).padStart(18)}${mb(r.mainPeakRssBytes).padStart(18)}\n`);
    const [lim, seeds, ours] = [results[0]!, results[1]!, results[2]!];
    process.stdout.write(`\nlifeboat vs seeds' pipeline: ${(seeds.seconds / ours.seconds).toFixed(2)}x faster (target >= 3x)\n`);
    process.stdout.write(`lifeboat vs the limit: ${(ours.seconds / lim.seconds).toFixed(2)}x the time of pg_dump -Z0 > /dev/null (target <= 1.15x)\n`);
    process.stdout.write(`output: ${(ours.outputBytes / seeds.outputBytes).toFixed(2)}x the size of pg_dump -Fc's (target <= 1x)\n`);

    if (bigMb > 0) {
      process.stdout.write(`\nSeeding a ${bigMb} MB table for peak RSS at size...\n`);
      const bigBytes = await seed(pg, "bigbench", bigMb);
      await lifeboat("bigbench"); // warms the caches, as for the small table
      const big = await repeat(runs, () => lifeboat("bigbench"));
      process.stdout.write(`lifeboat backup, ${mb(tableBytes)} table: ${ours.seconds.toFixed(1)} s, peak RSS of node ${mb(ours.mainPeakRssBytes)} (tree ${mb(ours.peakRssBytes)})\n`);
      process.stdout.write(`lifeboat backup, ${mb(bigBytes)} table: ${big.seconds.toFixed(1)} s, peak RSS of node ${mb(big.mainPeakRssBytes)} (tree ${mb(big.peakRssBytes)}), output ${mb(big.outputBytes)}\n`);
      process.stdout.write(`peak RSS of node at the large table / at the small: ${(big.mainPeakRssBytes / ours.mainPeakRssBytes).toFixed(2)} (target within 0.90-1.10)\n`);
    }
  } finally {
    await Promise.all([pg.stop(), s3.stop()]);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});

