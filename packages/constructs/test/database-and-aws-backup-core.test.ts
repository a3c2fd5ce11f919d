import { describe, expect, it } from "vitest";
import { type BackupRulePlan, checkAutomatedBackupRetention, checkSnapshotIdentifier, checkWeeklyWindow, DEFAULT_MAINTENANCE_WINDOW, startsNearMaintenance, type WeeklyWindow, planAwsBackup, scopeSuffix, planDatabaseAdoption, planDatabaseBackup, planServiceMonitor, Problems } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

describe("planDatabaseBackup", () => {
  it("defaults to a week of backups, a 03:00 UTC window, Sunday maintenance and a final snapshot named after the database and its stack", () => {
    const plan = planDatabaseBackup({ engine: "rds-instance", name: "orders", scope: "shop/prod", key: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555" }, "t");

    expect(plan).toEqual({ engine: "rds-instance", retentionDays: 7, backupWindow: "03:00-04:00", maintenanceWindow: "sun:05:00-sun:06:00", finalSnapshotIdentifier: `orders-final-snapshot-${scopeSuffix("shop/prod")}`, deletionProtection: true });
  });

  it("names the final snapshots of the same database in two stacks differently, each a valid snapshot identifier", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

    const ids = ["shop/prod", "shop/staging"].map((scope) => planDatabaseBackup({ engine: "rds-instance", name: "app-db", scope, key }, "t").finalSnapshotIdentifier as string);

    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) {
      const problems = new Problems();
      checkSnapshotIdentifier(id, "id", problems);
      expect(problems.isEmpty).toBe(true);
    }
  });

  it("accepts a key known only at deploy time without judging it", () => {
    const plan = planDatabaseBackup({ engine: "elasticache", name: "sessions", scope: "shop/prod", key: { apply: () => undefined }, retention: "35d" }, "t");

    expect(plan.retentionDays).toBe(35);
  });
});

describe("checkAutomatedBackupRetention", () => {
  it("accepts 1 to 35 days and refuses 0 and 36", () => {
    const problems = new Problems();

    expect([checkAutomatedBackupRetention("1d", "r", problems, "rds-instance"), checkAutomatedBackupRetention("5w", "r", problems, "aurora-cluster")]).toEqual([1, 35]);
    expect(checkAutomatedBackupRetention("0d", "r", problems, "elasticache")).toBeUndefined();
    expect(checkAutomatedBackupRetention("36d", "r", problems, "rds-instance")).toBeUndefined();
    expect(problems.all.map((p) => p.value)).toEqual(["0 days", "36 days"]);
  });
});

describe("planDatabaseAdoption", () => {
  it("replicates an RDS instance's backups for 7 days by default, taking the source region from its ARN", () => {
    const plan = planDatabaseAdoption({ engine: "rds-instance", reference: "arn:aws:rds:eu-west-1:123456789012:db:orders", dr: { region: "eu-central-1" }, primaryRegion: "us-east-1" }, "t");

    expect(plan).toEqual({ engine: "rds-instance", replication: { region: "eu-central-1", retentionDays: 7 } });
  });

  it("refuses a DR region equal to the region in the database's ARN, whatever the configured region", () => {
    const error = errorOf(() => planDatabaseAdoption({ engine: "rds-instance", reference: "arn:aws:rds:eu-west-1:123456789012:db:orders", dr: { region: "eu-west-1" }, primaryRegion: "us-east-1" }, "t"));

    expect(error.message).toContain("`dr.region` (\"eu-west-1\") must differ from the database's region (eu-west-1)");
  });
});

