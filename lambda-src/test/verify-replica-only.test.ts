import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { JobConfig } from "@lifeboat/constructs/core";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runBackup, verifySources, type BackupResult } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { listKeys, readObject } from "./support/vault";

let s3: TestS3;
let work: string;
let config: JobConfig;
let backup: BackupResult;

/** The same source verified in full, and in the replica only (as the estate's function does for a source verified on Fargate). */
function configWith(checks: "all" | "replica-only"): JobConfig {
  return testConfig({
    vault: { ...testVault(s3), replica: { bucket: "replica", region: "us-west-2", endpoint: s3.endpoint, forcePathStyle: true } },
    sources: [{ name: "uploads", kind: "files", rpoMinutes: 60, path: join(work, "uploads"), ...(checks === "all" ? {} : { verify: { checks } }) }],
    verify: { replicaLagMinutes: 0 },
  });
}

async function emptyBucket(bucket: string): Promise<void> {
  const direct = s3.directClient();
  const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
  const keys = await listKeys(direct, bucket, "");
  if (keys.length) await direct.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
}

/** Copies the backup into the replica vault, as S3 replication would. */
async function replicate(result: BackupResult): Promise<void> {
  const direct = s3.directClient();
  for (const key of [result.artifactKey, result.manifestKey]) {
    await direct.send(new PutObjectCommand({ Bucket: "replica", Key: key, Body: await readObject(direct, "vault", key) }));
  }
}

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault", "replica"]);
  work = mkdtempSync(join(tmpdir(), "lifeboat-replica-only-"));
  mkdirSync(join(work, "uploads"));
  for (let i = 0; i < 20; i++) writeFileSync(join(work, "uploads", `file-${i}.txt`), `upload ${i}\n`.repeat(200));
  config = configWith("replica-only");
});

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(async () => {
  await emptyBucket("vault");
  await emptyBucket("replica");
  backup = await runBackup(testJob(configWith("all")).job, "uploads");
});

describe("verification of a source in the replica only", () => {
  it("fails when the newest backup is missing from the replica vault, naming the key, and reports VerifyFailed and the backup's age", async () => {
    const { job, output } = testJob(config);

    const report = await verifySources(job);

    const source = report.sources[0]!;
    expect(report.ok).toBe(false);
    expect(source.checked).toBe("replica-only");
    expect(source.checks.map((c) => [c.check, c.status])).toEqual([["replica", "fail"]]);
    expect(source.checks[0]?.detail).toContain(`${backup.artifactKey} is not in s3://replica`);
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "uploads", VerifyFailed: 1, BackupAgeMinutes: expect.any(Number) }));
  });

  it("passes once the backup is in the replica, and runs none of the primary copy's checks", async () => {
    await replicate(backup);
    const { job, output } = testJob(config);

    const report = await verifySources(job);

    expect(report.ok).toBe(true);
    expect(report.sources[0]?.checks.map((c) => [c.check, c.status])).toEqual([["replica", "pass"]]);
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "uploads", VerifyFailed: 0 }));
  });

  it("does not read the primary artifact: a corrupted primary copy fails a full verification but not a replica-only one", async () => {
    await replicate(backup);
    const direct = s3.directClient();
    const bytes = Buffer.from(await readObject(direct, "vault", backup.artifactKey));
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: backup.artifactKey, Body: bytes }));

    const replicaOnly = await verifySources(testJob(config).job);
    const full = await verifySources(testJob(configWith("all")).job);

    expect(replicaOnly.ok).toBe(true);
    expect(full.ok).toBe(false);
    expect(full.sources[0]?.checks.find((c) => c.check === "integrity")?.status).toBe("fail");
  });
});
