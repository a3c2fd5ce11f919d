import { describe, expect, it } from "vitest";
import { type AwsBackupPlanDesignInput, designAwsBackupPlan, scopeSuffix, type LifeboatValidationError } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const base: AwsBackupPlanDesignInput = { name: "dbs", scope: "shop/prod", selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC, primaryRegion: "us-east-1" };
const suffix = scopeSuffix("shop/prod");

describe("designAwsBackupPlan", () => {
  it("designs both vaults with created keys' descriptions, no forced destroy, a governance lock at the shortest rule, and keeps them on delete", () => {
    const design = designAwsBackupPlan(base, "t");

    expect(design.vault).toEqual({ keyDescription: "Lifeboat AWS Backup vault dbs", forceDestroy: false, lock: { mode: "GOVERNANCE", minRetentionDays: 35 } });
    expect(design.drVault).toEqual({ keyDescription: "Lifeboat AWS Backup DR vault dbs", forceDestroy: false, lock: { mode: "GOVERNANCE", minRetentionDays: 35 } });
    expect(design.retain).toBe(true);
    expect(design.drRegion).toBe("us-west-2");
  });

  it("names the vaults only when told, and lets protect: false give up retention deliberately", () => {
    const design = designAwsBackupPlan({ ...base, vaultName: "orders", dr: { region: "us-west-2", vaultName: "orders-dr" }, protect: false, lock: false }, "t");

    expect(design.vault).toEqual({ name: "orders", keyDescription: "Lifeboat AWS Backup vault dbs", forceDestroy: false });
    expect(design.drVault).toEqual({ name: "orders-dr", keyDescription: "Lifeboat AWS Backup DR vault dbs", forceDestroy: false });
    expect(design.retain).toBe(false);
  });

  it("gives AWS Backup's role the documented trust policy and both managed policies, each with the child role its attachment is named by", () => {
    const { role } = designAwsBackupPlan(base, "t");

    expect(role).toEqual({
      description: "AWS Backup backs up and restores for the Lifeboat plan dbs",
      trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }] },
      managedPolicies: [
        { role: "backup", name: "service-role/AWSBackupServiceRolePolicyForBackup" },
        { role: "restore", name: "service-role/AWSBackupServiceRolePolicyForRestores" },
      ],
    });
  });

  it("makes one UTC rule per tier, each copied to the DR vault with the same lifecycle, cold storage only where it lasts 90 days", () => {
    const design = designAwsBackupPlan({ ...base, retention: { daily: "35d", weekly: "90d", monthly: "2y" }, coldStorage: { after: "30d" } }, "t");

    expect(design.planName).toBe(`dbs-plan-${suffix}`);
    expect(design.scheduleTimezone).toBe("Etc/UTC");
    expect(design.rules).toEqual([
      { name: "daily", schedule: "cron(0 1 ? * * *)", startWindowMinutes: 60, completionWindowMinutes: 1440, continuous: false, lifecycle: { deleteAfterDays: 35 }, copy: { lifecycle: { deleteAfterDays: 35 } } },
      { name: "weekly", schedule: "cron(0 1 ? * SUN *)", startWindowMinutes: 60, completionWindowMinutes: 1440, continuous: false, lifecycle: { deleteAfterDays: 90 }, copy: { lifecycle: { deleteAfterDays: 90 } } },
      {
        name: "monthly",
        schedule: "cron(0 1 1 * ? *)",
        startWindowMinutes: 60,
        completionWindowMinutes: 1440,
        continuous: false,
        lifecycle: { deleteAfterDays: 730, coldStorageAfterDays: 30 },
        copy: { lifecycle: { deleteAfterDays: 730, coldStorageAfterDays: 30 } },
      },
    ]);
    expect(design.summary).toEqual([
      { name: "daily", schedule: "cron(0 1 ? * * *)", deleteAfterDays: 35, continuous: false },
      { name: "weekly", schedule: "cron(0 1 ? * SUN *)", deleteAfterDays: 90, continuous: false },
      { name: "monthly", schedule: "cron(0 1 1 * ? *)", deleteAfterDays: 730, coldStorageAfterDays: 30, continuous: false },
    ]);
  });

  it("starts every rule when the window that closes at 02:00 is over, with the start and completion windows asked for", () => {
    const design = designAwsBackupPlan({ ...base, maintenanceWindows: ["mon:00:30-mon:02:00"], startWindow: "2h", completionWindow: "8h" }, "t");

    expect(design.rules.map((r) => [r.schedule, r.startWindowMinutes, r.completionWindowMinutes])).toEqual([
      ["cron(0 2 ? * * *)", 120, 480],
      ["cron(0 2 ? * SUN *)", 120, 480],
      ["cron(0 2 1 * ? *)", 120, 480],
    ]);
  });

  it("selects by ARN and by tag under names unique to the deployment, excluding the same resources from both", () => {
    const design = designAwsBackupPlan({ ...base, selection: { resources: [DB_ARN], tags: { backup: "aws-backup" }, notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] } }, "t");

    expect(design.selections).toEqual([
      { role: "resources", name: `dbs-resources-${suffix}`, resources: [DB_ARN], notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] },
      { role: "tags", name: `dbs-tags-${suffix}`, conditions: [{ type: "STRINGEQUALS", key: "backup", value: "aws-backup" }], notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] },
    ]);
  });

  it("fits selection names to AWS Backup's 50 characters without losing the deployment's suffix", () => {
    const design = designAwsBackupPlan({ ...base, name: "a-very-long-estate-name-for-the-orders-databases-aws-backup" }, "t");
    const [selection] = design.selections;

    expect(selection!.name).toHaveLength(50);
    expect(selection!.name).toMatch(new RegExp(`^[A-Za-z0-9._-]+-${suffix}$`));
  });

  it("tests RDS restores weekly from the primary vault under names unique to the deployment, every database unless told", () => {
    const { restoreTesting } = designAwsBackupPlan({ ...base, name: "dbs-main" }, "t");

    expect(restoreTesting).toEqual({
      plan: { name: `dbs_main_restore_testing_${suffix}`, schedule: "cron(0 9 ? * MON *)", scheduleTimezone: "Etc/UTC", startWindowHours: 24, algorithm: "LATEST_WITHIN_WINDOW", recoveryPointTypes: ["SNAPSHOT"], selectionWindowDays: 7 },
      selection: { name: `dbs_main_rds_${suffix}`, resourceType: "RDS", resources: ["*"], validationWindowHours: 1 },
    });
  });

  it("gives two deployments of one plan different restore testing names", () => {
    const a = designAwsBackupPlan(base, "t").restoreTesting!;
    const b = designAwsBackupPlan({ ...base, scope: "shop/staging" }, "t").restoreTesting!;

    expect(a.plan.name).not.toBe(b.plan.name);
    expect(a.selection.name).not.toBe(b.selection.name);
  });

  it("tests the Aurora clusters asked for with restore overrides and continuous recovery points, or nothing when told", () => {
    const design = designAwsBackupPlan(
      { ...base, continuousBackup: true, restoreTesting: { resources: ["arn:aws:rds:us-east-1:123456789012:cluster:orders"], resourceType: "Aurora", validationWindow: "0h", metadataOverrides: { dbClusterInstanceClass: "db.r6g.large" } } },
      "t",
    );

    expect(design.restoreTesting?.plan.recoveryPointTypes).toEqual(["SNAPSHOT", "CONTINUOUS"]);
    expect(design.restoreTesting?.selection).toEqual({
      name: `dbs_aurora_${suffix}`,
      resourceType: "Aurora",
      resources: ["arn:aws:rds:us-east-1:123456789012:cluster:orders"],
      validationWindowHours: 0,
      metadataOverrides: { dbClusterInstanceClass: "db.r6g.large" },
    });
    expect(designAwsBackupPlan({ ...base, restoreTesting: false }, "t").restoreTesting).toBeUndefined();
  });

  it("notifies only the vault events that report failures", () => {
    expect(designAwsBackupPlan(base, "t").notificationEvents).toEqual(["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"]);
  });

  it("reports every problem of the plan and of the component in one error, naming argument, value and fix", () => {
    const error = errorOf(() =>
      designAwsBackupPlan(
        { ...base, topic: undefined, dr: { region: "us-east-1" }, restoreTesting: { resources: ["arn:aws:s3:::bucket"], metadataOverrides: { "db-instance-class": "db.t4g.small" } } },
        'AwsBackupPlan "dbs"',
      ),
    ) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["dr.region", "topic", "restoreTesting.resources[0]", "restoreTesting.metadataOverrides.db-instance-class"]);
    expect(error.message).toMatch(/^AwsBackupPlan "dbs": 4 problems in the arguments:/);
    expect(error.message).toContain('`restoreTesting.resources[0]` ("arn:aws:s3:::bucket") is not an RDS or Aurora ARN');
    expect(error.message).toContain("`topic` (not set) is required");
  });

  it("accepts resources and overrides known only at deploy time without guessing them", () => {
    const token = "${Token[TOKEN.42]}";
    const design = designAwsBackupPlan({ ...base, selection: { resources: [token] }, restoreTesting: { resources: [token], metadataOverrides: { dbSubnetGroupName: token } } }, "t");

    expect(design.selections[0]?.resources).toEqual([token]);
    expect(design.restoreTesting?.selection.resources).toEqual([token]);
  });
});
