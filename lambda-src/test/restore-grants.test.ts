import { createHash } from "node:crypto";
import type { JobConfig } from "@lifeboat/constructs/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, runBackup, runRestore, verifySources, type BackupResult } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { startTogether } from "./support/servers";
import { TestS3 } from "./support/s3";
import { readObject } from "./support/vault";

/** The source server, whose roles exist, and a brand-new server that has none of them. */
let source: TestPostgres;
let fresh: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;
let backup: BackupResult;

beforeAll(async () => {
  useTestAwsEnvironment();
  [source, fresh, s3] = await startTogether([startPostgres(), startPostgres(), TestS3.start(["vault"])]);
  await source.sql(
    "postgres",
    `CREATE ROLE app_owner NOLOGIN; CREATE ROLE "App Reader" NOLOGIN; CREATE ROLE app LOGIN PASSWORD 'app-secret' IN ROLE "App Reader";
     CREATE ROLE unrelated NOLOGIN`,
  );
  await source.sql("postgres", "CREATE DATABASE shop OWNER app_owner");
  await source.sql(
    "shop",
    `SET ROLE app_owner;
     CREATE TABLE orders AS SELECT i AS id, md5(i::text) AS ref FROM generate_series(1, 2000) i;
     GRANT SELECT ON orders TO "App Reader";
     ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO "App Reader";
     ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
     CREATE POLICY readers ON orders FOR SELECT TO app USING (id > 1000);
     RESET ROLE;
     CREATE TABLE audit (at timestamptz);`,
  );
  env = { ...process.env, DB_USER: source.user, DB_PASSWORD: source.password, PGPASSWORD: source.password };
  config = testConfig({
    vault: testVault(s3),
    sources: [{ name: "shop", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: source.port, database: "shop", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
    verify: { testRestore: true },
  });
  backup = await runBackup(testJob(config, env).job, "shop");
});

afterAll(async () => {
  await Promise.all([source?.stop(), fresh?.stop(), s3?.stop()]);
});

/** The password of the fresh server in the environment the restore's tools see. */
const freshEnv = () => ({ ...env, PGPASSWORD: fresh.password });

describe("a PostgreSQL backup's roles", () => {
  it("are captured next to the dump, restricted to the roles the database references, listed in the manifest with size and SHA-256", async () => {
    const direct = s3.directClient();

    const [companion] = backup.manifest.companions ?? [];
    const body = await readObject(direct, "vault", companion!.key);

    expect(companion).toMatchObject({ role: "roles", format: "pg_dumpall-roles", key: backup.artifactKey.replace(/\.dump\.(zst|gz)$/, ".roles.sql"), sizeBytes: body.length });
    expect(companion!.sha256).toBe(createHash("sha256").update(body).digest("hex"));
    expect(backup.manifest.roles).toEqual({ owners: ["app_owner", "lifeboat"], grantees: ["App Reader"], policies: ["app"], captured: ["App Reader", "app", "app_owner"] });
    const script = body.toString("utf8");
    expect(script).toMatch(/^CREATE ROLE app_owner;$/m);
    expect(script).toMatch(/^CREATE ROLE "App Reader";$/m);
    expect(script).toMatch(/^GRANT "App Reader" TO app;$/m);
    expect(script).not.toMatch(/unrelated|CREATE ROLE lifeboat|PASSWORD|SCRAM/);
  });

  it("makes a backup whose roles companion is missing incomplete", async () => {
    const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
    const extra = await runBackup(testJob(config, env).job, "shop");
    await s3.directClient().send(new DeleteObjectCommand({ Bucket: "vault", Key: extra.manifest.companions![0]!.key }));
    const out: string[] = [];

    await main(["list", "--json"], { stdout: (t) => out.push(t), stderr: () => undefined, env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) } });

    const listed = JSON.parse(out.join("")).sources[0];
    expect(listed.complete.map((b: { artifactKey: string }) => b.artifactKey)).toEqual([backup.artifactKey]);
    expect(listed.incomplete).toEqual([{ key: extra.artifactKey, reason: expect.stringMatching(/roles companion .* is not in the vault/) }]);
    const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
    await s3.directClient().send(new DeleteObjectsCommand({ Bucket: "vault", Delete: { Objects: [{ Key: extra.artifactKey }, { Key: extra.manifestKey }] } }));
  });
});

