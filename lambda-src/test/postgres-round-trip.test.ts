import { GetObjectTaggingCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { JobConfig } from "@lifeboat/constructs/core";
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, runBackup, runRestore, verifySources } from "../src";
import { CustomArchiveInspector } from "../src/postgres/custom-format";
import { startTogether } from "./support/servers";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { postgresBin, startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { TestS3 } from "./support/s3";
import { seedDatabase } from "./support/seed";
import { readObject } from "./support/vault";

let pg: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault", "replica"])]);
  await pg.sql("postgres", "CREATE DATABASE app");
  await seedDatabase(pg, "app");
  env = { ...process.env, APP_DB_USER: pg.user, APP_DB_PASSWORD: pg.password, PGPASSWORD: pg.password };
  config = testConfig({
    vault: { ...testVault(s3), replica: { bucket: "replica", region: "us-west-2", endpoint: s3.endpoint, forcePathStyle: true } },
    sources: [{ name: "app-db", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "app", credentials: { env: { username: "APP_DB_USER", password: "APP_DB_PASSWORD" } } }],
    verify: { testRestore: true, replicaLagMinutes: 0 },
  });
});

afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

describe("a PostgreSQL backup", () => {
  it("round-trips: backup, verify, restore into a new database with every table's contents identical", async () => {
    const { job, output } = testJob(config, env);

    const backup = await runBackup(job, "app-db");
    // The replica vault gets its copy the way S3 replication would give it.
    const direct = s3.directClient();
    for (const key of [backup.artifactKey, ...(backup.manifest.companions ?? []).map((c) => c.key), backup.manifestKey]) {
      const body = await readObject(direct, "vault", key);
      await direct.send(new PutObjectCommand({ Bucket: "replica", Key: key, Body: body }));
    }
    const report = await verifySources(job);
    const restored = await runRestore(job, { source: "app-db", at: "latest", target: pg.url("restored"), dryRun: false });

    expect(backup.manifest).toMatchObject({ kind: "postgres", format: "pg_dump-custom", compression: "zstd", tier: "monthly" });
    expect(backup.manifest.tables).toEqual([
      { schema: "billing", name: "invoices", rows: 60000 },
      { schema: "public", name: "blobs", rows: 5000 },
      { schema: "public", name: "customers", rows: 120000 },
      { schema: "public", name: "empty_table", rows: 0 },
      { schema: "public", name: "events", rows: 150000 },
    ]);
    expect(report.ok).toBe(true);
    expect(report.sources[0]!.checks.map((c) => [c.check, c.status])).toEqual([
      ["freshness", "pass"],
      ["completeness", "pass"],
      ["integrity", "pass"],
      ["consistency", "skip"],
      ["restorability", "pass"],
      ["test-restore", "pass"],
      ["replica", "pass"],
    ]);
    expect(restored.durationSeconds).toBeGreaterThan(0);
    expect(restored.postgres).toMatchObject({ path: availableParallelism() > 1 ? "parallel" : "stream", owners: true, privileges: true });
    expect(await tableDigests(pg, "restored")).toEqual(await tableDigests(pg, "app"));
    expect(output.text).not.toContain(pg.password);
  });

  it("tags the artifact and its manifest with the tier and asks for the vault key", async () => {
    const { job } = testJob(config, env);
    s3.requests.length = 0;

    const backup = await runBackup(job, "app-db");

    const direct = s3.directClient();
    for (const key of [backup.artifactKey, backup.manifestKey]) {
      const tags = await direct.send(new GetObjectTaggingCommand({ Bucket: "vault", Key: key }));
      expect(tags.TagSet).toEqual([{ Key: "tier", Value: backup.manifest.tier }]);
    }
    const create = s3.requests.find((r) => r.method === "POST" && r.query.has("uploads") && r.path === `/vault/${backup.artifactKey}`)!;
    expect(create.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
    expect(create.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(config.vault.kmsKeyArn);
    expect(create.headers["x-amz-tagging"]).toBe(`tier=${backup.manifest.tier}`);
    // The manifest is the last object written.
    const puts = s3.requests.filter((r) => r.method === "PUT" && !r.query.has("tagging") && !r.query.has("partNumber"));
    expect(puts[puts.length - 1]!.path).toBe(`/vault/${backup.manifestKey}`);
  });

  it("compares the size with the previous backup once there are two", async () => {
    const { job } = testJob(config, env);

    const report = await verifySources(job);

    const consistency = report.sources[0]!.checks.find((c) => c.check === "consistency")!;
    expect(consistency.status).toBe("pass");
    expect(consistency.detail).toMatch(/allowed ±10%/);
  });

  it("falls back to gzip level 1 without zstd, records it, and restores from it", async () => {
    const gzipConfig = { ...config, tools: { ...config.tools, zstd: "/nonexistent/zstd" } };
    const { job } = testJob(gzipConfig, env);

    const backup = await runBackup(job, "app-db");
    await runRestore(job, { source: "app-db", at: "latest", target: pg.url("restored_gzip") });

    expect(backup.artifactKey).toMatch(/\.dump\.gz$/);
    expect(backup.manifest.compression).toBe("gzip");
    expect(await tableDigests(pg, "restored_gzip")).toEqual(await tableDigests(pg, "app"));
  });

  it("prints the plan on a dry run and touches nothing", async () => {
    const out: string[] = [];
    const before = await pg.sql("postgres", "SELECT count(*) FROM pg_database");

    const code = await main(["restore", "--source", "app-db", "--at", "latest", "--target", pg.url("never_created"), "--dry-run"], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) },
    });

    const result = JSON.parse(out.join(""));
    expect(code).toBe(0);
    expect(result.dryRun).toBe(true);
    expect(result.plan.backup.artifactKey).toMatch(/^app-db\/\d{4}\/\d{2}\/\d{2}\/app-db-\d{8}T\d{6}Z\.dump\.(zst|gz)$/);
    expect(result.plan.dataLossWindowSeconds).toBeGreaterThanOrEqual(0);
    expect(await pg.sql("postgres", "SELECT count(*) FROM pg_database")).toEqual(before);
  });

  it("refuses to restore into a database that already holds objects, naming them", async () => {
    const { job } = testJob(config, env);

    await expect(runRestore(job, { source: "app-db", at: "latest", target: pg.url("app") })).rejects.toThrow(/is not empty: it holds \d+ objects \(.*table public.customers/);
  });

  it("refuses a time before the first backup, naming the oldest", async () => {
    const { job } = testJob(config, env);

    await expect(runRestore(job, { source: "app-db", at: "2020-01-01T00:00:00Z", target: pg.url("x") })).rejects.toThrow(/no complete backup of app-db at or before 2020-01-01T00:00:00.000Z.*oldest complete backup started at/s);
  });

  it("lists backups from the command line", async () => {
    const out: string[] = [];

    const code = await main(["list", "--json"], { stdout: (t) => out.push(t), stderr: () => undefined, env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) } });

    const listed = JSON.parse(out.join(""));
    expect(code).toBe(0);
    expect(listed.sources[0].complete.length).toBe(3);
    expect(listed.sources[0].incomplete).toEqual([]);
    const listing = await s3.directClient().send(new ListObjectsV2Command({ Bucket: "vault", Prefix: "app-db/" }));
    // Each of the three backups: its artifact, its roles companion and its manifest.
    expect(listing.KeyCount).toBe(9);
  });
});

