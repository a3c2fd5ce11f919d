import { PutObjectCommand } from "@aws-sdk/client-s3";
import { artifactKey, HEALTH_PATH, planEstate, Problems, type DrillWatch, type HealthResponse, type JobConfig } from "@lifeboat/constructs/core";
import { checkBackupRunner, checkDoRegion, healthServerArgs, RUNNER_PATHS } from "@lifeboat/constructs/core/digitalocean";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrillFailedError, main, runBackup, runDrill, startHealthServer, type HealthServer } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { freePort, waitFor } from "./support/ports";
import { TestS3 } from "./support/s3";
import { flipByte, readObject } from "./support/vault";

let s3: TestS3;
let work: string;
let config: JobConfig;
let configFile: string;
let reportFile: string;
const backups: Record<string, string> = {};
const servers: HealthServer[] = [];

const quiet = { stdout: () => undefined, stderr: () => undefined };

/** `lifeboat verify --report-file`, as the runner's verify timer runs it. */
async function verifyIntoReport(file: string): Promise<number> {
  return main(["verify", "--config", configFile, "--report-file", file], { ...quiet, env: process.env });
}

async function serve(options: { now?: Date; clock?: () => Date; reportFile?: string; reportMaxAgeMinutes?: number; cacheSeconds?: number; config?: JobConfig; drillWatches?: DrillWatch[] } = {}): Promise<HealthServer> {
  const { job } = testJob(options.config ?? config, process.env, options.clock ?? (options.now ? () => options.now! : undefined));
  const server = await startHealthServer(job, {
    host: "127.0.0.1",
    port: 0,
    ...(options.drillWatches ? { drillWatches: options.drillWatches } : {}),
    ...(options.reportFile !== undefined ? { reportFile: options.reportFile } : {}),
    ...(options.reportMaxAgeMinutes !== undefined ? { reportMaxAgeMinutes: options.reportMaxAgeMinutes } : {}),
    ...(options.cacheSeconds !== undefined ? { cacheSeconds: options.cacheSeconds } : {}),
  });
  servers.push(server);
  return server;
}

async function probe(url: string): Promise<{ status: number; body: HealthResponse }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as HealthResponse };
}

