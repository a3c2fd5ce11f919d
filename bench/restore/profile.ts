/**
 * Where `lifeboat restore`'s time goes, against the same steps done by hand: seeds a database as the
 * restore benchmark does, backs it up with the CLI, then times each step of a parallel restore on its
 * own (download and decompression into a scratch file, pg_restore --list, pg_restore -j from that
 * file) beside pg_restore -j of a local `pg_dump -Fc -Z0 -f` file, and the whole CLI restore with its
 * own breakdown. Not a test: nothing is asserted.
 *
 *   node --conditions=lifeboat-source --import tsx bench/restore/profile.ts -- [--mb 300] [--tables 4] [--jobs <n>]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { postgresBin, startPostgres } from "../../lambda-src/test/support/postgres";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { startTogether } from "../../lambda-src/test/support/servers";
import { benchCommand, measure, runBenchmark, seed } from "../support";

const { values } = parseArgs({ options: { mb: { type: "string", default: "300" }, tables: { type: "string", default: "4" }, jobs: { type: "string" } }, allowPositionals: true });


async function main(): Promise<void> {
  const jobs = values.jobs ? Number(values.jobs) : availableParallelism();
  const [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  const work = mkdtempSync(join(tmpdir(), "lifeboat-restore-profile-"));
  try {
    await seed(pg, "bench", Number(values.mb), Number(values.tables), { indexes: true });
    const { cli, env, pgArgs } = await benchCommand(pg, s3, work, jobs);
    await measure(process.execPath, [cli, "backup", "--source", "bench"], env);
    const { GetObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const listed = await s3.directClient().send(new ListObjectsV2Command({ Bucket: "vault", Prefix: "bench/" }));
    const key = listed.Contents!.map((o) => o.Key!).find((k) => !k.endsWith(".json") && !k.includes("roles"))!;
    const localFile = join(work, "local.dump");
    await measure(postgresBin("pg_dump"), [...pgArgs, "-Fc", "-Z0", "-f", localFile, "bench"], env);
    const stored = join(work, "stored");
    const scratchFile = join(work, "scratch.dump");
    const { pipeline } = await import("node:stream/promises");
    const { createWriteStream } = await import("node:fs");
    const rows: [string, number][] = [];
    const time = async (label: string, fn: () => Promise<unknown>) => {
      execFileSync("sync");
      const t = process.hrtime.bigint();
      await fn();
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      rows.push([label, s]);
      process.stdout.write(`${label.padEnd(60)}${s.toFixed(2).padStart(8)} s\n`);
    };
    await time(`GET ${key} to a file (${key.endsWith(".zst") ? "zstd" : "?"})`, async () => {
      const got = await s3.directClient().send(new GetObjectCommand({ Bucket: "vault", Key: key }));
      await pipeline(got.Body as NodeJS.ReadableStream, createWriteStream(stored));
    });
    await time("zstd -d of the stored file", () => measure("zstd", ["-d", "-q", "-f", "-o", scratchFile, stored], env));
    await time("sha256sum of the stored file", () => measure("sha256sum", [stored], env));
    process.stdout.write(`stored ${(statSync(stored).size / 1e6).toFixed(1)} MB, archive ${(statSync(scratchFile).size / 1e6).toFixed(1)} MB, local file ${(statSync(localFile).size / 1e6).toFixed(1)} MB\n`);
    await time("pg_restore --list of the scratch file", () => measure(postgresBin("pg_restore"), ["--list", scratchFile], env));
    let n = 0;
    const restore = async (label: string, file: string) => {
      const db = `p${++n}`;
      await time(label, () => measure("bash", ["-o", "pipefail", "-c", `${postgresBin("createdb")} ${pgArgs.join(" ")} ${db} && ${postgresBin("pg_restore")} ${pgArgs.join(" ")} --no-password -j ${jobs} --exit-on-error -d ${db} ${file}`], env));
      await pg.sql("postgres", `DROP DATABASE ${db} WITH (FORCE)`);
    };
    for (let i = 0; i < 2; i++) {
      await restore(`pg_restore -j ${jobs} of the local file (offsets in its TOC)`, localFile);
      await restore(`pg_restore -j ${jobs} of the scratch file (from a pipe: no offsets)`, scratchFile);
      const db = `p${++n}`;
      let breakdown = "";
      await time("lifeboat restore", async () => {
        const m = await measure(process.execPath, [cli, "restore", "--source", "bench", "--at", "latest", "--target", `postgres://${pg.user}@127.0.0.1:${pg.port}/${db}`], env);
        const r = JSON.parse(m.stdout).postgres;
        breakdown = `  ${r.path}: ${r.seconds.checks.toFixed(2)} s before writing (${r.seconds.download?.toFixed(2)} s downloading into scratch, ${r.seconds.readBack?.toFixed(2)} s reading it back), ${r.seconds.restore.toFixed(2)} s writing`;
      });
      process.stdout.write(`${breakdown}\n`);
      await pg.sql("postgres", `DROP DATABASE ${db} WITH (FORCE)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await Promise.all([pg.stop(), s3.stop()]);
  }
}

runBenchmark(main);
