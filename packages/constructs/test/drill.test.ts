import { describe, expect, it } from "vitest";
import {
  drillAlarmSpecs,
  drillRecordKey,
  drillRecordProblems,
  LifeboatValidationError,
  newestDrills,
  parseDrillRecordKey,
  parseJobConfig,
  planDrill,
  Problems,
  type DrillRecord,
} from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const postgres = { name: "app-db", kind: "postgres", rpoMinutes: 60, host: "db", database: "app" };
const redis = { name: "cache", kind: "redis", rpoMinutes: 60, host: "cache" };
const objects = { name: "uploads", kind: "objects", rpoMinutes: 1440, bucket: "uploads" };
const config = (...sources: object[]) => ({ vault: { bucket: "vault" }, sources });

describe("drill settings in the job configuration", () => {
  it("accepts a PostgreSQL drill with a scratch server, bounded smoke queries and a weekly schedule", () => {
    const parsed = parseJobConfig(
      config({
        ...postgres,
        drill: { every: "7d", scratch: { host: "scratch-db", port: 5433, credentials: { env: { password: "SCRATCH_PW" } } }, smokeQueries: [{ name: "orders", sql: "SELECT count(*) FROM orders", min: 1 }] },
      }),
    );

    expect(parsed.sources[0]!.drill?.smokeQueries?.[0]?.min).toBe(1);
  });

  it("accepts a PostgreSQL source without drill settings: the drill uses a new database on the source's server", () => {
    expect(parseJobConfig(config(postgres)).sources[0]!.drill).toBeUndefined();
  });

  it("names every bad drill setting in one error, with what is allowed", () => {
    const error = errorOf(() =>
      parseJobConfig(
        config(
          { ...postgres, drill: { every: "1h", smokeQueries: [{ sql: "DELETE FROM orders", min: 1 }, { sql: "SELECT 1" }, { sql: "SELECT count(*) FROM t", min: 5, max: 2 }], scratch: { bucket: "x" } } },
          { ...redis, drill: { scratch: { port: 6380 }, smokeQueries: [] } },
          { ...objects, drill: { scratch: { bucket: "Not_A_Bucket" }, schedule: "monthly" } },
        ),
      ),
    ) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems.map((p) => [p.argument, p.value])).toEqual([
      ["sources[0].drill.every", "1 hour"],
      ["sources[0].drill.scratch.bucket", '"x"'],
      ["sources[0].drill.smokeQueries[0].sql", '"DELETE FROM orders"'],
      ["sources[0].drill.smokeQueries[1]", '"SELECT 1"'],
      ["sources[0].drill.smokeQueries[2].min", "5"],
      ["sources[1].drill.scratch", '{"port":6380}'],
      ["sources[1].drill.smokeQueries", "[]"],
      ["sources[2].drill.schedule", '"monthly"'],
      ["sources[2].drill.scratch.bucket", '"Not_A_Bucket"'],
    ]);
    expect(error.message).toContain("`sources[0].drill.every` (1 hour) must be a whole number of days");
    expect(error.message).toContain("`sources[0].drill.smokeQueries[0].sql` (\"DELETE FROM orders\") must be a query (SELECT, WITH, TABLE or VALUES) returning one number");
    expect(error.message).toContain("`sources[0].drill.smokeQueries[1]` (\"SELECT 1\") needs `min`, `max` or both");
    expect(error.message).toContain("`sources[0].drill.smokeQueries[2].min` (5) must not exceed `max` (2)");
    expect(error.message).toContain("`sources[0].drill.scratch.bucket` (\"x\") does not apply to a postgres drill");
    expect(error.message).toContain("`sources[1].drill.scratch` ({\"port\":6380}) must set `database`");
    expect(error.message).toContain("`sources[1].drill.smokeQueries` ([]) apply to PostgreSQL sources only");
  });

  it("requires a scratch target for Redis and objects drills once drill settings are given", () => {
    const error = errorOf(() => parseJobConfig(config({ ...redis, drill: { every: "30d" } }, { ...objects, drill: {} }))) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["sources[0].drill.scratch", "sources[1].drill.scratch"]);
    expect(error.problems[0]!.message).toContain("shares its memory");
  });

  it("takes an absolute scratch directory for a files drill, refuses a relative one or one on another kind, and needs none by default", () => {
    const files = { name: "uploads", kind: "files", rpoMinutes: 60, path: "/srv/uploads" };

    expect(() => parseJobConfig(config({ ...files, drill: { scratch: { directory: "/var/tmp" } } }, { ...files, name: "plain", drill: {} }))).not.toThrow();
    const error = errorOf(() => parseJobConfig(config({ ...files, drill: { scratch: { directory: "tmp/drills" } } }, { ...postgres, drill: { scratch: { directory: "/var/tmp" } } }))) as LifeboatValidationError;

    expect(error.problems.map((p) => [p.argument, p.message])).toEqual([
      ["sources[0].drill.scratch.directory", 'must be an absolute directory path without "..", such as "/var/tmp" or "/mnt/scratch".'],
      ["sources[1].drill.scratch.directory", "does not apply to a postgres drill; its scratch settings are host, port, credentials, sslMode."],
    ]);
  });

  it("refuses a drill interval longer than a quarter", () => {
    const error = errorOf(() => parseJobConfig(config({ ...postgres, drill: { every: "93d" } }))) as LifeboatValidationError;

    expect(error.problems).toEqual([{ argument: "sources[0].drill.every", value: "93 days", message: expect.stringContaining("must be between 1 and 92 days") }]);
  });
});

