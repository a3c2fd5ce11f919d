import type { JobConfig } from "@lifeboat/constructs/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { startTogether } from "./support/servers";
import { TestS3 } from "./support/s3";

let pg: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  await pg.sql("postgres", "CREATE DATABASE shop");
  // A partitioned table with rows in three partitions, a default partition and a plain table.
  await pg.sql(
    "shop",
    `CREATE TABLE orders (id int NOT NULL, placed date NOT NULL, ref text) PARTITION BY RANGE (placed);
     CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE orders_other PARTITION OF orders DEFAULT;
     INSERT INTO orders SELECT i, date '2024-01-01' + (i % 1000), md5(i::text) FROM generate_series(1, 9000) i;
     CREATE TABLE customers AS SELECT i AS id, 'c' || i AS name FROM generate_series(1, 500) i;`,
  );
  env = { ...process.env, DB_USER: pg.user, DB_PASSWORD: pg.password, PGPASSWORD: pg.password };
  config = testConfig({
    vault: testVault(s3),
    sources: [{ name: "shop", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "shop", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
    verify: { testRestore: true },
  });
  await runBackup(testJob(config, env).job, "shop");
});

afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

describe("verify's test restore", () => {
  it("passes on a partitioned table with rows in several partitions, counting each partition", async () => {
    const { job } = testJob(config, env);

    const report = await verifySources(job);

    const testRestore = report.sources[0]!.checks.find((c) => c.check === "test-restore")!;
    expect(testRestore).toMatchObject({ status: "pass" });
    expect(testRestore.detail).toMatch(/4 tables' row counts match/);
    const counts = await pg.sql("shop", "SELECT count(*) FROM ONLY orders_2024 UNION ALL SELECT count(*) FROM ONLY orders_2025 UNION ALL SELECT count(*) FROM ONLY orders_other");
    expect(counts.map(Number).every((n) => n > 0)).toBe(true);
  });
});

/** One database per case, holding one kind of object and nothing else. */
const NOT_EMPTY: readonly [kind: string, sql: string, found: RegExp][] = [
  ["a view", "CREATE VIEW answer AS SELECT 42 AS n", /view public\.answer/],
  ["a materialized view", "CREATE MATERIALIZED VIEW answer AS SELECT 42 AS n", /materialized view public\.answer/],
  ["a function", "CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'", /function public\.answer\(\)/],
  ["a procedure", "CREATE PROCEDURE tidy() LANGUAGE sql AS 'SELECT 1'", /procedure public\.tidy\(\)/],
  ["an enum type", "CREATE TYPE mood AS ENUM ('ok', 'sad')", /type public\.mood/],
  ["a composite type", "CREATE TYPE pair AS (a int, b int)", /type public\.pair/],
  ["a domain", "CREATE DOMAIN positive AS int CHECK (VALUE > 0)", /type public\.positive/],
  ["a sequence", "CREATE SEQUENCE counter", /sequence public\.counter/],
  ["a large object", "SELECT lo_from_bytea(0, 'hello')", /large object \d+/],
  ["an extension", "CREATE EXTENSION citext", /extension citext/],
  ["a schema", "CREATE SCHEMA billing", /schema billing/],
  ["a publication", "CREATE PUBLICATION everything FOR ALL TABLES", /publication everything/],
  ["an event trigger", "CREATE FUNCTION noop() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'; CREATE EVENT TRIGGER watch ON ddl_command_start EXECUTE FUNCTION noop()", /event trigger watch/],
];

describe("a restore into an existing database", () => {
  it.each(NOT_EMPTY)("refuses a database that holds only %s, names it, and writes nothing", async (_kind, sql, found) => {
    const database = `target_${Math.random().toString(36).slice(2, 8)}`;
    await pg.sql("postgres", `CREATE DATABASE ${database}`);
    await pg.sql(database, sql);
    const before = await pg.sql(database, "SELECT count(*) FROM pg_class");
    const { job } = testJob(config, env);

    const restoring = runRestore(job, { source: "shop", at: "latest", target: pg.url(database) });

    await expect(restoring).rejects.toThrow(/is not empty/);
    await expect(restoring).rejects.toThrow(found);
    expect(await pg.sql(database, "SELECT count(*) FROM pg_class")).toEqual(before);
    expect(await pg.sql(database, "SELECT count(*) FROM pg_class WHERE relname IN ('orders', 'customers')")).toEqual(["0"]);
  });

  it("restores into a database that exists and is empty", async () => {
    await pg.sql("postgres", "CREATE DATABASE empty_target");
    const { job } = testJob(config, env);

    await runRestore(job, { source: "shop", at: "latest", target: pg.url("empty_target") });

    expect(await tableDigests(pg, "empty_target")).toEqual(await tableDigests(pg, "shop"));
  });
});