describe("planAwsBackup", () => {
  const base = { drRegion: "us-west-2", selection: { resources: ["arn:aws:rds:us-east-1:123456789012:db:orders"] } };

  it("derives daily, weekly and monthly rules from the default tiers, a governance lock at the shortest, and weekly RDS restore tests", () => {
    const plan = planAwsBackup(base, "t");

    expect(plan.rules.map((r) => [r.name, r.schedule, r.deleteAfterDays, r.continuous])).toEqual([
      ["daily", "cron(0 1 ? * * *)", 35, false],
      ["weekly", "cron(0 1 ? * SUN *)", 90, false],
      ["monthly", "cron(0 1 1 * ? *)", 365, false],
    ]);
    expect(plan.lock).toEqual({ mode: "GOVERNANCE", minRetentionDays: 35 });
    expect(plan.restoreTesting).toEqual({
      schedule: "cron(0 9 ? * MON *)",
      validationWindowHours: 1,
      startWindowHours: 24,
      selectionWindowDays: 7,
      algorithm: "LATEST_WITHIN_WINDOW",
      resourceType: "RDS",
      recoveryPointTypes: ["SNAPSHOT"],
    });
    expect(plan.vaultEvents).toEqual(["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"]);
  });

  it("starts its default rules clear of the default RDS maintenance window and the hour before it, so the Sunday backup runs", () => {
    const plan = planAwsBackup({ ...base, maintenanceWindows: [DEFAULT_MAINTENANCE_WINDOW] }, "t");
    const problems = new Problems();
    const maintenance = checkWeeklyWindow(DEFAULT_MAINTENANCE_WINDOW, "m", problems, { minMinutes: 30, service: "RDS" }) as WeeklyWindow;
    const weekly = plan.rules.find((r) => r.name === "weekly") as BackupRulePlan;
    const [minute, hour] = weekly.schedule.replace("cron(", "").split(" ").map(Number) as [number, number];

    expect(startsNearMaintenance(hour * 60 + minute, weekly.startWindowMinutes, [0], maintenance)).toBe(false);
    expect(planAwsBackup(base, "t").rules.map((r) => r.schedule)).toEqual(plan.rules.map((r) => r.schedule));
  });

  it("refuses a backup time whose Sunday start window reaches into the hour before the maintenance window", () => {
    const error = errorOf(() => planAwsBackup({ ...base, backupTime: "05:00", maintenanceWindows: ["sun:05:00-sun:06:00"] }, "t"));

    expect(error.message).toContain('`backupTime` ("05:00") with a start window of 1 hour lets the daily and weekly and monthly backup start in or within an hour before the maintenance window "sun:05:00-sun:06:00"');
  });

  it("moves its default time past maintenance windows that rule 01:00 out", () => {
    const plan = planAwsBackup({ ...base, maintenanceWindows: ["mon:00:30-mon:02:00"] }, "t");

    expect(plan.rules.map((r) => r.schedule)).toEqual(["cron(0 2 ? * * *)", "cron(0 2 ? * SUN *)", "cron(0 2 1 * ? *)"]);
  });

  it("checks only the weekly rule's Sunday against a Sunday window, and every day for the daily rule", () => {
    const problems = new Problems();
    const sunday = checkWeeklyWindow("sun:05:00-sun:06:00", "m", problems, { minMinutes: 30, service: "RDS" }) as WeeklyWindow;
    const wednesday = checkWeeklyWindow("wed:05:00-wed:06:00", "m", problems, { minMinutes: 30, service: "RDS" }) as WeeklyWindow;

    expect([startsNearMaintenance(4 * 60, 60, [0], sunday), startsNearMaintenance(4 * 60, 60, [0], wednesday), startsNearMaintenance(4 * 60, 60, undefined, wednesday)]).toEqual([true, false, true]);
    expect(startsNearMaintenance(3 * 60, 60, undefined, sunday)).toBe(false);
    expect(startsNearMaintenance(6 * 60, 60, undefined, sunday)).toBe(false);
  });

  it("accepts cold storage exactly 90 days before deletion and a compliance lock changeable for 72 hours", () => {
    const plan = planAwsBackup({ ...base, retention: { daily: "120d" }, coldStorage: { after: "30d" }, lock: { mode: "COMPLIANCE", changeableFor: "72h" }, backupTime: "23:45" }, "t");

    expect(plan.rules).toEqual([
      { name: "daily", tier: "daily", schedule: "cron(45 23 ? * * *)", continuous: false, deleteAfterDays: 120, coldStorageAfterDays: 30, startWindowMinutes: 60, completionWindowMinutes: 1440 },
    ]);
    expect(plan.lock).toEqual({ mode: "COMPLIANCE", minRetentionDays: 120, changeableForDays: 3 });
  });

  it("sets the lock's minimum to a shorter continuous rule", () => {
    const plan = planAwsBackup({ ...base, continuousBackup: { retention: "14d" } }, "t");

    expect(plan.rules.at(-1)).toMatchObject({ name: "continuous", continuous: true, deleteAfterDays: 14 });
    expect(plan.lock?.minRetentionDays).toBe(14);
  });
});

describe("planServiceMonitor", () => {
  it("watches the health check for 2 one-minute periods and treats missing data deliberately per alarm", () => {
    const plan = planServiceMonitor(
      { topic: "arn:aws:sns:us-east-1:123456789012:alerts", healthCheck: { fqdn: "app.example.com" }, loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188" }, database: { identifier: "orders", maxConnections: 100, allocatedStorageGiB: 20 } },
      "t",
    );

    expect([plan.healthCheck.alarm, plan.loadBalancer5xx!, plan.database!.connections, plan.database!.storage].map((a) => [a.evaluationPeriods, a.comparison, a.threshold, a.treatMissingData])).toEqual([
      [2, "LessThanThreshold", 1, "breaching"],
      [1, "GreaterThanThreshold", 5, "notBreaching"],
      [5, "GreaterThanOrEqualToThreshold", 80, "notBreaching"],
      [1, "LessThanThreshold", undefined, "missing"],
    ]);
  });
});