describe("drill schedule and alarms", () => {
  it("schedules monthly by default and alarms on a failure, on no success within the period plus a day, and on a restore slower than the RTO", () => {
    const problems = new Problems();

    const plan = planDrill("app-db", 240, undefined, problems)!;

    expect(problems.isEmpty).toBe(true);
    expect(plan.schedule).toEqual({ expression: "rate(30 days)", intervalMinutes: 43_200 });
    expect(plan.alarms.map((a) => [a.id, a.metricName, a.comparison, a.threshold, a.periodSeconds, a.treatMissingData])).toEqual([
      ["app-db-drill-failed", "DrillFailed", "GreaterThanOrEqualToThreshold", 1, 86_400, "notBreaching"],
      ["app-db-drill-stale", "DrillAgeMinutes", "GreaterThanThreshold", 43_200 + 1440, 3600, "notBreaching"],
      ["app-db-drill-slow", "DrillRestoreSeconds", "GreaterThanThreshold", 240 * 60, 86_400, "notBreaching"],
    ]);
  });

  it("takes a configured interval and refuses one that is not whole days", () => {
    const problems = new Problems();

    expect(planDrill("app-db", 60, "7d", problems)!.schedule.expression).toBe("rate(7 days)");
    expect(planDrill("app-db", 60, "36h", problems, "sources[0].drillEvery")).toBeUndefined();
    expect(problems.all.map((p) => p.argument)).toEqual(["sources[0].drillEvery"]);
  });

  it("gives every alarm the source as its dimension", () => {
    expect(drillAlarmSpecs("cache", 1440, 30).every((a) => a.dimensions.Source === "cache" && a.namespace === "Lifeboat")).toBe(true);
  });
});

describe("drill records", () => {
  const record: DrillRecord = {
    schemaVersion: 1,
    source: "app-db",
    kind: "postgres",
    startedAt: "2026-11-28T03:00:00.000Z",
    finishedAt: "2026-11-28T03:12:30.000Z",
    outcome: "succeeded",
    backup: { artifactKey: "app-db/2026/11/28/app-db-20261128T020000Z.dump.zst", startedAt: "2026-11-28T02:00:00.000Z", sizeBytes: 10, sha256: "a".repeat(64), tier: "daily" },
    scratch: "postgres://app@db:5432/lifeboat_drill_20261128t030000z",
    restoreSeconds: 720,
    dataLossMinutes: 60,
    checks: [{ check: "restore", status: "pass", detail: "restored" }],
  };

  it("live at drills/<source>/<stamp>.json, and the key parses back", () => {
    const key = drillRecordKey("app-db", new Date("2026-11-28T03:00:00Z"));

    expect(key).toBe("drills/app-db/20261128T030000Z.json");
    expect(parseDrillRecordKey(key)).toEqual({ source: "app-db", startedAt: new Date("2026-11-28T03:00:00Z") });
    expect(parseDrillRecordKey("app-db/2026/11/28/app-db-20261128T030000Z.manifest.json")).toBeUndefined();
  });

  it("are checked field by field", () => {
    expect(drillRecordProblems(record)).toEqual([]);
    expect(drillRecordProblems({ ...record, outcome: "ok", restoreSeconds: -1 })).toEqual([
      '`outcome` ("ok") must be "succeeded" or "failed".',
      "`restoreSeconds` (-1) must be a number, 0 or more.",
    ]);
    expect(drillRecordProblems({ ...record, restoreSeconds: undefined })).toEqual(["`restoreSeconds` (not set) must be set, with `backup`, when the drill succeeded."]);
  });

  it("give the posture the newest drill per source, and the last success beside a newer failure", () => {
    const failed: DrillRecord = { ...record, startedAt: "2026-11-29T03:00:00.000Z", outcome: "failed", restoreSeconds: undefined, error: "smoke query" } as DrillRecord;
    const other: DrillRecord = { ...record, source: "cache", kind: "redis", restoreSeconds: 30 };

    const newest = newestDrills([record, failed, other]);

    expect(newest.get("app-db")).toEqual({ drilledAt: "2026-11-29T03:00:00.000Z", outcome: "failed", dataLossMinutes: 60, lastSucceededAt: "2026-11-28T03:00:00.000Z", lastSucceededRestoreMinutes: 12 });
    expect(newest.get("cache")).toEqual({ drilledAt: "2026-11-28T03:00:00.000Z", outcome: "succeeded", restoreMinutes: 0.5, dataLossMinutes: 60 });
  });
});
