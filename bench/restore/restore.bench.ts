/**
 * Restore speed (the RTO): `lifeboat restore` of a PostgreSQL backup from the vault against two
 * baselines run in the same script, on PostgreSQL 15 and s3rver on 127.0.0.1:
 *
 * - `pg_restore -j <cores>` of an uncompressed custom-format archive already on the local disk
 *   (`pg_dump -Fc -Z0 -f`): the limit, with no download, no decompression and no checksum;
 * - the usual script, `aws s3 cp s3://.../db.sql.gz - | gunzip | psql`: a gzip'd plain dump
 *   streamed from the same S3 server by the AWS SDK (what `aws s3 cp -` does), through gunzip, into psql.
 *
 * Each variant creates its target database (createdb, or lifeboat itself) inside the timed run.
 * Prints wall time of each (median of `--runs`, after one warm-up) and the ratios the restore job
 * is held to. Not a test: nothing is asserted.
 *
 *   npm run bench:restore -- [--mb 300] [--tables 4] [--runs 3] [--jobs <n>]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { postgresBin, startPostgres } from "../../lambda-src/test/support/postgres";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { startTogether } from "../../lambda-src/test/support/servers";
import { benchCommand, measure, median, runBenchmark, seed } from "../support";

const { values } = parseArgs({ options: { mb: { type: "string", default: "300" }, tables: { type: "string", default: "4" }, runs: { type: "string", default: "3" }, jobs: { type: "string" } } });



async function main(): Promise<void> {
  const targetMb = Number(values.mb);
  const tables = Math.max(1, Number(values.tables));
  const runs = Math.max(1, Number(values.runs));
  const cores = availableParallelism();
  const jobs = values.jobs ? Number(values.jobs) : cores;
  process.stdout.write(`Starting PostgreSQL 15 and s3rver on 127.0.0.1; seeding ${tables} tables, about ${targetMb} MB...\n`);
  const [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  const work = mkdtempSync(join(tmpdir(), "lifeboat-restore-bench-"));
  try {
    const { databaseBytes } = await seed(pg, "bench", targetMb, tables, { indexes: true });
    const { cli, env, pgArgs } = await benchCommand(pg, s3, work, jobs);

    process.stdout.write("Preparing: lifeboat backup, a local pg_dump -Fc -Z0 file, a gzip'd plain dump in the S3 server...\n");
    await measure(process.execPath, [cli, "backup", "--source", "bench"], env);
    const localFile = join(work, "bench.dump");
    await measure(postgresBin("pg_dump"), [...pgArgs, "-Fc", "-Z0", "-f", localFile, "bench"], env);
    // The script's upload: pg_dump | gzip | aws s3 cp - (here the SDK's PutObject of the file).
    const sqlGz = join(work, "bench.sql.gz");
    await measure("bash", ["-o", "pipefail", "-c", `${postgresBin("pg_dump")} ${pgArgs.join(" ")} bench | gzip > ${sqlGz}`], env);
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    await s3.directClient().send(new PutObjectCommand({ Bucket: "vault", Key: "scripts/bench.sql.gz", Body: readFileSync(sqlGz) }));
    rmSync(sqlGz);
    // `aws s3 cp s3://vault/scripts/bench.sql.gz -`, with the SDK the CLI uses: the object to stdout.
    const s3Cat = join(work, "s3-cat.mjs");
    writeFileSync(
      s3Cat,
      `import { S3Client, GetObjectCommand } from ${JSON.stringify(require.resolve("@aws-sdk/client-s3"))};
import { pipeline } from "node:stream/promises";
const client = new S3Client({ endpoint: ${JSON.stringify(s3.directEndpoint)}, forcePathStyle: true, region: "us-east-1", requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
const got = await client.send(new GetObjectCommand({ Bucket: "vault", Key: "scripts/bench.sql.gz" }));
await pipeline(got.Body, process.stdout);
`,
    );

    let n = 0;
    const fresh = async () => {
      const name = `r${++n}`;
      return name;
    };
    const drop = async (name: string) => {
      await pg.sql("postgres", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await pg.sql("postgres", "CHECKPOINT");
    };
    let path = "";
    const variants: [label: string, once: () => Promise<number>][] = [
      [
        `pg_restore -j ${jobs} of a local file`,
        async () => {
          const db = await fresh();
          const m = await measure("bash", ["-o", "pipefail", "-c", `${postgresBin("createdb")} ${pgArgs.join(" ")} ${db} && ${postgresBin("pg_restore")} ${pgArgs.join(" ")} --no-password -j ${jobs} --exit-on-error -d ${db} ${localFile}`], env);
          await drop(db);
          return m.seconds;
        },
      ],
      [
        "aws s3 cp - | gunzip | psql",
        async () => {
          const db = await fresh();
          const m = await measure("bash", ["-o", "pipefail", "-c", `${postgresBin("createdb")} ${pgArgs.join(" ")} ${db} && ${process.execPath} ${s3Cat} | gunzip | ${postgresBin("psql")} ${pgArgs.join(" ")} -X -q -v ON_ERROR_STOP=1 -d ${db} > /dev/null`], env);
          await drop(db);
          return m.seconds;
        },
      ],
      [
        "lifeboat restore",
        async () => {
          const db = await fresh();
          const m = await measure(process.execPath, [cli, "restore", "--source", "bench", "--at", "latest", "--target", `postgres://${pg.user}@127.0.0.1:${pg.port}/${db}`], env);
          const result = JSON.parse(m.stdout);
          const t = result.postgres.seconds;
          const parts = t.download !== undefined ? `: ${t.download.toFixed(2)} s downloading, hashing and decompressing into scratch, ${t.readBack.toFixed(2)} s reading it back (checks, data offsets)` : "";
          path = `${result.postgres.path} (${t.checks.toFixed(2)} s of checks and download before writing${parts}; ${t.restore.toFixed(2)} s writing; ${(m.seconds - t.checks - t.restore).toFixed(2)} s starting the command and finding the backup): ${result.postgres.pathReason}`;
          await drop(db);
          return m.seconds;
        },
      ],
    ];
    const seconds: number[] = [];
    for (const [label, once] of variants) {
      process.stdout.write(`Measuring ${label}...\n`);
      await once();
      const all: number[] = [];
      for (let i = 0; i < runs; i++) all.push(await once());
      seconds.push(median(all));
      process.stdout.write(`  ${all.map((s) => s.toFixed(2)).join(" s, ")} s\n`);
    }
    const [local, script, ours] = seconds as [number, number, number];
    process.stdout.write(`\nDatabase: ${(databaseBytes / 1024 / 1024).toFixed(1)} MB on disk, ${tables} tables with 2 indexes each (PostgreSQL 15), S3: s3rver on 127.0.0.1, ${cores} cores, -j ${jobs}, median of ${runs} run${runs > 1 ? "s" : ""}\n\n`);
    for (const [i, [label]] of variants.entries()) process.stdout.write(`${label.padEnd(36)}${`${seconds[i]!.toFixed(2)} s`.padStart(10)}\n`);
    process.stdout.write(`\nlifeboat restore took ${path}\n`);
    process.stdout.write(`lifeboat restore vs pg_restore -j ${jobs} of a local file: ${(ours / local).toFixed(2)}x the time (target <= 1.1x)\n`);
    process.stdout.write(`lifeboat restore vs aws s3 cp - | gunzip | psql: ${(ours / script).toFixed(2)}x the time (target <= 0.9x)\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await Promise.all([pg.stop(), s3.stop()]);
  }
}

runBenchmark(main);