const reasonsOf = (body: HealthResponse, source: string) => body.sources.find((s) => s.source === source)!.reasons.map((r) => r.reason);

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault"]);
  work = mkdtempSync(join(tmpdir(), "lifeboat-health-"));
  for (const name of ["uploads", "settings"]) {
    mkdirSync(join(work, name, "nested"), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(work, name, "nested", `file-${i}.bin`), Buffer.alloc(20_000 + i, i + name.length));
  }
  config = testConfig({
    vault: testVault(s3),
    sources: [
      { name: "uploads", kind: "files", rpoMinutes: 60, intervalMinutes: 30, path: join(work, "uploads") },
      { name: "settings", kind: "files", rpoMinutes: 1440, path: join(work, "settings") },
    ],
  });
  configFile = join(work, "lifeboat.json");
  writeFileSync(configFile, JSON.stringify(config));
  reportFile = join(work, "verify.json");
  for (const source of ["uploads", "settings"]) {
    const { job } = testJob(config);
    backups[source] = (await runBackup(job, source)).artifactKey;
  }
  expect(await verifyIntoReport(reportFile)).toBe(0);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the backup health endpoint", () => {
  it("answers 200 with each source's newest backup and verification when backups are fresh and the last verify passed", async () => {
    const server = await serve({ reportFile, reportMaxAgeMinutes: 35 });

    const { status, body } = await probe(server.url);

    expect(status).toBe(200);
    expect(body.healthy).toBe(true);
    expect(body.failing).toBeUndefined();
    expect(body.sources.map((s) => [s.source, s.healthy, s.rpoMinutes, s.newest?.artifactKey, s.verify?.ok])).toEqual([
      ["uploads", true, 60, backups.uploads, true],
      ["settings", true, 1440, backups.settings, true],
    ]);
  });

  it("answers 503 naming the late source when its newest backup is older than its RPO", async () => {
    const server = await serve({ now: new Date(Date.now() + 2 * 3600_000) });

    const { status, body } = await probe(server.url);

    expect(status).toBe(503);
    expect(reasonsOf(body, "uploads")).toEqual(["backup-late"]);
    expect(reasonsOf(body, "settings")).toEqual([]);
    expect(body.failing).toEqual([expect.stringMatching(/^uploads: backup-late: the newest complete backup of uploads started 12\d(\.\d)? minutes ago; it is late after 60 minutes \(RPO 60 minutes\)$/)]);
  });

  it("judges a backup scheduled less often than the RPO against its interval plus the run's window, so a daily dump still running is not late", async () => {
    const daily = testConfig({ vault: testVault(s3), sources: [{ name: "settings", kind: "files", rpoMinutes: 1440, intervalMinutes: 1440, path: join(work, "settings") }] });
    const running = await serve({ config: daily, now: new Date(Date.now() + 1445 * 60_000) });
    const missed = await serve({ config: daily, now: new Date(Date.now() + 1460 * 60_000) });

    expect((await probe(running.url)).status).toBe(200);
    expect(reasonsOf((await probe(missed.url)).body, "settings")).toEqual(["backup-late"]);
  });

  it("answers 503 when the verification report is missing, and when it is older than its maximum age", async () => {
    const missing = await serve({ reportFile: join(work, "never-written.json") });
    const stale = await serve({ reportFile, reportMaxAgeMinutes: 35, now: new Date(Date.now() + 40 * 60_000) });

    const a = await probe(missing.url);
    const b = await probe(stale.url);

    expect(a.status).toBe(503);
    expect(reasonsOf(a.body, "uploads")).toEqual(["verify-report-missing"]);
    expect(a.body.failing![0]).toContain("never-written.json does not exist");
    expect(b.status).toBe(503);
    expect(reasonsOf(b.body, "settings")).toEqual(["verify-report-stale"]);
  });

  it("answers 503 when the report does not cover a configured source or is not a report", async () => {
    const partial = join(work, "partial.json");
    expect(await main(["verify", "--config", configFile, "--source", "settings", "--report-file", partial], { ...quiet, env: process.env })).toBe(0);
    const garbage = join(work, "garbage.json");
    writeFileSync(garbage, "{ half a report");

    const a = await probe((await serve({ reportFile: partial })).url);
    const b = await probe((await serve({ reportFile: garbage })).url);

    expect(reasonsOf(a.body, "uploads")).toEqual(["verify-report-lacks-source"]);
    expect(reasonsOf(a.body, "settings")).toEqual([]);
    expect(b.status).toBe(503);
    expect(reasonsOf(b.body, "settings")).toEqual(["verify-report-unreadable"]);
  });

  it("answers 503 when the vault cannot be read", async () => {
    const nowhere = testConfig({ ...config, vault: { ...testVault(s3), endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 } });

    const { status, body } = await probe((await serve({ config: nowhere })).url);

    expect(status).toBe(503);
    expect(reasonsOf(body, "uploads")).toEqual(["vault-unreachable"]);
  });

  it("reads the vault once per cache period however many probes arrive", async () => {
    const server = await serve({ cacheSeconds: 60 });
    s3.requests.length = 0;

    await Promise.all([probe(server.url), probe(server.url)]);
    await probe(server.url);

    // One listing per source (tags, not tier prefixes): two sources, read once.
    expect(s3.requests.filter((r) => r.method === "GET" && r.query.get("list-type") === "2")).toHaveLength(2);
  });

  it("answers 404 elsewhere than the health path and 405 to anything but GET", async () => {
    const server = await serve();
    const base = server.url.slice(0, -HEALTH_PATH.length);

    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(server.url, { method: "POST" })).status).toBe(405);
  });

  it("answers 503 when a backup newer than the newest complete one never finished, once its run is over", async () => {
    const startedAt = new Date(Date.now() + 5 * 60_000);
    const key = artifactKey("uploads", startedAt, "tar.zst");
    await s3.directClient().send(new PutObjectCommand({ Bucket: "vault", Key: key, Body: Buffer.from("half a backup") }));
    try {
      const during = await serve({ now: new Date(startedAt.getTime() + 10 * 60_000) });
      const after = await serve({ now: new Date(startedAt.getTime() + 31 * 60_000) });

      expect(reasonsOf((await probe(during.url)).body, "uploads")).toEqual([]);
      const { status, body } = await probe(after.url);
      expect(status).toBe(503);
      expect(reasonsOf(body, "uploads")).toEqual(["backup-incomplete"]);
      expect(body.failing![0]).toContain(`${key} has no manifest`);
    } finally {
      await s3.directClient().send(new (await import("@aws-sdk/client-s3")).DeleteObjectCommand({ Bucket: "vault", Key: key }));
    }
  });
});

