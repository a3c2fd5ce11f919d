import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { JobConfig } from "@lifeboat/constructs/core";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, type BackupResult } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { startTogether } from "./support/servers";
import { TestS3 } from "./support/s3";
import { flipByte, readObject } from "./support/vault";

let pg: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;
let scratch: string;
let backup: BackupResult;

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  scratch = mkdtempSync(join(tmpdir(), "lifeboat-scratch-"));
  await pg.sql("postgres", "CREATE DATABASE shop");
  await pg.sql(
    "shop",
    `CREATE TABLE orders AS SELECT i AS id, md5(i::text) AS ref FROM generate_series(1, 40000) i;
     ALTER TABLE orders ADD PRIMARY KEY (id);
     CREATE TABLE lines AS SELECT i AS id, i % 40000 + 1 AS order_id, (i * 3.7)::numeric(10,2) AS amount FROM generate_series(1, 80000) i;
     CREATE INDEX lines_order ON lines (order_id);
     CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 100;
     SELECT lo_from_bytea(0, 'a large object');`,
  );
  env = { ...process.env, DB_USER: pg.user, DB_PASSWORD: pg.password, PGPASSWORD: pg.password };
  config = testConfig({
    vault: testVault(s3),
    sources: [{ name: "shop", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "shop", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
    restore: { scratchDirectory: scratch, parallelJobs: 2 },
  });
  backup = await runBackup(testJob(config, env).job, "shop");
});

afterAll(async () => {
  rmSync(scratch ?? "/nonexistent", { recursive: true, force: true });
  await Promise.all([pg?.stop(), s3?.stop()]);
});

async function withManifest(change: (manifest: Record<string, unknown>) => void, body: () => Promise<void>): Promise<void> {
  const direct = s3.directClient();
  const original = await readObject(direct, "vault", backup.manifestKey);
  const manifest = JSON.parse(original.toString("utf8"));
  change(manifest);
  await direct.send(new PutObjectCommand({ Bucket: "vault", Key: backup.manifestKey, Body: JSON.stringify(manifest) }));
  try {
    await body();
  } finally {
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: backup.manifestKey, Body: original }));
  }
}

describe("a PostgreSQL restore's path", () => {
  it("records the archive's size in the manifest", () => {
    expect(backup.manifest.contentBytes).toBeGreaterThan(backup.manifest.sizeBytes);
  });

  it("restores with pg_restore -j from a scratch file, says so, and removes the file", async () => {
    const { job, output } = testJob(config, env);

    const result = await runRestore(job, { source: "shop", at: "latest", target: pg.url("parallel") });

    expect(result.postgres).toMatchObject({ path: "parallel", jobs: 2, pathReason: expect.stringMatching(/fits in .*pg_restore -j 2/) });
    expect(output.documents.find((d) => d.event === "restore.path")).toMatchObject({ path: "parallel", jobs: 2 });
    expect(await tableDigests(pg, "parallel")).toEqual(await tableDigests(pg, "shop"));
    expect(await pg.sql("parallel", "SELECT count(*) FROM pg_largeobject_metadata")).toEqual(["1"]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("streams in one transaction when parallelJobs is 1, and says why", async () => {
    const { job } = testJob({ ...config, restore: { scratchDirectory: scratch, parallelJobs: 1 } }, env);

    const result = await runRestore(job, { source: "shop", at: "latest", target: pg.url("streamed") });

    expect(result.postgres).toMatchObject({ path: "stream", jobs: 1, pathReason: expect.stringMatching(/parallelJobs is 1/) });
    expect(await tableDigests(pg, "streamed")).toEqual(await tableDigests(pg, "shop"));
  });

  it("falls back to streaming when the manifest does not say how large the archive is", async () => {
    await withManifest(
      (m) => delete m.contentBytes,
      async () => {
        const { job, output } = testJob(config, env);

        const result = await runRestore(job, { source: "shop", at: "latest", target: pg.url("fallback") });

        expect(result.postgres).toMatchObject({ path: "stream", pathReason: expect.stringMatching(/does not record the archive's size/) });
        expect(output.documents.find((d) => d.event === "restore.path")).toMatchObject({ path: "stream" });
        expect(await tableDigests(pg, "fallback")).toEqual(await tableDigests(pg, "shop"));
      },
    );
  });

  it("falls back to streaming when the archive does not fit in the scratch space", async () => {
    await withManifest(
      (m) => (m.contentBytes = 1e15),
      async () => {
        const { job } = testJob(config, env);

        const result = await runRestore(job, { source: "shop", at: "latest", target: pg.url("too_big") });

        expect(result.postgres).toMatchObject({ path: "stream", pathReason: expect.stringMatching(/has [\d.]+ MB free; the archive needs 1000000000.0 MB/) });
        expect(await tableDigests(pg, "too_big")).toEqual(await tableDigests(pg, "shop"));
      },
    );
  });

  it("refuses an artifact whose checksum differs before touching the target, and leaves no scratch file", async () => {
    const direct = s3.directClient();
    const good = await flipByte(direct, "vault", backup.artifactKey, -100);
    const { job } = testJob(config, env);

    try {
      await expect(runRestore(job, { source: "shop", at: "latest", target: pg.url("never_touched") })).rejects.toThrow(/is corrupt: .*The target was not touched/);
    } finally {
      await direct.send(new PutObjectCommand({ Bucket: "vault", Key: backup.artifactKey, Body: good }));
    }

    expect(await pg.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'never_touched'")).toEqual(["0"]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("drops the database it created and removes the scratch file when pg_restore fails in parallel", async () => {
    // A user who may create databases but not give objects to the superuser that owns them in the backup.
    await pg.sql("postgres", "CREATE ROLE restorer LOGIN CREATEDB PASSWORD 'restorer-pw'");
    const { job } = testJob(config, env);

    const restoring = runRestore(job, { source: "shop", at: "latest", target: `postgres://restorer:restorer-pw@127.0.0.1:${pg.port}/failed` });

    await expect(restoring).rejects.toThrow(/pg_restore exited with status 1: .*must be (member|able to SET ROLE).*was dropped again/);
    expect(await pg.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'failed'")).toEqual(["0"]);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
