import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { JobConfig } from "@lifeboat/constructs/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, runBackup, runRestore, verifySources } from "../src";
import { BUCKET_SOURCE_KEYS, testConfig, testJob, testVault, uploadsSource, useTestAwsEnvironment } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { listKeys } from "./support/vault";

// A vault laid out for Spaces: the tier is the key's first segment, so prefix-filtered lifecycle rules expire it.
let s3: TestS3;
let config: JobConfig;
const env = () => ({ ...process.env, ...BUCKET_SOURCE_KEYS });

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault", "uploads", "restored"]);
  for (let i = 0; i < 5; i++) await s3.directClient().send(new PutObjectCommand({ Bucket: "uploads", Key: `media/file-${i}.bin`, Body: Buffer.alloc(2000 + i, i) }));
  config = testConfig({
    vault: { ...testVault(s3), tiers: "prefix" },
    // The second index lists objects it skipped, so it is smaller: this test is about where keys go, not sizes.
    verify: { sizeTolerance: 1 },
    sources: [uploadsSource(s3)],
  });
});

afterAll(async () => {
  await s3?.stop();
});

describe("a vault that carries tiers in key prefixes (Spaces)", () => {
  it("writes the month's first backup under monthly/ and a later one under daily/, and verify and restore find both", async () => {
    const first = await runBackup(testJob(config, env(), () => new Date("2026-11-02T01:00:00Z")).job, "uploads");
    const second = await runBackup(testJob(config, env(), () => new Date("2026-11-02T13:00:00Z")).job, "uploads");
    const { job } = testJob(config, env(), () => new Date("2026-11-02T14:00:00Z"));
    const report = await verifySources(job);
    await runRestore(job, { source: "uploads", at: first.manifest.startedAt, target: "s3://restored/copy" });

    expect(first.artifactKey.startsWith("monthly/uploads/2026/11/02/uploads-20261102T010000Z.")).toBe(true);
    expect(first.manifestKey).toBe("monthly/uploads/2026/11/02/uploads-20261102T010000Z.manifest.json");
    expect(second.manifestKey).toBe("daily/uploads/2026/11/02/uploads-20261102T130000Z.manifest.json");
    expect([first.manifest.tier, second.manifest.tier]).toEqual(["monthly", "daily"]);
    expect(report.sources[0]!.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(await listKeys(s3.directClient(), "restored", "copy/")).toHaveLength(5);
  });

  it("counts a backup whose artifact was overwritten as failed verification", async () => {
    const keys = await listKeys(s3.directClient(), "vault", "daily/uploads/");
    const artifact = keys.find((k) => !k.endsWith(".manifest.json"))!;
    await s3.directClient().send(new PutObjectCommand({ Bucket: "vault", Key: artifact, Body: "not the backup" }));
    const { job } = testJob(config, env(), () => new Date("2026-11-02T14:00:00Z"));

    const report = await verifySources(job);

    expect(report.ok).toBe(false);
    expect(JSON.stringify(report.sources[0]!.checks.filter((c) => c.status === "fail"))).toContain(artifact);
  });

  it("writes the verification report to --report-file for the runner's health endpoint, the same as it prints", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lifeboat-report-")), "verify.json");
    const stdout: string[] = [];

    const code = await main(["verify", "--report-file", file], { stdout: (t) => stdout.push(t), stderr: () => undefined, env: { ...env(), LIFEBOAT_CONFIG: JSON.stringify(config) } });

    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(code).toBe(1);
    expect(written.ok).toBe(false);
    expect({ ...written, writtenAt: undefined }).toEqual({ ...JSON.parse(stdout.join("")), writtenAt: undefined });
  });
});
