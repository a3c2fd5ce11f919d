import { drillRecordProblems, type DrillRecord, type JobConfig } from "@lifeboat/constructs/core";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrillFailedError, main, runBackup, runDrill } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { flipByte, listKeys, readObject } from "./support/vault";

let s3: TestS3;
let work: string;
let scratch: string;
let config: JobConfig;
let configFile: string;
const artifacts: Record<string, string> = {};

/** Each drill gets its own clock, minutes after the backups, so stamps and scratch names never collide. */
let minutesAfter = 10;
const drillClock = () => {
  const at = new Date(Date.now() + minutesAfter++ * 60_000);
  return () => at;
};

async function record(key: string): Promise<DrillRecord> {
  return JSON.parse((await readObject(s3.directClient(), "vault", key)).toString("utf8")) as DrillRecord;
}

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault"]);
  work = mkdtempSync(join(tmpdir(), "lifeboat-drill-files-"));
  scratch = join(work, "scratch");
  mkdirSync(scratch);
  for (const name of ["uploads", "broken"]) {
    const dir = join(work, name);
    mkdirSync(join(dir, "2026/11"), { recursive: true });
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "config.yml"), "port: 8080\n");
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, "2026/11", `photo-${i}.bin`), Buffer.from(Array.from({ length: 40_000 + i }, (_, j) => (j * (i + 3)) % 251)));
    symlinkSync("2026/11/photo-0.bin", join(dir, "latest"));
  }
  config = testConfig({
    vault: testVault(s3),
    sources: [
      { name: "uploads", kind: "files", rpoMinutes: 60, path: join(work, "uploads"), drill: { scratch: { directory: scratch } } },
      { name: "broken", kind: "files", rpoMinutes: 60, path: join(work, "broken"), drill: { scratch: { directory: scratch } } },
    ],
  });
  configFile = join(work, "lifeboat.json");
  writeFileSync(configFile, JSON.stringify(config));
  for (const source of ["uploads", "broken"]) {
    const { job } = testJob(config);
    artifacts[source] = (await runBackup(job, source)).artifactKey;
  }
  // A byte flipped near the end of the stored archive.
  const direct = s3.directClient();
  await flipByte(direct, "vault", artifacts.broken!, -200, 0x01);
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a files restore drill", () => {
  it("restores the newest backup into a scratch directory of its own, checks every file's SHA-256 against the manifest, removes it, and records the measured restore", async () => {
    const { job, output } = testJob(config, process.env, drillClock());

    const result = await runDrill(job, "uploads");

    expect(result.record.outcome).toBe("succeeded");
    expect(result.record.scratch).toMatch(new RegExp(`^${scratch}/lifeboat-drill-uploads-\\d{8}t\\d{6}z/restored$`));
    expect(result.record.backup?.artifactKey).toBe(artifacts.uploads);
    expect(result.record.checks.map((c) => [c.check, c.status])).toEqual([
      ["restore", "pass"],
      ["files", "pass"],
      ["cleanup", "pass"],
    ]);
    const bytes = 20 * 40_000 + (19 * 20) / 2 + "port: 8080\n".length;
    expect(result.record.checks[1]!.detail).toBe(`25 entries restored as listed; every one of 21 files (${bytes} bytes) has the manifest's SHA-256`);
    expect(readdirSync(scratch)).toEqual([]);
    expect(drillRecordProblems(await record(result.recordKey))).toEqual([]);
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "uploads", DrillSucceeded: 1, DrillFailed: 0, DrillRestoreSeconds: expect.any(Number), DrillDataLossMinutes: expect.any(Number) }));
  });

  it("fails on a corrupted backup, removes the scratch directory it made (and anything the restore left in it), and records why", async () => {
    const { job, output } = testJob(config, process.env, drillClock());

    const error = await runDrill(job, "broken").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrillFailedError);
    const { record: drill, recordKey } = (error as DrillFailedError).result;
    expect(drill.outcome).toBe("failed");
    expect(drill.checks.map((c) => [c.check, c.status])).toEqual([
      ["restore", "fail"],
      ["cleanup", "pass"],
    ]);
    expect(drill.checks[0]!.detail).toMatch(/corrupt|SHA-256/);
    expect(drill.restoreSeconds).toBeUndefined();
    expect(readdirSync(scratch)).toEqual([]);
    expect((await record(recordKey)).outcome).toBe("failed");
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "broken", DrillSucceeded: 0, DrillFailed: 1 }));
  });

  it("leaves a scratch directory that is not its own untouched and fails", async () => {
    const clock = drillClock();
    const stamp = clock().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "").toLowerCase();
    const occupied = join(scratch, `lifeboat-drill-uploads-${stamp}`);
    mkdirSync(occupied);
    writeFileSync(join(occupied, "someone-elses.txt"), "keep me");
    try {
      const { job } = testJob(config, process.env, clock);

      const error = await runDrill(job, "uploads").catch((e: unknown) => e);

      expect((error as DrillFailedError).result.record.error).toContain(`The scratch target ${occupied}/restored already exists and holds 1 entries; the drill left it untouched.`);
      expect(readdirSync(occupied)).toEqual(["someone-elses.txt"]);
    } finally {
      rmSync(occupied, { recursive: true, force: true });
    }
  });

  it("runs from the command line, exiting 0 for a sound backup and 1 for a corrupt one, a record in the vault for each", async () => {
    const quiet = { stdout: () => undefined, stderr: () => undefined, env: process.env };
    const before = (await listKeys(s3.directClient(), "vault", "drills/")).length;

    expect(await main(["drill", "--config", configFile, "--source", "uploads"], quiet)).toBe(0);
    expect(await main(["drill", "--config", configFile, "--source", "broken"], quiet)).toBe(1);
    expect((await listKeys(s3.directClient(), "vault", "drills/")).length).toBe(before + 2);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
