import type { JobConfig } from "@lifeboat/constructs/core";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { SAMPLE_DATABASE, startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { TestS3 } from "./support/s3";
import { startTogether } from "./support/servers";
import { postgresClientDir } from "./support/tools";

// Servers of four majors (15 from Debian, 16-18 from npm) and client tools of three (Debian's 15, the
// provisioned 17 and 18): the jobs pick pg_dump by the server's major and pg_restore by the target's.
// No client tools of 16 are to be had from Debian, so a 16 server is dumped by pg_dump 17.
let pg15: TestPostgres;
let pg16: TestPostgres;
let pg17: TestPostgres;
let pg18: TestPostgres;
let s3: TestS3;
let fakes: string;


beforeAll(async () => {
  useTestAwsEnvironment();
  [pg15, pg16, pg17, pg18, s3] = await startTogether([startPostgres(15), startPostgres(16), startPostgres(17), startPostgres(18), TestS3.start(["vault"])]);
  await Promise.all([pg15, pg16, pg17, pg18].map(async (pg) => {
    await pg.sql("postgres", "CREATE DATABASE app");
    await pg.sql("app", SAMPLE_DATABASE);
  }));
  fakes = mkdtempSync(join(tmpdir(), "lifeboat-fake-pg-"));
});

afterAll(async () => {
  await Promise.all([pg15?.stop(), pg16?.stop(), pg17?.stop(), pg18?.stop(), s3?.stop()]);
  if (fakes) rmSync(fakes, { recursive: true, force: true });
});

/** A job configuration with one source on `pg`, named after its major. */
function configFor(pg: TestPostgres, name: string, tools?: JobConfig["tools"]): { config: JobConfig; env: NodeJS.ProcessEnv } {
  const env = { ...process.env, DB_USER: pg.user, DB_PASSWORD: pg.password, PGPASSWORD: pg.password };
  const config = testConfig({
    vault: testVault(s3),
    sources: [{ name, kind: "postgres", rpoMinutes: 60, host: "127.0.0.1", port: pg.port, database: "app", credentials: { env: { username: "DB_USER", password: "DB_PASSWORD" } } }],
    verify: { testRestore: true },
    ...(tools ? { tools } : {}),
  });
  return { config, env };
}

/**
 * A directory of PostgreSQL 18 client tools whose pg_dump is replaced by `pgDump` (a shell script
 * body; REAL is the real pg_dump) and, when given, pg_restore by `pgRestore`.
 */
function fakeClient(name: string, pgDump: string, pgRestore?: string): string {
  const real = postgresClientDir(18);
  const dir = join(fakes, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const tool of ["psql", "pg_dumpall", ...(pgRestore ? [] : ["pg_restore"])]) symlinkSync(join(real, tool), join(dir, tool));
  const script = (body: string, tool: string) => `#!/bin/bash\nREAL=${join(real, tool)}\nif [ "$1" = "--version" ]; then exec "$REAL" --version; fi\n${body}\n`;
  writeFileSync(join(dir, "pg_dump"), script(pgDump, "pg_dump"));
  chmodSync(join(dir, "pg_dump"), 0o755);
  if (pgRestore) {
    writeFileSync(join(dir, "pg_restore"), script(pgRestore, "pg_restore"));
    chmodSync(join(dir, "pg_restore"), 0o755);
  }
  return dir;
}

/** Perl that copies stdin to stdout with the archive header's minor version byte set to `minor`. */
const setArchiveMinor = (minor: number) => `perl -e 'binmode STDIN; binmode STDOUT; my $n = read(STDIN, my $h, 7); substr($h, 6, 1) = chr(${minor}) if $n == 7; print $h; while (read(STDIN, my $b, 65536)) { print $b }'`;

describe("PostgreSQL servers of every supported major", () => {
  it("backs up PostgreSQL 18 with pg_dump 18, verifies it with a test restore, and restores it identically", async () => {
    const { config, env } = configFor(pg18, "pg18");
    const { job } = testJob(config, env);

    const backup = await runBackup(job, "pg18");
    const report = await verifySources(job);
    const restored = await runRestore(job, { source: "pg18", at: "latest", target: pg18.url("restored"), dryRun: false });

    expect(backup.manifest.tool.version).toMatch(/^18\./);
    expect(backup.manifest.server?.version).toMatch(/^18\./);
    expect(backup.manifest.tables).toEqual([
      { schema: "billing", name: "invoices", rows: 3000 },
      { schema: "public", name: "events_2025", rows: 1070 },
      { schema: "public", name: "events_2026", rows: 930 },
    ]);
    expect(backup.manifest.contentsNotInspected).toBeUndefined();
    expect(report.sources[0]!.checks.filter((c) => c.status !== "pass" && c.status !== "skip")).toEqual([]);
    expect(report.sources[0]!.checks.find((c) => c.check === "test-restore")?.status).toBe("pass");
    expect(restored.durationSeconds).toBeGreaterThan(0);
    expect(await tableDigests(pg18, "restored")).toEqual(await tableDigests(pg18, "app"));
  });

  it("backs up PostgreSQL 15 with Debian's pg_dump 15 and restores it into 15 with pg_restore 15", async () => {
    const { config, env } = configFor(pg15, "pg15");
    const { job } = testJob(config, env);

    const backup = await runBackup(job, "pg15");
    const report = await verifySources(job);
    await runRestore(job, { source: "pg15", at: "latest", target: pg15.url("restored"), dryRun: false });

    expect(backup.manifest.tool.version).toMatch(/^15\./);
    expect(report.sources[0]!.checks.find((c) => c.check === "test-restore")?.status).toBe("pass");
    expect(await tableDigests(pg15, "restored")).toEqual(await tableDigests(pg15, "app"));
  });

  it("backs up PostgreSQL 17 with pg_dump 17, verifies it with a test restore, and restores it identically with pg_restore 17", async () => {
    const { config, env } = configFor(pg17, "pg17");
    const { job } = testJob(config, env);

    const backup = await runBackup(job, "pg17");
    const report = await verifySources(job);
    const restored = await runRestore(job, { source: "pg17", at: "latest", target: pg17.url("restored"), dryRun: false });

    expect(backup.manifest.tool.version).toMatch(/^17\./);
    expect(backup.manifest.server?.version).toMatch(/^17\./);
    expect(backup.manifest.tables).toEqual([
      { schema: "billing", name: "invoices", rows: 3000 },
      { schema: "public", name: "events_2025", rows: 1070 },
      { schema: "public", name: "events_2026", rows: 930 },
    ]);
    expect(report.sources[0]!.checks.filter((c) => c.status !== "pass" && c.status !== "skip")).toEqual([]);
    expect(report.sources[0]!.checks.find((c) => c.check === "test-restore")?.status).toBe("pass");
    expect(restored.postgres?.path).toBe("parallel");
    expect(await tableDigests(pg17, "restored")).toEqual(await tableDigests(pg17, "app"));
    expect(await pg17.sql("restored", "SELECT count(*) FROM pg_largeobject_metadata")).toEqual(["1"]);
  });

  it("restores a PostgreSQL 17 backup into PostgreSQL 18", async () => {
    const { config, env } = configFor(pg17, "pg17-up");
    const { job } = testJob(config, env);

    await runBackup(job, "pg17-up");
    const { job: restoreJob } = testJob(config, { ...env, PGPASSWORD: pg18.password });
    await runRestore(restoreJob, { source: "pg17-up", at: "latest", target: pg18.url("from17"), dryRun: false });

    expect(await tableDigests(pg18, "from17")).toEqual(await tableDigests(pg17, "app"));
  });

  it("restores a PostgreSQL 15 backup into PostgreSQL 18 with the pg_restore that suits it", async () => {
    const { config, env } = configFor(pg15, "pg15-up");
    const { job } = testJob(config, env);

    await runBackup(job, "pg15-up");
    const { job: restoreJob } = testJob(config, { ...env, PGPASSWORD: pg18.password });
    await runRestore(restoreJob, { source: "pg15-up", at: "latest", target: pg18.url("from15"), dryRun: false });

    expect(await tableDigests(pg18, "from15")).toEqual(await tableDigests(pg15, "app"));
  });

  it("refuses to restore an archive of pg_dump 17 or newer into PostgreSQL 16, saying why, and writes nothing", async () => {
    const { config, env } = configFor(pg16, "pg16");
    const { job } = testJob(config, env);
    const backup = await runBackup(job, "pg16");

    const attempt = runRestore(job, { source: "pg16", at: "latest", target: pg16.url("restored"), dryRun: false });

    expect(backup.manifest.tool.version).toMatch(/^17\./);
    await expect(attempt).rejects.toThrow(/cannot be restored into .* which runs PostgreSQL 16: pg_restore before 17 cannot read it, and pg_restore 17 or newer sets transaction_timeout/);
    expect(await pg16.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'restored'")).toEqual(["0"]);
  });

  it("refuses to dump a server newer than every pg_dump it has, naming the version needed and where to set it", async () => {
    const { config, env } = configFor(pg18, "pg18-old-tools", { pgDump: join(postgresClientDir(15), "pg_dump"), postgres: { "15": postgresClientDir(15) } });
    const { job } = testJob(config, env);

    const attempt = runBackup(job, "pg18-old-tools");

    await expect(attempt).rejects.toThrow(/runs PostgreSQL 18; a dump needs pg_dump 18 or newer .*this machine has: 15 \(15\.\d+/);
    await expect(attempt).rejects.toThrow('tools.postgres["18"]');
  });

  it("names a configured tool directory that holds no pg_dump", async () => {
    const { config, env } = configFor(pg18, "pg18-missing", { postgres: { "18": "/nonexistent/postgresql/18/bin" } });
    const { job } = testJob(config, env);

    await expect(runBackup(job, "pg18-missing")).rejects.toThrow('`tools.postgres["18"]` ("/nonexistent/postgresql/18/bin") holds no pg_dump that runs.');
  });

  it("stores an archive of a version the reader does not know, lists it with pg_restore, and marks the manifest and a metric", async () => {
    // pg_dump 18 whose archives claim version 1.17; its pg_restore reads them (as a future major's would).
    const dir = fakeClient("future", `"$REAL" "$@" | ${setArchiveMinor(17)}; exit \${PIPESTATUS[0]}`, `${setArchiveMinor(16)} | "$REAL" "$@"`);
    const { config, env } = configFor(pg18, "pg18-future", { postgres: { "18": dir } });
    const { job, output } = testJob(config, env);

    const backup = await runBackup(job, "pg18-future");
    const report = await verifySources(job);

    expect(backup.manifest.contentsNotInspected?.reason).toMatch(/^archive version 1\.17\.0 is newer than this reader knows .*pg_restore 18\.\d+ --list read \d+ entries$/);
    expect(backup.manifest.tables).toBeUndefined();
    expect(output.metricDocuments.some((d) => d.BackupContentsNotInspected === 1)).toBe(true);
    expect(output.documents.some((d) => d.event === "backup.contents-not-inspected" && d.level === "warn")).toBe(true);
    const checks = report.sources.find((s) => s.source === "pg18-future")!.checks;
    expect(checks.find((c) => c.check === "integrity")?.status).toBe("pass");
    expect(checks.find((c) => c.check === "restorability")).toMatchObject({ status: "pass", detail: expect.stringContaining("contents not inspected") });
  });

  it("names the reader's reason, not pg_dump's broken pipe, when the reader rejects the stream", async () => {
    const dir = fakeClient("garbage", `yes "this is not an archive"`);
    const { config, env } = configFor(pg18, "pg18-garbage", { postgres: { "18": dir } });
    const { job } = testJob(config, env);

    const attempt = runBackup(job, "pg18-garbage");

    await expect(attempt).rejects.toThrow("Lifeboat's archive reader rejected pg_dump's output of postgres://");
    await expect(attempt).rejects.toThrow("does not start with PGDMP");
    await expect(attempt).rejects.not.toThrow(/SIGPIPE|signal/);
  });
});
