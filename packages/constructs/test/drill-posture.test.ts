import { describe, expect, it } from "vitest";
import { drillRoleStatements, renderRunbook, rtoFigures, withDrillRecords, type DrillRecord, type EstatePosture, type SourcePosture } from "@lifeboat/constructs/core";

const source: SourcePosture = {
  name: "app-db",
  kind: "postgres",
  engine: "self-managed",
  restoreOrder: 1,
  restoreAfter: [],
  objective: { rpoMinutes: 60, rtoMinutes: 240 },
  achieved: { rpoMinutes: 45, rtoMinutes: 90 },
  meetsObjectives: true,
  methods: [],
  copies: [],
  alarms: [],
  restore: [],
  notes: [],
};
const posture: EstatePosture = {
  estate: "prod",
  objectives: { rpoMinutes: 60, rtoMinutes: 240, primaryRegion: "us-east-1", drRegion: "us-west-2" },
  restoreOrder: ["app-db"],
  estateRtoMinutes: 90,
  alerts: { topicArn: "arn:topic", emails: [], httpsEndpoints: [], estateAlarms: [] },
  sources: [source],
};
const drill = (startedAt: string, outcome: "succeeded" | "failed", restoreSeconds?: number): DrillRecord => ({
  schemaVersion: 1,
  source: "app-db",
  kind: "postgres",
  startedAt,
  finishedAt: startedAt,
  outcome,
  scratch: "postgres://x",
  ...(restoreSeconds !== undefined ? { restoreSeconds } : {}),
  dataLossMinutes: 30,
  checks: [],
});

describe("the posture with drill records", () => {
  it("shows the estimate, and says no drill measured it, when there are no records", () => {
    const read = withDrillRecords(posture, []).sources[0]!;

    expect(read.rto).toEqual({ shown: "estimated", estimatedMinutes: 90, statement: "RTO estimated: about 1 hour 30 minutes (objective 4 hours); no drill has measured it yet" });
    expect(read.meetsObjectives).toBe(true);
  });

  it("shows the newest drill's measured restore time beside the objective, and keeps the estimate", () => {
    const read = withDrillRecords(posture, [drill("2026-10-28T03:00:00.000Z", "succeeded", 1500), drill("2026-11-28T03:00:00.000Z", "succeeded", 720)]).sources[0]!;

    expect(read.rto?.statement).toBe("RTO measured on 2026-11-28: 12 minutes (objective 4 hours)");
    expect(read.rto).toMatchObject({ shown: "measured", estimatedMinutes: 90, measured: { drilledAt: "2026-11-28T03:00:00.000Z", restoreMinutes: 12, dataLossMinutes: 30 } });
    expect(JSON.parse(JSON.stringify(read)).achieved.rtoMinutes).toBe(90);
  });

  it("no longer meets the objectives when a drill measured a restore slower than the RTO", () => {
    const read = withDrillRecords(posture, [drill("2026-11-28T03:00:00.000Z", "succeeded", 300 * 60)]).sources[0]!;

    expect(read.rto?.statement).toBe("RTO measured on 2026-11-28: 5 hours (objective 4 hours; OVER the objective)");
    expect(read.meetsObjectives).toBe(false);
  });

  it("says the newest drill failed, with the last success's measurement or the estimate", () => {
    const withSuccess = withDrillRecords(posture, [drill("2026-10-28T03:00:00.000Z", "succeeded", 600), drill("2026-11-28T03:00:00.000Z", "failed")]).sources[0]!;
    const neverSucceeded = rtoFigures(source, { drilledAt: "2026-11-28T03:00:00.000Z", outcome: "failed" });

    expect(withSuccess.rto?.statement).toBe("RTO measured on 2026-10-28: 10 minutes (objective 4 hours); the newest drill, on 2026-11-28, FAILED");
    expect(neverSucceeded).toMatchObject({ shown: "estimated", statement: "RTO estimated: about 1 hour 30 minutes (objective 4 hours); the newest drill, on 2026-11-28, FAILED and none has succeeded" });
  });

  it("prints the RTO sentence, the drill schedule and where the jobs run in the runbook", () => {
    const read = withDrillRecords(posture, [drill("2026-11-28T03:00:00.000Z", "succeeded", 720)]);
    const runbook = renderRunbook({
      ...read,
      sources: read.sources.map((s) => ({ ...s, drill: { every: "every 30 days", job: "prod-app-db-drill" }, jobs: [{ job: "backup", runtime: "fargate", expectedMinutes: 43, basis: "assumed", reason: "expected 43 minutes" }] })),
    });

    expect(runbook).toContain("RTO measured on 2026-11-28: 12 minutes (objective 4 hours).");
    expect(runbook).toContain("Restore drill: every 30 days by `prod-app-db-drill`; records in `drills/app-db/` of the vault.");
    expect(runbook).toContain("- backup: ECS Fargate, expected 43 minutes.");
    expect(runbook).toContain("Scheduled drills restore each source's newest backup into a scratch target, check it and record the measured restore time: app-db every 30 days.");
  });
});

describe("the drill job's role", () => {
  it("reads the source's backups, writes only its drill records, and writes and deletes only under the scratch prefix", () => {
    const statements = drillRoleStatements(
      { bucketArn: "arn:aws:s3:::vault", keyArn: "arn:key" },
      "uploads",
      { logGroupArn: "arn:logs", deadLetterQueueArn: "arn:sqs", jobKeyArn: "arn:jobkey", secretArns: [], vpc: false },
      { bucketArn: "arn:aws:s3:::scratch", prefix: "lifeboat-drill/" },
    );

    expect(statements.map((s) => s.Sid)).toEqual(["ReadBackups", "ListBackups", "UseVaultKeyThroughS3", "WriteLogs", "ReportFailedRuns", "UseJobKey", "WriteDrillRecords", "EncryptDrillRecords", "RestoreIntoScratch", "ListScratch"]);
    expect(statements.find((s) => s.Sid === "ReadBackups")!.Resource).toEqual(["arn:aws:s3:::vault/uploads/*"]);
    expect(statements.find((s) => s.Sid === "WriteDrillRecords")).toEqual({ Sid: "WriteDrillRecords", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::vault/drills/uploads/*"] });
    expect(statements.find((s) => s.Sid === "RestoreIntoScratch")!.Resource).toEqual(["arn:aws:s3:::scratch/lifeboat-drill/*"]);
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("s3:Delete"))).toEqual(["s3:DeleteObject"]);
  });
});
