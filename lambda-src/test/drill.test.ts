import { PutObjectCommand } from "@aws-sdk/client-s3";
import { drillRecordProblems, type DrillRecord, type JobConfig, type SourceConfig } from "@lifeboat/constructs/core";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrillFailedError, main, runBackup, runDrill, verifySources } from "../src";
import { BUCKET_SOURCE_KEYS, testConfig, testJob, testVault, uploadsSource, useTestAwsEnvironment } from "./support/jobs";
import { postgresBin, startPostgres, type TestPostgres } from "./support/postgres";
import { startRedis, type TestRedis } from "./support/redis";
import { startTogether } from "./support/servers";
import { TestS3 } from "./support/s3";
import { flipByte, listKeys, readObject } from "./support/vault";

let pg: TestPostgres;
let redis: TestRedis;
let s3: TestS3;
let env: NodeJS.ProcessEnv;
let dir: string;
let config: JobConfig;

const pgSource = (name: string, drill?: SourceConfig["drill"]): SourceConfig => ({
  name,
  kind: "postgres",
  rpoMinutes: 60,
  host: "127.0.0.1",
  port: pg.port,
  database: "shop",
  credentials: { env: { username: "SHOP_USER", password: "SHOP_PASSWORD" } },
  ...(drill ? { drill } : {}),
});

/** Each drill gets its own clock, minutes after the backups, so stamps and scratch names never collide. */
let minutesAfter = 90;
const drillClock = () => {
  const at = new Date(Date.now() + minutesAfter++ * 60_000);
  return () => at;
};

async function record(key: string): Promise<DrillRecord> {
  return JSON.parse((await readObject(s3.directClient(), "vault", key)).toString("utf8")) as DrillRecord;
}

/** A drill that met a corrupt backup: failed at the restore, said so in its record, and cleaned its scratch target up. */
async function expectCorruptBackupRefused(error: unknown, artifact: string): Promise<void> {
  const stored = await record((error as DrillFailedError).result.recordKey);
  expect(stored.outcome).toBe("failed");
  expect(stored.backup?.artifactKey).toBe(artifact);
  expect(stored.checks[0]).toMatchObject({ check: "restore", status: "fail" });
  expect(stored.error).toContain("is corrupt");
  expect(stored.checks.at(-1)).toMatchObject({ check: "cleanup", status: "pass" });
}

async function drillDatabases(): Promise<string[]> {
  return pg.sql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%' ORDER BY 1");
}

beforeAll(async () => {
  useTestAwsEnvironment();
  dir = mkdtempSync(join(tmpdir(), "lifeboat-drill-test-"));
  [pg, redis, s3] = await startTogether([startPostgres(), startRedis(), TestS3.start(["vault", "uploads", "drill-scratch"])]);
  await pg.sql("postgres", "CREATE DATABASE shop");
  await pg.sql("shop", "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL); INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 5000) g");
  await pg.sql("shop", "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id serial PRIMARY KEY, order_id bigint REFERENCES orders(id)); INSERT INTO billing.invoices (order_id) SELECT g FROM generate_series(1, 1200) g");
  for (let i = 0; i < 200; i++) await redis.cli("SET", `session:${i}`, `value-${i}`);
  await redis.cli("-n", "2", "SET", "in-db-two", "yes");
  const direct = s3.directClient();
  for (let i = 0; i < 12; i++) await direct.send(new PutObjectCommand({ Bucket: "uploads", Key: `media/file-${i}.bin`, Body: Buffer.alloc(500 + i, i) }));
  // pg_restore that reads archives (--list, as the checksum pass does) but fails every restore, after
  // the drill has created its scratch database.
  // A bin directory of PostgreSQL 15's tools whose pg_restore fails every restore.
  mkdirSync(join(dir, "bin15"));
  for (const tool of ["pg_dump", "psql", "pg_dumpall"]) symlinkSync(postgresBin(tool), join(dir, "bin15", tool));
  const failing = join(dir, "bin15", "pg_restore");
  writeFileSync(failing, `#!/bin/sh\ncase " $* " in *" --list "*|*" -l "*|*" --version "*|*" -V "*) exec ${postgresBin("pg_restore")} "$@";; esac\necho "$@" >> ${join(dir, "pg_restore_calls")}\ncat > /dev/null\necho "pg_restore: error: injected failure" >&2\nexit 1\n`);
  chmodSync(failing, 0o755);
  env = { ...process.env, SHOP_USER: pg.user, SHOP_PASSWORD: pg.password, REDIS_PASSWORD: redis.password, ...BUCKET_SOURCE_KEYS };
  config = testConfig({
    vault: testVault(s3),
    sources: [
      pgSource("shop-db", { smokeQueries: [{ name: "orders", sql: "SELECT count(*) FROM orders", min: 1000, max: 10000 }, { sql: "SELECT max(total) FROM orders", min: 7000 }] }),
      pgSource("shop-db-strict", { smokeQueries: [{ name: "too many orders", sql: "SELECT count(*) FROM orders", max: 100 }] }),
      pgSource("shop-db-corrupt"),
      { name: "cache", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port: redis.port, credentials: { env: { password: "REDIS_PASSWORD" } }, drill: { scratch: { database: 9 } } },
      uploadsSource(s3, { drill: { scratch: { bucket: "drill-scratch" } } }),
    ],
  });
  const { job } = testJob(config, env);
  for (const source of ["shop-db", "shop-db-strict", "shop-db-corrupt", "cache", "uploads"]) await runBackup(job, source);
}, 120_000);

afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop(), s3?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a PostgreSQL restore drill", () => {
  it("restores the newest backup into a scratch database, checks it, drops it, and records the measured restore time and data loss", async () => {
    const { job, output } = testJob(config, env, drillClock());

    const result = await runDrill(job, "shop-db");

    const stored = await record(result.recordKey);
    expect(result.recordKey).toMatch(/^drills\/shop-db\/\d{8}T\d{6}Z\.json$/);
    expect(stored).toEqual(result.record);
    expect(drillRecordProblems(stored)).toEqual([]);
    expect(stored.outcome).toBe("succeeded");
    expect(stored.scratch).toMatch(/^postgres:\/\/lifeboat@127\.0\.0\.1:\d+\/lifeboat_drill_\d{8}t\d{6}z$/);
    expect(stored.restoreSeconds).toBeGreaterThan(0);
    expect(stored.dataLossMinutes).toBeGreaterThanOrEqual(89);
    expect(stored.dataLossMinutes).toBeLessThan(100);
    expect(stored.checks.map((c) => [c.check, c.name, c.status])).toEqual([
      ["restore", undefined, "pass"],
      ["row-counts", undefined, "pass"],
      ["smoke", "orders", "pass"],
      ["smoke", "SELECT max(total) FROM orders", "pass"],
      ["cleanup", undefined, "pass"],
    ]);
    expect(stored.checks[2]!.detail).toBe("returned 5000 (at least 1000 and at most 10000)");
    expect(await drillDatabases()).toEqual([]);
    const metrics = output.metricDocuments.find((d) => d.Source === "shop-db")!;
    expect(metrics).toMatchObject({ DrillSucceeded: 1, DrillFailed: 0, DrillRestoreSeconds: stored.restoreSeconds, DrillDataLossMinutes: stored.dataLossMinutes });
    expect(output.text).not.toContain(pg.password);
    expect(JSON.stringify(stored)).not.toContain(pg.password);
  });

  it("fails when a smoke query falls outside its bounds, still drops the scratch database, and the command line exits 1", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const { job, output } = testJob(config, env, drillClock());

    const status = await main(["drill", "--source", "shop-db-strict"], { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) }, context: () => job });

    const printed = JSON.parse(stdout.join("")) as DrillRecord;
    expect(status).toBe(1);
    expect(printed.outcome).toBe("failed");
    expect(printed.checks.find((c) => c.check === "smoke")).toEqual({ check: "smoke", name: "too many orders", status: "fail", detail: "returned 5000; expected at most 100" });
    expect(printed.checks.find((c) => c.check === "cleanup")?.status).toBe("pass");
    expect(stderr.join("")).toContain("The restore drill of shop-db-strict failed");
    expect(await drillDatabases()).toEqual([]);
    expect(output.metricDocuments.find((d) => d.Source === "shop-db-strict")).toMatchObject({ DrillSucceeded: 0, DrillFailed: 1 });
    const keys = await listKeys(s3.directClient(), "vault", "drills/shop-db-strict/");
    expect(keys).toHaveLength(1);
    expect((await record(keys[0]!)).outcome).toBe("failed");
  });

  it("drops the scratch database it created when pg_restore fails partway", async () => {
    const failing = testConfig({ ...config, tools: { ...config.tools, postgres: { "15": join(dir, "bin15") } } });
    const { job } = testJob(failing, env, drillClock());

    const error = await runDrill(job, "shop-db").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrillFailedError);
    const stored = (error as DrillFailedError).result.record;
    expect(stored.checks.map((c) => [c.check, c.status])).toEqual([
      ["restore", "fail"],
      ["cleanup", "pass"],
    ]);
    expect(stored.checks[0]!.detail).toContain("injected failure");
    expect(stored.restoreSeconds).toBeUndefined();
    // pg_restore was pointed at the scratch database the drill had created, and that database is gone.
    expect(readFileSync(join(dir, "pg_restore_calls"), "utf8")).toMatch(/--dbname lifeboat_drill_\d{8}t\d{6}z/);
    expect(await drillDatabases()).toEqual([]);
  });

  it("fails on a corrupted backup without restoring it, and records why", async () => {
    const direct = s3.directClient();
    const [artifact] = (await listKeys(direct, "vault", "shop-db-corrupt/")).filter((k) => !k.endsWith(".manifest.json"));
    await flipByte(direct, "vault", artifact!);
    const { job } = testJob(config, env, drillClock());

    const error = await runDrill(job, "shop-db-corrupt").catch((e: unknown) => e);

    await expectCorruptBackupRefused(error, artifact!);
    expect(await drillDatabases()).toEqual([]);
  });

  it("leaves an existing database of the scratch name untouched and fails", async () => {
    const clock = drillClock();
    const name = `lifeboat_drill_${clock().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "").toLowerCase()}`;
    await pg.sql("postgres", `CREATE DATABASE ${name}`);
    await pg.sql(name, "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)");
    const { job } = testJob(config, env, clock);

    const error = await runDrill(job, "shop-db").catch((e: unknown) => e);

    expect((error as DrillFailedError).result.record.error).toContain("already exists; the drill left it untouched");
    expect((error as DrillFailedError).result.record.checks).toEqual([]);
    expect(await pg.sql(name, "SELECT count(*) FROM precious")).toEqual(["1"]);
    await pg.sql("postgres", `DROP DATABASE ${name}`);
  });
});