describe("a PostgreSQL restore", () => {
  it("restores owners, privileges and default privileges by default when the roles exist", async () => {
    const { job } = testJob(config, env);

    const result = await runRestore(job, { source: "shop", at: "latest", target: source.url("shop_copy") });

    expect(await source.sql("shop_copy", "SELECT relname || ':' || pg_get_userbyid(relowner) FROM pg_class WHERE relname IN ('orders', 'audit') ORDER BY 1")).toEqual(["audit:lifeboat", "orders:app_owner"]);
    expect(await source.sql("shop_copy", `SELECT has_table_privilege('App Reader', 'orders', 'SELECT')`)).toEqual(["t"]);
    expect(await source.sql("shop_copy", "SELECT count(*) FROM pg_default_acl")).toEqual(["1"]);
    expect(await source.sql("shop_copy", "SET ROLE app; SELECT count(*) FROM orders")).toEqual(["1000"]);
    expect(result.postgres).toMatchObject({ owners: true, privileges: true, rolesCreated: [], notRestored: [] });
  });

  it("test-restores with owners and privileges when the scratch server has the roles", async () => {
    const { job } = testJob(config, env);

    const report = await verifySources(job);

    expect(report.sources[0]!.checks.find((c) => c.check === "test-restore")).toMatchObject({ status: "pass", detail: expect.stringMatching(/with owners and privileges/) });
  });

  it("refuses a brand-new server that lacks the roles, naming each before anything is written", async () => {
    const { job } = testJob(config, freshEnv());

    const restoring = runRestore(job, { source: "shop", at: "latest", target: fresh.url("shop") });

    await expect(restoring).rejects.toThrow(/lacks 3 roles the backup needs: "App Reader" \(holds privileges\); app \(is named by row-level security policies\); app_owner \(owns objects\)\. Nothing was written/);
    await expect(restoring).rejects.toThrow(/--create-roles recreates "App Reader", app, app_owner/);
    expect(await fresh.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop'")).toEqual(["0"]);
  });

  it("recreates the captured roles on a brand-new server with --create-roles, then restores owners and privileges", async () => {
    const out: string[] = [];

    const code = await main(["restore", "--source", "shop", "--at", "latest", "--target", fresh.url("shop"), "--create-roles"], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { ...freshEnv(), LIFEBOAT_CONFIG: JSON.stringify(config) },
    });

    expect(code).toBe(0);
    const result = JSON.parse(out.join(""));
    expect(result.postgres).toMatchObject({ owners: true, privileges: true, rolesCreated: ["App Reader", "app", "app_owner"] });
    expect(await fresh.sql("postgres", "SELECT rolname || ':' || rolcanlogin || ':' || (rolpassword IS NULL) FROM pg_authid WHERE rolname IN ('app', 'app_owner', 'App Reader', 'unrelated') ORDER BY 1")).toEqual(["App Reader:false:true", "app:true:true", "app_owner:false:true"]);
    expect(await fresh.sql("shop", "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'orders'")).toEqual(["app_owner"]);
    expect(await fresh.sql("shop", "SET ROLE app; SELECT count(*) FROM orders")).toEqual(["1000"]);
    expect(await tableDigests(fresh, "shop")).toEqual(await tableDigests(source, "shop"));
  });

  it("leaves owners and privileges out with --no-owner and --no-privileges, and says so", async () => {
    const out: string[] = [];

    const code = await main(["restore", "--source", "shop", "--at", "latest", "--target", fresh.url("shop_plain"), "--no-owner", "--no-privileges"], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { ...freshEnv(), LIFEBOAT_CONFIG: JSON.stringify(config) },
    });

    expect(code).toBe(0);
    const result = JSON.parse(out.join(""));
    expect(result.postgres).toMatchObject({ owners: false, privileges: false, notRestored: [expect.stringMatching(/^owners \(--no-owner\)/), expect.stringMatching(/^privileges \(--no-privileges\)/)] });
    expect(await fresh.sql("shop_plain", "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'orders'")).toEqual(["lifeboat"]);
    expect(await fresh.sql("shop_plain", `SELECT has_table_privilege('App Reader', 'orders', 'SELECT')`)).toEqual(["f"]);
  });
});
