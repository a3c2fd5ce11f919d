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
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { postgresBin, startPostgres, type TestPostgres } from "../../lambda-src/test/support/postgres";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { startTogether } from "../../lambda-src/test/support/servers";
import { listKeys } from "../../lambda-src/test/support/vault";
import { DeleteObjectsCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { benchConfig, benchEnvironment, lifeboatCli, mb, measure, median, runBenchmark, seed, treePeak } from "../support";

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

/** Runs `once` `runs` times: the median wall time, the highest peaks, the output of the last run. */
async function repeat(runs: number, once: () => Promise<Run>): Promise<Run> {
  const all: Run[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  return {
    ...all[all.length - 1]!,
    seconds: median(all.map((r) => r.seconds)),
    peakRssBytes: Math.max(...all.map((r) => r.peakRssBytes)),
    mainPeakRssBytes: Math.max(...all.map((r) => r.mainPeakRssBytes)),
  };
}

/** One table of about `targetMb`, no indexes: the size of the table is what a backup reads. */
const seedTable = async (pg: TestPostgres, database: string, targetMb: number) => (await seed(pg, database, targetMb)).tableBytes;

async function main(): Promise<void> {
  const targetMb = Number(values.mb);
  const bigMb = Number(values["big-mb"]);
  const runs = Math.max(1, Number(values.runs));
  process.stdout.write(`Starting PostgreSQL 15 and s3rver on 127.0.0.1; seeding a ${targetMb} MB table...\n`);
  const [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  const work = mkdtempSync(join(tmpdir(), "lifeboat-bench-"));
  try {
    const tableBytes = await seedTable(pg, "bench", targetMb);
    const cli = await lifeboatCli(values.cli);
    const configFile = join(work, "config.json");
    const awsConfig = join(work, "aws-config");
    writeFileSync(awsConfig, "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n");
    const { env, pgArgs } = benchEnvironment(pg, configFile, { AWS_CONFIG_FILE: awsConfig });
    const direct = s3.directClient();
    const sizeOf = async (key: string) => (await direct.send(new HeadObjectCommand({ Bucket: "vault", Key: key }))).ContentLength ?? 0;
    const aws = existsSync("/usr/bin/aws") ? "/usr/bin/aws" : "aws";

    const lifeboat = async (database: string): Promise<Run> => {
      writeFileSync(configFile, JSON.stringify(benchConfig(pg, s3, database)));
      const before = new Set(await listKeys(direct, "vault", `${database}/`));
      const m = await measure(process.execPath, [cli, "backup", "--source", database], env, { peaks: true });
      const written = (await listKeys(direct, "vault", `${database}/`)).filter((k) => !before.has(k));
      const key = written.find((k) => !k.endsWith(".manifest.json"))!;
      const outputBytes = await sizeOf(key);
      // The S3 server stores each artifact twice on its disk (parts, then the object): the next run
      // must not compete with writing back hundreds of megabytes of this one.
      await direct.send(new DeleteObjectsCommand({ Bucket: "vault", Delete: { Objects: written.map((Key) => ({ Key })) } }));
      return { label: "lifeboat backup", seconds: m.seconds, outputBytes, peakRssBytes: treePeak(m.peaks), mainPeakRssBytes: m.peaks.get(m.rootPid)?.hwm ?? 0 };
    };

    const limitBytes = Number((await measure("sh", ["-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc -Z0 bench | wc -c > ${work}/z0`], env, { peaks: true }), readFileSync(`${work}/z0`, "utf8")));
    const limitOnce = async (): Promise<Run> => {
      const limit = await measure("sh", ["-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc -Z0 bench > /dev/null`], env, { peaks: true });
      return { label: "pg_dump -Fc -Z0 > /dev/null", seconds: limit.seconds, outputBytes: limitBytes, peakRssBytes: treePeak(limit.peaks), mainPeakRssBytes: Math.max(...[...limit.peaks.values()].filter((p) => p.name === "pg_dump").map((p) => p.hwm)) };
    };
    const seedsOnce = async (): Promise<Run> => {
      const pipeline = await measure("bash", ["-o", "pipefail", "-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} -Fc bench | ${aws} s3 cp - s3://vault/seeds/bench.dump --endpoint-url ${s3.directEndpoint} --only-show-errors`], env, { peaks: true });
      return { label: "pg_dump -Fc | aws s3 cp -", seconds: pipeline.seconds, outputBytes: await sizeOf("seeds/bench.dump"), peakRssBytes: treePeak(pipeline.peaks), mainPeakRssBytes: Math.max(...[...pipeline.peaks.values()].filter((p) => p.name === "aws").map((p) => p.hwm), 0) };
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
      const bigBytes = await seedTable(pg, "bigbench", bigMb);
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

runBenchmark(main);