describe("a Redis restore drill", () => {
  it("refuses a backup with keys in two databases for a one-database scratch target, and leaves the source's keys alone", async () => {
    const { job } = testJob(config, env, drillClock());

    const error = await runDrill(job, "cache").catch((e: unknown) => e);

    expect((error as DrillFailedError).result.record.error).toContain("holds keys in 2 databases (db0, db2)");
    expect((await redis.cli("DBSIZE")).trim()).toBe("200");
    expect((await redis.cli("-n", "9", "DBSIZE")).trim()).toBe("0");
  });

  it("restores into an empty database index of the source's server, counts the keys, and flushes only that database", async () => {
    await redis.cli("-n", "2", "DEL", "in-db-two");
    const { job } = testJob(config, env);
    await runBackup(job, "cache");
    const drill = testJob(config, env, drillClock());

    const result = await runDrill(drill.job, "cache");

    expect(result.record.outcome).toBe("succeeded");
    expect(result.record.scratch).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/9$/);
    expect(result.record.checks.map((c) => [c.check, c.status])).toEqual([
      ["restore", "pass"],
      ["row-counts", "pass"],
      ["cleanup", "pass"],
    ]);
    expect((await redis.cli("-n", "9", "DBSIZE")).trim()).toBe("0");
    expect((await redis.cli("DBSIZE")).trim()).toBe("200");
    expect(drill.output.text).not.toContain(redis.password);
  });

  it("fails on a corrupted backup, leaves the scratch database empty and the source's keys alone, and records why", async () => {
    const direct = s3.directClient();
    const artifact = (await listKeys(direct, "vault", "cache/")).filter((k) => !k.endsWith(".manifest.json")).sort().at(-1)!;
    const original = await flipByte(direct, "vault", artifact);
    const { job } = testJob(config, env, drillClock());

    try {
      const error = await runDrill(job, "cache").catch((e: unknown) => e);

      await expectCorruptBackupRefused(error, artifact);
      expect((await redis.cli("-n", "9", "DBSIZE")).trim()).toBe("0");
      expect((await redis.cli("DBSIZE")).trim()).toBe("200");
    } finally {
      await direct.send(new PutObjectCommand({ Bucket: "vault", Key: artifact, Body: original }));
    }
  });

  it("refuses a scratch database that holds keys and leaves them", async () => {
    await redis.cli("-n", "9", "SET", "someone-else", "x");
    const { job } = testJob(config, env, drillClock());

    const error = await runDrill(job, "cache").catch((e: unknown) => e);

    expect((error as DrillFailedError).result.record.error).toContain("holds 1 keys in database 9; the drill left it untouched");
    expect((await redis.cli("-n", "9", "GET", "someone-else")).trim()).toBe("x");
    await redis.cli("-n", "9", "FLUSHDB");
  });
});