describe("a broken newest backup", () => {
  it("answers 503 when the newest backup's stored artifact is shorter than its manifest says, instead of counting it as fresh", async () => {
    const direct = s3.directClient();
    const { job } = testJob(config);
    const extra = await runBackup(job, "uploads");
    const bytes = Buffer.from(await readObject(direct, "vault", extra.artifactKey));
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: extra.artifactKey, Body: bytes.subarray(0, bytes.length - 100) }));
    try {
      const { status, body } = await probe((await serve()).url);

      expect(status).toBe(503);
      expect(reasonsOf(body, "uploads")).toEqual(["backup-incomplete"]);
      expect(body.failing!.join("\n")).toContain(`${extra.artifactKey} is broken: stored size is ${bytes.length - 100} bytes, the manifest says ${bytes.length}`);
    } finally {
      const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
      for (const key of [extra.artifactKey, extra.manifestKey]) await direct.send(new DeleteObjectCommand({ Bucket: "vault", Key: key }));
    }
  });
});

describe("the backup health endpoint watching restore drills", () => {
  const DAY = 1440;
  const watch = (source: string, overrides: Partial<DrillWatch> = {}): DrillWatch => ({ source, everyMinutes: 30 * DAY, staleAfterMinutes: 31 * DAY, rtoMinutes: 240, alarmWindowMinutes: DAY, ...overrides });
  const drillConfig = (...names: ("uploads" | "never-backed-up")[]) =>
    testConfig({
      vault: testVault(s3),
      sources: [
        { name: "uploads", kind: "files" as const, rpoMinutes: 60, intervalMinutes: 30, path: join(work, "uploads"), drill: { scratch: { directory: work } } },
        { name: "never-backed-up", kind: "files" as const, rpoMinutes: 1440, path: join(work, "settings"), drill: { scratch: { directory: work } } },
      ].filter((s) => names.includes(s.name as "uploads")),
    });

  it("answers 200 with the newest drill when a watched source's drill succeeded within its period and restored within the RTO", async () => {
    const drilled = drillConfig("uploads");
    const { record } = await runDrill(testJob(drilled).job, "uploads");

    const { status, body } = await probe((await serve({ config: drilled, drillWatches: [watch("uploads")] })).url);

    expect(record.outcome).toBe("succeeded");
    expect(reasonsOf(body, "uploads")).toEqual([]);
    expect(body.sources.find((s) => s.source === "uploads")!.drill).toEqual({ drilledAt: record.startedAt, outcome: "succeeded", restoreSeconds: record.restoreSeconds });
    expect(status).toBe(200);
  });

  it("answers 503 drill-slow when the newest drill's measured restore took longer than the RTO, and stops a day after the drill", async () => {
    const drilled = drillConfig("uploads");
    const tinyRto = watch("uploads", { rtoMinutes: 1e-7 });

    const now = await probe((await serve({ config: drilled, drillWatches: [tinyRto] })).url);
    const dayLater = await probe((await serve({ config: drilled, drillWatches: [tinyRto], now: new Date(Date.now() + (DAY + 5) * 60_000) })).url);

    expect(reasonsOf(now.body, "uploads")).toEqual(["drill-slow"]);
    expect(now.body.failing).toContainEqual(expect.stringMatching(/^uploads: drill-slow: the restore drill of uploads on .* took [\d.]+ minutes to restore, over the RTO of 1e-7 minutes$/));
    expect(reasonsOf(dayLater.body, "uploads")).not.toContain("drill-slow");
  });

  it("answers 503 drill-failed for a day after a drill failed, then drill-stale once no drill has succeeded within its period", async () => {
    const drilled = drillConfig("never-backed-up");
    const failed = await runDrill(testJob(drilled).job, "never-backed-up").catch((e: unknown) => e);
    const daily = watch("never-backed-up", { everyMinutes: DAY, staleAfterMinutes: 2 * DAY });
    const at = (minutes: number) => serve({ config: drilled, drillWatches: [daily], now: new Date(Date.now() + minutes * 60_000) });

    const fresh = await probe((await at(0)).url);
    const nextDay = await probe((await at(DAY + 5)).url);
    const overdue = await probe((await at(2 * DAY + 5)).url);

    expect(failed).toBeInstanceOf(DrillFailedError);
    expect(reasonsOf(fresh.body, "never-backed-up")).toEqual(["no-backup", "drill-failed"]);
    expect(fresh.body.failing).toContainEqual(expect.stringMatching(/^never-backed-up: drill-failed: the restore drill of never-backed-up on .* failed: There is no complete backup of never-backed-up to drill/));
    expect(reasonsOf(nextDay.body, "never-backed-up")).toEqual(["no-backup"]);
    expect(reasonsOf(overdue.body, "never-backed-up")).toContain("drill-stale");
    expect(overdue.body.failing).toContainEqual(expect.stringMatching(/never-backed-up: drill-stale: no restore drill of never-backed-up has succeeded since the first on .*; one is due every 1 days/));
  });

  it("counts a never-drilled source as stale only once its period and grace have passed since the endpoint started", async () => {
    const started = Date.now();
    let now = new Date(started);
    const server = await serve({ clock: () => now, cacheSeconds: 0, drillWatches: [watch("settings", { everyMinutes: DAY, staleAfterMinutes: 2 * DAY })] });

    const first = await probe(server.url);
    now = new Date(started + (2 * DAY + 1) * 60_000);
    const later = await probe(server.url);

    expect(reasonsOf(first.body, "settings")).toEqual([]);
    expect(reasonsOf(later.body, "settings")).toContain("drill-stale");
    expect(later.body.failing).toContainEqual(expect.stringMatching(/settings: drill-stale: no restore drill of settings has run since the endpoint started 2 days ago/));
  });

  it("refuses to start when a drill watch names a source the configuration lacks, instead of never judging it", async () => {
    const started = serve({ drillWatches: [watch("billing")] });

    await expect(started).rejects.toThrow("The drill watches name billing, not in the job configuration (sources: uploads, settings)");
  });

  it("refuses to start when --drills-file is not a list of drill watches, naming the file and each field (exit 2)", async () => {
    const bad = join(work, "drills-bad.json");
    writeFileSync(bad, JSON.stringify([{ source: "uploads", everyMinutes: 0 }]));
    let stderr = "";

    const code = await main(["health-server", "--config", configFile, "--host", "127.0.0.1", "--port", "0", "--drills-file", bad], { stdout: () => undefined, stderr: (t: string) => void (stderr += t), env: process.env });

    expect(code).toBe(2);
    expect(stderr).toContain(`--drills-file (${JSON.stringify(bad)}) [0].everyMinutes (0) must be a positive number of minutes.`);
    expect(stderr).toContain("[0].staleAfterMinutes (undefined) must be a positive number of minutes.");
  });
});

