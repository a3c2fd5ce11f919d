import { describe, expect, it } from "vitest";
import { LifeboatValidationError, planEstate, type ObjectivesArgs, type SourceObjectives } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const objectives: ObjectivesArgs = {
  rpo: "1h",
  rto: "4h",
  retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" },
  drRegion: "us-west-2",
  primaryRegion: "us-east-1",
};
const estate: SourceObjectives[] = [
  { name: "postgres-main", kind: "postgres", engine: "rds-instance", sizeGiB: 50 },
  { name: "cache", kind: "redis", engine: "elasticache", rpo: "24h", restoreAfter: ["postgres-main"] },
  { name: "uploads", kind: "objects", engine: "s3" },
];
const subject = 'DisasterRecoveryEstate "estate"';

describe("planEstate", () => {
  it("meets an RPO of an hour on RDS with point-in-time recovery and keeps a daily dump for the vault", () => {
    const plan = planEstate(objectives, estate, subject);
    const pg = plan.sources.find((s) => s.name === "postgres-main")!;

    expect(pg.logical).toEqual({ expression: "rate(1 day)", intervalMinutes: 1440 });
    expect(pg.methods.map((m) => m.method)).toEqual(["pitr", "logical"]);
    expect(pg.achieved).toEqual({ rpoMinutes: 5, rtoMinutes: 55 }); // 30 min + 0.5 min/GiB × 50 GiB
    expect(pg.nativeRetentionDays).toBe(35);
    expect(pg.needsPitr).toBe(false);
  });

  it("schedules a self-managed source's dumps so the newest is never older than the RPO", () => {
    const plan = planEstate(objectives, [{ name: "pg", kind: "postgres", engine: "self-managed" }], subject);
    const pg = plan.sources[0]!;

    // 30 minutes + a 15-minute job window ≤ 60 minutes; 60 + 15 would not be.
    expect(pg.logical).toEqual({ expression: "rate(30 minutes)", intervalMinutes: 30 });
    expect(pg.achieved.rpoMinutes).toBe(45);
    expect(pg.freshness).toEqual({ thresholdMinutes: 60, periodSeconds: 15 * 60, evaluationPeriods: 2, datapointsToAlarm: 2 });
  });

  it.each([
    ["2h", "rate(1 hour)"],
    ["6h", "rate(4 hours)"],
    ["1d", "rate(12 hours)"],
    ["2d", "rate(1 day)"],
  ])("derives a schedule no longer than an RPO of %s", (rpo, expression) => {
    const plan = planEstate({ ...objectives, rpo }, [{ name: "pg", kind: "postgres", engine: "self-managed" }], subject);

    expect(plan.sources[0]!.logical?.expression).toBe(expression);
    expect(plan.sources[0]!.logical!.intervalMinutes).toBeLessThanOrEqual(Number.parseInt(rpo, 10) * (rpo.endsWith("d") ? 1440 : 60));
  });

  it("verifies four times per shortest RPO judged by a logical backup, between 15 minutes and 6 hours", () => {
    expect(planEstate(objectives, estate, subject).verify).toEqual({ expression: "rate(15 minutes)", intervalMinutes: 15 });
    expect(planEstate({ ...objectives, rpo: "2d" }, [{ name: "pg", kind: "postgres", engine: "self-managed" }], subject).verify).toEqual({
      expression: "rate(6 hours)",
      intervalMinutes: 360,
    });
  });

  it("keeps ElastiCache on daily snapshots with native retention from the daily tier", () => {
    const cache = planEstate(objectives, estate, subject).sources.find((s) => s.name === "cache")!;

    expect(cache.logical).toBeUndefined();
    expect(cache.methods).toEqual([expect.objectContaining({ method: "snapshot", rpoMinutes: 1440 })]);
    expect(cache.nativeRetentionDays).toBe(35);
    expect(cache.freshness).toBeUndefined();
  });

  it("restores databases first, then what was declared to follow them, and sums that chain", () => {
    const plan = planEstate(objectives, estate, subject);

    expect(plan.restoreOrder).toEqual(["postgres-main", "cache", "uploads"]);
    expect(plan.sources.map((s) => [s.name, s.restoreOrder])).toEqual([
      ["postgres-main", 1],
      ["cache", 2],
      ["uploads", 3],
    ]);
    expect(plan.estateRtoMinutes).toBe(55 + 40); // postgres-main, then cache (20 + 2 × 10 GiB)
  });

  it("caps native retention at 35 days and says where older points come from", () => {
    const plan = planEstate({ ...objectives, retention: { daily: "60d" } }, [estate[0]!], subject);

    expect(plan.sources[0]!.nativeRetentionDays).toBe(35);
    expect(plan.sources[0]!.notes.join(" ")).toMatch(/keep 35 days .* vault's tiers/);
  });
});

/** Objectives that cannot be met, or arguments that make no sense: each names the argument and value. */
const invalid: Array<[string, ObjectivesArgs, SourceObjectives[], string, string]> = [
  ["an RPO of 5 minutes on logical dumps only", { ...objectives, rpo: "5m" }, [{ name: "pg", kind: "postgres", engine: "self-managed" }], "sources[0].rpo", "5 minutes"],
  ["an RPO under a day on ElastiCache", objectives, [{ name: "cache", kind: "redis", engine: "elasticache" }], "sources[0].rpo", "1 hour"],
  ["an RTO a 2 TiB logical restore cannot meet", objectives, [{ name: "pg", kind: "postgres", engine: "self-managed", sizeGiB: 2048 }], "sources[0].rto", "4 hours"],
  ["an estate RTO shorter than a chain of restores", { ...objectives, rto: "1h" }, [
    { name: "a", kind: "postgres", engine: "rds-instance", sizeGiB: 20 },
    { name: "b", kind: "postgres", engine: "rds-instance", sizeGiB: 20, restoreAfter: ["a"] },
  ], "objectives.rto", "1 hour"],
  ["an RPO that is not a duration", { ...objectives, rpo: "hourly" }, estate, "objectives.rpo", '"hourly"'],
  ["an RTO of zero", { ...objectives, rto: "0m" }, estate, "objectives.rto", "0 minutes"],
  ["a DR region equal to the primary", { ...objectives, drRegion: "us-east-1" }, estate, "objectives.drRegion", '"us-east-1"'],
  ["a DR region that is not a region", { ...objectives, drRegion: "west" }, estate, "objectives.drRegion", '"west"'],
  ["no sources", objectives, [], "sources", "[]"],
  ["two sources with one name", objectives, [estate[0]!, { ...estate[0]! }], "sources[1].name", '"postgres-main"'],
  ["a source name with capitals", objectives, [{ name: "Main", kind: "postgres", engine: "rds-instance" }], "sources[0].name", '"Main"'],
  ["Redis declared on RDS", objectives, [{ name: "cache", kind: "redis", engine: "rds-instance" }], "sources[0].engine", '"rds-instance"'],
  ["a restore after a source that does not exist", objectives, [{ ...estate[2]!, restoreAfter: ["db"] }], "sources[0].restoreAfter", '"db"'],
  ["a cycle of restores", objectives, [
    { name: "a", kind: "postgres", engine: "rds-instance", restoreAfter: ["b"] },
    { name: "b", kind: "postgres", engine: "rds-instance", restoreAfter: ["a"] },
  ], "sources.restoreAfter", '"a → b → a"'],
  ["a logical interval that does not divide a day", objectives, [{ name: "pg", kind: "postgres", engine: "self-managed", logicalInterval: "25m" }], "sources[0].logicalInterval", "25 minutes"],
  ["a logical interval longer than the RPO allows", objectives, [{ name: "pg", kind: "postgres", engine: "self-managed", logicalInterval: "1h" }], "sources[0].logicalInterval", "1 hour"],
  ["a negative size", objectives, [{ name: "pg", kind: "postgres", engine: "rds-instance", sizeGiB: -1 }], "sources[0].sizeGiB", "-1"],
  ["weekly retention shorter than daily", { ...objectives, retention: { daily: "35d", weekly: "7d" } }, estate, "objectives.retention.weekly", "7 days"],
];

describe("objectives that cannot be met", () => {
  it.each(invalid)("refuses %s", (_what, args, sources, argument, value) => {
    const error = errorOf(() => planEstate(args, sources, subject)) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
  });

  it("says why an RPO cannot be met by dumps and what would meet it", () => {
    const error = errorOf(() => planEstate({ ...objectives, rpo: "5m" }, [{ name: "pg", kind: "postgres", engine: "self-managed" }], subject));

    expect(error.message).toContain("`sources[0].rpo` (5 minutes) cannot be met by logical dumps alone");
    expect(error.message).toContain('Raise the rpo to at least "30m", or move the database to RDS or Aurora');
  });
});
