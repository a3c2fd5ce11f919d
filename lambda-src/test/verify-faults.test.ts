import { PutObjectCommand } from "@aws-sdk/client-s3";
import { artifactKey, type JobConfig } from "@lifeboat/constructs/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main, runBackup, runRestore, verifySources, type BackupResult } from "../src";
import { startTogether } from "./support/servers";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startPostgres, type TestPostgres } from "./support/postgres";
import { TestS3 } from "./support/s3";
import { listKeys, readObject } from "./support/vault";

let pg: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;
let newest: BackupResult;

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  await pg.sql("postgres", "CREATE DATABASE shop");
  await pg.sql("shop", "CREATE TABLE orders AS SELECT i AS id, md5(i::text) AS ref FROM generate_series(1, 20000) i");
  env = { ...process.env, DB_USER: pg.user, DB_PASSWORD: pg.password, PGPASSWORD: pg.password };
  config = testConfig({
    vault: testVault(s3),
    sources: [{ name: "shop", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "shop", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
  });
});

afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

beforeEach(async () => {
  // Each test starts from an empty vault holding one good backup.
  const direct = s3.directClient();
  const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
  const keys = await listKeys(direct, "vault", "shop/");
  if (keys.length) await direct.send(new DeleteObjectsCommand({ Bucket: "vault", Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  newest = await runBackup(testJob(config, env).job, "shop");
});

async function replaceArtifact(transform: (bytes: Buffer) => Buffer): Promise<void> {
  const direct = s3.directClient();
  const bytes = await readObject(direct, "vault", newest.artifactKey);
  await direct.send(new PutObjectCommand({ Bucket: "vault", Key: newest.artifactKey, Body: transform(bytes) }));
}

function check(report: Awaited<ReturnType<typeof verifySources>>, name: string) {
  return report.sources[0]!.checks.find((c) => c.check === name)!;
}

describe("verification", () => {
  it("fails integrity and names the artifact when a byte of it changed", async () => {
    await replaceArtifact((b) => {
      const copy = Buffer.from(b);
      copy[Math.floor(copy.length / 2)]! ^= 0xff;
      return copy;
    });
    const { job, output } = testJob(config, env);

    const report = await verifySources(job);

    expect(report.ok).toBe(false);
    expect(check(report, "integrity")).toMatchObject({ status: "fail", keys: [newest.artifactKey] });
    expect(check(report, "integrity").detail).toContain(`SHA-256 is`);
    expect(check(report, "restorability").status).toBe("fail");
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "shop", VerifyFailed: 1 }));
  });

  it("fails integrity naming the artifact when it is truncated", async () => {
    await replaceArtifact((b) => b.subarray(0, b.length - 1000));
    const { job } = testJob(config, env);

    const report = await verifySources(job);

    expect(check(report, "integrity")).toMatchObject({ status: "fail", keys: [newest.artifactKey] });
    expect(check(report, "integrity").detail).toMatch(/stored size is \d+ bytes, the manifest says \d+/);
  });

  it("reports an artifact without a manifest as incomplete, never as a backup", async () => {
    const orphan = artifactKey("shop", new Date(Date.now() + 1000), "dump.zst");
    await s3.directClient().send(new PutObjectCommand({ Bucket: "vault", Key: orphan, Body: await readObject(s3.directClient(), "vault", newest.artifactKey) }));
    const stdout: string[] = [];

    const code = await main(["verify"], { stdout: (t) => stdout.push(t), stderr: () => undefined, env: { ...env, LIFEBOAT_CONFIG: JSON.stringify(config) } });

    const report = JSON.parse(stdout.join(""));
    expect(code).toBe(1);
    expect(report.sources[0].completeBackups).toBe(1);
    expect(report.sources[0].incompleteBackups).toBe(1);
    expect(report.sources[0].newest.artifactKey).toBe(newest.artifactKey);
    expect(report.sources[0].checks.find((c: { check: string }) => c.check === "completeness")).toMatchObject({ status: "fail", keys: [orphan] });
  });

  it("fails freshness past the RPO and counts the missed runs", async () => {
    const later = new Date(Date.parse(newest.manifest.startedAt) + 200 * 60_000);
    const { job, output } = testJob(config, env, () => later);

    const report = await verifySources(job);

    expect(check(report, "freshness").status).toBe("fail");
    expect(report.sources[0]!.missedRuns).toBe(3);
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "shop", BackupAgeMinutes: 200, MissedRuns: 3, IncompleteBackups: 0, VerifyFailed: 1 }));
  });

  it("flags a backup much smaller than the previous one", async () => {
    await pg.sql("shop", "DELETE FROM orders WHERE id > 5000");
    try {
      const { job } = testJob(config, env);
      await runBackup(job, "shop");

      const report = await verifySources(job);

      expect(check(report, "consistency").status).toBe("fail");
      expect(check(report, "consistency").detail).toMatch(/-\d+\.\d% against the previous/);
    } finally {
      await pg.sql("shop", "INSERT INTO orders SELECT i, md5(i::text) FROM generate_series(5001, 20000) i");
    }
  });

  it("passes every check on a good backup and emits the age", async () => {
    const { job, output } = testJob(config, env);

    const report = await verifySources(job);

    expect(report.ok).toBe(true);
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "shop", VerifyFailed: 0, MissedRuns: 0, IncompleteBackups: 0, BackupAgeMinutes: expect.any(Number) }));
  });
});

describe("a restore from a corrupt backup", () => {
  it("is refused before the target is touched", async () => {
    await replaceArtifact((b) => {
      const copy = Buffer.from(b);
      copy[100]! ^= 0x01;
      return copy;
    });
    const { job } = testJob(config, env);

    await expect(runRestore(job, { source: "shop", at: "latest", target: pg.url("from_corrupt") })).rejects.toThrow(/is corrupt: .*The target was not touched/);
    expect(await pg.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'from_corrupt'")).toEqual(["0"]);
  });
});