describe("lifeboat health-server on the runner", () => {
  it("serves on the port and path the runner's design gives the uptime check, and stops cleanly on SIGTERM", async () => {
    const plan = planEstate({ rpo: "1h", rto: "4h", drRegion: "nyc3" }, [{ name: "uploads", kind: "objects", engine: "spaces" }], "test", (r, a, p) => checkDoRegion(r, a, p));
    const design = checkBackupRunner({ region: "nyc3", healthPort: await freePort() }, plan, false, new Problems())!;
    // The unit's arguments, bound to loopback and pointed at the test's report instead of the runner's.
    const args = healthServerArgs(design).map((a) => (a === "0.0.0.0" ? "127.0.0.1" : a === RUNNER_PATHS.verifyReport ? reportFile : a));
    expect(healthServerArgs(design)).toEqual(["health-server", "--host", "0.0.0.0", "--port", String(design.healthPort), "--report-file", RUNNER_PATHS.verifyReport, "--report-max-age", String(design.healthReportMaxAgeMinutes)]);
    const child = spawn(process.execPath, [join(__dirname, "..", "bin", "lifeboat.cjs"), ...args, "--config", configFile], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${design.healthPort}${design.healthPath}`;
      await waitFor("the health server", async () => (await fetch(url)).status > 0, 60_000);

      const { status, body } = await probe(url);
      child.kill("SIGTERM");

      expect(status).toBe(200);
      expect(body.sources.map((s) => s.source)).toEqual(["uploads", "settings"]);
      expect(await exited).toBe(0);
      expect(stderr).toContain('"event":"health.stopped"');
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});

describe("the backup health endpoint after a corruption", () => {
  it("answers 503 naming the corrupt source once verification found it, and keeps the sound source healthy", async () => {
    const direct = s3.directClient();
    await flipByte(direct, "vault", backups.settings!, undefined, 0x01);
    const corruptReport = join(work, "verify-after-corruption.json");

    expect(await verifyIntoReport(corruptReport)).toBe(1);
    const { status, body } = await probe((await serve({ reportFile: corruptReport, reportMaxAgeMinutes: 35 })).url);

    expect(status).toBe(503);
    expect(reasonsOf(body, "settings")).toEqual(["verify-failed"]);
    expect(reasonsOf(body, "uploads")).toEqual([]);
    expect(body.failing).toEqual([expect.stringMatching(/^settings: verify-failed: the last verification of settings \(.*\) failed: integrity: .*SHA-256/)]);
  });
});