describe("the pg_dump archive reader on a real dump", () => {
  it("counts every table's rows exactly, wherever the stream's chunks happen to break rows and lengths", async () => {
    const { stdout: dump } = await promisify(execFile)(postgresBin("pg_dump"), ["-Fc", "-Z0", "-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.user, "app"], {
      env,
      encoding: "buffer",
      maxBuffer: 512 * 1024 * 1024,
    });
    // Small odd sizes between large ones put chunk boundaries at every offset of rows and of the
    // five-byte lengths before them; a newline ends a chunk, starts one or sits in the middle.
    const sizes = [1, 2, 3, 5, 7, 11, 65536, 13, 4, 6, 100_003];
    const chunks: Buffer[] = [];
    for (let at = 0, i = 0; at < dump.length; i++) {
      chunks.push(dump.subarray(at, at + sizes[i % sizes.length]!));
      at += sizes[i % sizes.length]!;
    }
    const whole = new CustomArchiveInspector();
    const broken = new CustomArchiveInspector();

    await pipeline(Readable.from([dump]), whole, new Writable({ write: (_c, _e, cb) => cb() }));
    await pipeline(Readable.from(chunks), broken, new Writable({ write: (_c, _e, cb) => cb() }));

    const expected = [
      { schema: "billing", name: "invoices", rows: 60000 },
      { schema: "public", name: "blobs", rows: 5000 },
      { schema: "public", name: "customers", rows: 120000 },
      { schema: "public", name: "empty_table", rows: 0 },
      { schema: "public", name: "events", rows: 150000 },
    ];
    expect(whole.summary.tables).toEqual(expected);
    expect(broken.summary.tables).toEqual(expected);
  });
});
