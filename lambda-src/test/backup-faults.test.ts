import type { JobConfig } from "@lifeboat/constructs/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main, runBackup, runRestore } from "../src";
import { startTogether } from "./support/servers";
import { testConfig, testJob, testVault, useTestAwsEnvironment, type CapturedOutput } from "./support/jobs";
import { freePort } from "./support/ports";
import { startPostgres, type TestPostgres } from "./support/postgres";
import { isUploadPart, TestS3 } from "./support/s3";
import { listKeys } from "./support/vault";

let pg: TestPostgres;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, s3] = await startTogether([startPostgres(), TestS3.start(["vault"])]);
  await pg.sql("postgres", "CREATE DATABASE big");
  // About 70 MB of barely compressible text: pg_dump runs for a while and the upload takes many parts.
  await pg.sql("big", "CREATE TABLE t AS SELECT i, md5(random()::text) || md5(random()::text) AS a, md5(random()::text) AS b FROM generate_series(1, 800000) i");
  env = { ...process.env, DB_USER: pg.user, DB_PASSWORD: pg.password };
  config = testConfig({
    vault: testVault(s3),
    sources: [{ name: "big", kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "big", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
  });
});

afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

afterEach(async () => {
  s3.clearFaults();
  await s3.restartProxy();
});

/** Nothing that looks like a backup: no object under the source, no unfinished upload left. */
async function expectNothingStored(): Promise<void> {
  expect(await listKeys(s3.directClient(), "vault", "big/")).toEqual([]);
  expect(s3.unfinishedUploads("vault")).toEqual([]);
}

function failureMetric(output: CapturedOutput) {
  return output.metricDocuments.find((d) => d.Source === "big" && "BackupFailed" in d);
}

describe("a backup that fails", () => {
  it("when pg_dump is killed mid-dump, aborts the multipart upload and writes no manifest", async () => {
    const { job, output } = testJob(config, env);
    let pid: number | undefined;
    let killed = false;

    const backup = runBackup(job, "big", {
      onTool: (label, p) => label === "pg_dump" && (pid = p),
      onProgress: () => {
        if (!killed && pid) {
          killed = true;
          process.kill(pid, "SIGKILL");
        }
      },
    });

    await expect(backup).rejects.toThrow(/Backup of big failed: .*pg_dump .*was killed by SIGKILL/);
    expect(killed).toBe(true);
    expect(s3.requests.some((r) => r.method === "DELETE" && r.query.has("uploadId") && r.status === 204)).toBe(true);
    expect(failureMetric(output)).toMatchObject({ BackupFailed: 1, BackupSucceeded: 0 });
    await expectNothingStored();
  });

  it("with bad credentials, exits non-zero naming the cause, never the password, and stores nothing", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];

    const code = await main(["backup", "--source", "big"], {
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
      env: { ...env, DB_PASSWORD: "wrong-password-4711", LIFEBOAT_CONFIG: JSON.stringify(config) },
    });

    const err = stderr.join("");
    expect(code).toBe(1);
    expect(stdout.join("")).toBe("");
    expect(err).toMatch(/password authentication failed for user "lifeboat"/);
    expect(err).not.toContain("wrong-password-4711");
    expect(err).toMatch(/"BackupFailed":1/);
    await expectNothingStored();
  });

  it("retries transient 5xx answers with backoff and completes", async () => {
    const { job } = testJob(config, env);
    s3.requests.length = 0;
    s3.failNext(isUploadPart, 2, 503);

    const result = await runBackup(job, "big");

    expect(s3.requests.filter((r) => isUploadPart(r) && r.status === 503)).toHaveLength(2);
    const stored = [result.artifactKey, ...result.manifest.companions!.map((c) => c.key), result.manifestKey];
    expect(await listKeys(s3.directClient(), "vault", "big/")).toEqual(stored.sort());
    // Leave the vault empty for the other tests.
    const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
    await s3.directClient().send(new DeleteObjectsCommand({ Bucket: "vault", Delete: { Objects: stored.map((Key) => ({ Key })) } }));
  });

  it("when 5xx answers persist, gives up after the retries and aborts cleanly with a clear error", async () => {
    const { job, output } = testJob(config, env);
    s3.failNext(isUploadPart, 10_000, 500);

    const backup = runBackup(job, "big");

    await expect(backup).rejects.toThrow(/Uploading s3:\/\/vault\/big\/.*\.dump\.zst failed: .*HTTP 500.*after 3 attempts.*The multipart upload was aborted; nothing was stored\./);
    expect(failureMetric(output)).toMatchObject({ BackupFailed: 1 });
    await expectNothingStored();
  });

  it("when the S3 server stops mid-upload, fails with a clear error and leaves no artifact or manifest", async () => {
    const { job, output } = testJob(config, env);
    let stopped = false;

    const backup = runBackup(job, "big", {
      onProgress: () => {
        if (!stopped) {
          stopped = true;
          void s3.stopProxy();
        }
      },
    });

    await expect(backup).rejects.toThrow(/Uploading s3:\/\/vault\/big\/.*failed: .*(ECONNREFUSED|ECONNRESET|socket hang up).*Aborting multipart upload .* failed too .*no object was stored/s);
    expect(failureMetric(output)).toMatchObject({ BackupFailed: 1 });
    expect(await listKeys(s3.directClient(), "vault", "big/")).toEqual([]);
  });
});

describe("a restore that cannot reach its target", () => {
  it("fails naming the target before reading the backup", async () => {
    const { job } = testJob(config, env);
    await runBackup(job, "big");
    const closedPort = await freePort();
    s3.requests.length = 0;

    const restore = runRestore(job, { source: "big", at: "latest", target: `postgres://lifeboat@127.0.0.1:${closedPort}/copy` });

    await expect(restore).rejects.toThrow(new RegExp(`The target server postgres://lifeboat@127\\.0\\.0\\.1:${closedPort}/postgres cannot be reached`));
    expect(s3.requests.filter((r) => r.method === "GET" && r.path.endsWith(".dump.zst"))).toEqual([]);
  });
});