describe("an objects restore drill", () => {
  it("restores every object under a scratch prefix of its own, checks count and bytes, and deletes them", async () => {
    const { job } = testJob(config, env, drillClock());

    const result = await runDrill(job, "uploads");

    expect(result.record.outcome).toBe("succeeded");
    expect(result.record.scratch).toMatch(/^s3:\/\/drill-scratch\/lifeboat-drill\/\d{8}T\d{6}Z\/$/);
    expect(result.record.checks[1]).toEqual({ check: "row-counts", status: "pass", detail: `12 objects, ${12 * 500 + 66} bytes, as the manifest says` });
    expect(await listKeys(s3.directClient(), "drill-scratch", "")).toEqual([]);
  });

  it("fails when a copy in the vault was changed, deletes every object it had restored, and records why", async () => {
    const direct = s3.directClient();
    const copy = (await listKeys(direct, "vault", "uploads/objects/")).sort().at(-1)!;
    const original = await flipByte(direct, "vault", copy, 0);
    const { job } = testJob(config, env, drillClock());

    try {
      const error = await runDrill(job, "uploads").catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DrillFailedError);
      const stored = await record((error as DrillFailedError).result.recordKey);
      expect(stored.outcome).toBe("failed");
      expect(stored.checks[0]).toMatchObject({ check: "restore", status: "fail" });
      expect(stored.error).toContain(copy);
      expect(stored.checks.at(-1)).toMatchObject({ check: "cleanup", status: "pass" });
      expect(await listKeys(direct, "drill-scratch", "")).toEqual([]);
    } finally {
      await direct.send(new PutObjectCommand({ Bucket: "vault", Key: copy, Body: original }));
    }
  });
});

describe("a drill without a scratch target", () => {
  it("fails with the setting to declare, and records the failure", async () => {
    const bare = testConfig({ ...config, sources: config.sources.map((s) => (s.name === "cache" ? { ...s, drill: undefined } : s)) as SourceConfig[] });
    const { job } = testJob(bare, env, drillClock());

    const error = await runDrill(job, "cache").catch((e: unknown) => e);

    expect((error as DrillFailedError).result.record.error).toContain("`sources[3].drill.scratch` is not set for the Redis source cache");
  });
});

describe("verification after drills", () => {
  it("emits minutes since the newest successful drill, and since the first drill of a source that never passed one", async () => {
    const now = new Date(Date.now() + 300 * 60_000);
    const { job, output } = testJob(config, env, () => now);
    const records = async (source: string) => Promise.all((await listKeys(s3.directClient(), "vault", `drills/${source}/`)).map(record));
    const succeeded = (await records("shop-db")).filter((r) => r.outcome === "succeeded").sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0]!;
    const firstStrict = (await records("shop-db-strict")).sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0]!;

    await verifySources(job, ["shop-db", "shop-db-strict"]);

    const age = (source: string) => output.metricDocuments.find((d) => d.Source === source)?.DrillAgeMinutes;
    expect(age("shop-db")).toBe(Math.round((now.getTime() - Date.parse(succeeded.startedAt)) / 60_000));
    expect(age("shop-db-strict")).toBe(Math.round((now.getTime() - Date.parse(firstStrict.startedAt)) / 60_000));
  });
});

describe("the records an estate reads", () => {
  it("prints each source's newest drill record, its newest success when that is older, and its newest backup's manifest", async () => {
    const stored = async (source: string) => (await Promise.all((await listKeys(s3.directClient(), "vault", `drills/${source}/`)).map(record))).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const [db, strict] = [await stored("shop-db"), await stored("shop-db-strict")];
    const stdout: string[] = [];

    const code = await main(["records", "--source", "shop-db", "--source", "shop-db-strict"], { stdout: (t) => stdout.push(t), stderr: () => undefined, env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) } });

    expect(code).toBe(0);
    const printed = JSON.parse(stdout.join("")) as { drills: DrillRecord[]; backups: { source: string; startedAt: string }[] };
    const lastSuccess = db.filter((r) => r.outcome === "succeeded").at(-1)!;
    // shop-db's newest drill failed (its scratch name was taken), so its last success comes too; shop-db-strict never passed.
    expect(db.at(-1)!.outcome).toBe("failed");
    expect(printed.drills).toEqual([db.at(-1), lastSuccess, strict.at(-1)]);
    expect(printed.backups.map((m) => m.source)).toEqual(["shop-db", "shop-db-strict"]);
    expect(printed.drills.flatMap((r) => drillRecordProblems(r))).toEqual([]);
  });
});
