import { describe, expect, it } from "vitest";
import { Provider } from "@pulumi/aws/provider";
import { scopeSuffix } from "@lifeboat/constructs/core";
import { AlertTopic, AwsBackupPlan, type AwsBackupPlanArgs, deploymentScope } from "@lifeboat/constructs/pulumi/aws";
import { policyOf, record } from "./support";

const T = {
  vault: "aws:backup/vault:Vault",
  plan: "aws:backup/plan:Plan",
  lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  selection: "aws:backup/selection:Selection",
  notifications: "aws:backup/vaultNotifications:VaultNotifications",
  restorePlan: "aws:backup/restoreTestingPlan:RestoreTestingPlan",
  restoreSelection: "aws:backup/restoreTestingSelection:RestoreTestingSelection",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  key: "aws:kms/key:Key",
  provider: "pulumi:providers:aws",
};
const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const base: AwsBackupPlanArgs = { selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC };

type Rule = { ruleName: string; schedule: string; lifecycle: Record<string, number>; copyActions: { destinationVaultArn: string; lifecycle: Record<string, number> }[]; enableContinuousBackup: boolean };
const rulesOf = (rec: Awaited<ReturnType<typeof record>>, name = "dbs-plan") => rec.get(T.plan, name).inputs.rules as Rule[];

describe("AwsBackupPlan", () => {
  it("encrypts the vault with its own key and keeps the DR vault, with a key of its own, in the DR region", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", base));
    const provider = rec.get(T.provider, "dbs-dr-provider");
    const vault = rec.get(T.vault, "dbs-vault");
    const drVault = rec.get(T.vault, "dbs-dr-vault");
    const drKey = rec.get(T.key, "dbs-dr-key-key");

    expect(provider.inputs.region).toBe("us-west-2");
    expect(vault.inputs).toEqual({ kmsKeyArn: rec.get(T.key, "dbs-key-key").outputs.arn, forceDestroy: false });
    expect(vault.protect).toBe(true);
    expect(drVault.provider).toBe(provider.urn);
    expect(drVault.inputs).toEqual({ kmsKeyArn: drKey.outputs.arn, forceDestroy: false });
    expect(drVault.outputs.arn).toMatch(/^arn:aws:backup:us-west-2:/);
    expect(drKey.outputs.arn).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(drVault.protect).toBe(true);
  });

  it("makes a rule per tier with the tier's retention, each copied to the DR vault with the same lifecycle", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, retention: { daily: "35d", weekly: "90d", monthly: "1y" } }));
    const drVaultArn = rec.get(T.vault, "dbs-dr-vault").outputs.arn;
    const vaultName = rec.get(T.vault, "dbs-vault").outputs.name;

    expect(rulesOf(rec)).toEqual(
      [
        ["daily", "cron(0 1 ? * * *)", 35],
        ["weekly", "cron(0 1 ? * SUN *)", 90],
        ["monthly", "cron(0 1 1 * ? *)", 365],
      ].map(([ruleName, schedule, deleteAfter]) => ({
        ruleName,
        targetVaultName: vaultName,
        schedule,
        scheduleExpressionTimezone: "Etc/UTC",
        startWindow: 60,
        completionWindow: 1440,
        enableContinuousBackup: false,
        lifecycle: { deleteAfter },
        copyActions: [{ destinationVaultArn: drVaultArn, lifecycle: { deleteAfter } }],
      })),
    );
  });

  it("leaves out a tier kept no longer than the one before it", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, retention: { daily: "35d", weekly: "35d", monthly: "1y" } }));

    expect(rulesOf(rec).map((r) => [r.ruleName, r.lifecycle.deleteAfter])).toEqual([
      ["daily", 35],
      ["monthly", 365],
    ]);
  });

  it("moves to cold storage only the tiers that then stay there 90 days, in the copy too", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, retention: { daily: "35d", weekly: "90d", monthly: "2y" }, coldStorage: { after: "30d" } }));

    expect(rulesOf(rec).map((r) => [r.ruleName, r.lifecycle, r.copyActions[0]!.lifecycle])).toEqual([
      ["daily", { deleteAfter: 35 }, { deleteAfter: 35 }],
      ["weekly", { deleteAfter: 90 }, { deleteAfter: 90 }],
      ["monthly", { deleteAfter: 730, coldStorageAfter: 30 }, { deleteAfter: 730, coldStorageAfter: 30 }],
    ]);
  });

  it("adds a continuous rule of at most 35 days, never in cold storage, and tests continuous recovery points too", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, retention: { daily: "60d", monthly: "2y" }, coldStorage: { after: "30d" }, continuousBackup: true }));
    const continuous = rulesOf(rec).find((r) => r.ruleName === "continuous")!;

    expect(continuous.enableContinuousBackup).toBe(true);
    expect(continuous.lifecycle).toEqual({ deleteAfter: 35 });
    expect(continuous.copyActions[0]!.lifecycle).toEqual({ deleteAfter: 35 });
    expect((rec.get(T.restorePlan, "dbs-restore-testing").inputs.recoveryPointSelection as { recoveryPointTypes: string[] }).recoveryPointTypes).toEqual(["SNAPSHOT", "CONTINUOUS"]);
  });

  it("locks both vaults in governance mode by default, at the shortest rule's retention", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, retention: { daily: "14d", weekly: "90d" } }));

    expect(rec.get(T.lock, "dbs-vault-lock").inputs).toEqual({ backupVaultName: rec.get(T.vault, "dbs-vault").outputs.name, minRetentionDays: 14 });
    expect(rec.get(T.lock, "dbs-dr-vault-lock").inputs).toEqual({ backupVaultName: rec.get(T.vault, "dbs-dr-vault").outputs.name, minRetentionDays: 14 });
    expect(rec.get(T.lock, "dbs-dr-vault-lock").provider).toBe(rec.get(T.provider, "dbs-dr-provider").urn);
    expect(rec.get(T.plan, "dbs-plan").dependencies).toEqual(expect.arrayContaining([rec.get(T.lock, "dbs-vault-lock").urn, rec.get(T.lock, "dbs-dr-vault-lock").urn]));
  });

  it("locks in compliance mode, changeable for 72 hours, with the bounds asked for", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, lock: { mode: "COMPLIANCE", minRetention: "7d", maxRetention: "3y" } }));

    expect(rec.get(T.lock, "dbs-vault-lock").inputs).toMatchObject({ minRetentionDays: 7, maxRetentionDays: 1095, changeableForDays: 3 });
    expect(rec.get(T.lock, "dbs-dr-vault-lock").inputs).toMatchObject({ minRetentionDays: 7, maxRetentionDays: 1095, changeableForDays: 3 });
  });

  it("leaves the vaults unlocked only when told `lock: false`", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, lock: false }));

    expect(rec.ofType(T.lock)).toEqual([]);
  });

  it("selects by ARN and by tag under a role only AWS Backup assumes, with its managed policies", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, selection: { resources: [DB_ARN], tags: { backup: "aws-backup" }, notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] } }));
    const role = rec.get(T.role, "dbs-role");
    const planId = rec.get(T.plan, "dbs-plan").id;
    const suffix = scopeSuffix(deploymentScope());

    expect(policyOf(role, "assumeRolePolicy").Statement).toEqual([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }]);
    expect(rec.ofType(T.attachment).map((a) => [a.name, a.inputs.role, a.inputs.policyArn])).toEqual([
      ["dbs-backup-policy", role.outputs.name, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
      ["dbs-restore-policy", role.outputs.name, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
    ]);
    expect(rec.get(T.selection, "dbs-selection-resources").inputs).toEqual({
      name: `dbs-resources-${suffix}`,
      planId,
      iamRoleArn: role.outputs.arn,
      resources: [DB_ARN],
      notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"],
    });
    expect(rec.get(T.selection, "dbs-selection-tags").inputs).toEqual({
      name: `dbs-tags-${suffix}`,
      planId,
      iamRoleArn: role.outputs.arn,
      selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "aws-backup" }],
      notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"],
    });
  });

  it("notifies the topic of the vault events that only report failures", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs", { ...base, topic: new AlertTopic("alerts") }));

    expect(rec.get(T.notifications, "dbs-notifications").inputs).toEqual({
      backupVaultName: rec.get(T.vault, "dbs-vault").outputs.name,
      snsTopicArn: rec.get("aws:sns/topic:Topic", "alerts-topic").outputs.arn,
      backupVaultEvents: ["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"],
    });
  });

  it("tests RDS restores weekly from the vault, keeping the restored database an hour", async () => {
    const rec = await record(() => new AwsBackupPlan("dbs-main", base));
    const suffix = scopeSuffix(deploymentScope());
    const testingPlan = rec.get(T.restorePlan, "dbs-main-restore-testing");

    expect(testingPlan.inputs).toEqual({
      name: `dbs_main_restore_testing_${suffix}`,
      scheduleExpression: "cron(0 9 ? * MON *)",
      scheduleExpressionTimezone: "Etc/UTC",
      startWindowHours: 24,
      recoveryPointSelection: {
        algorithm: "LATEST_WITHIN_WINDOW",
        includeVaults: [rec.get(T.vault, "dbs-main-vault").outputs.arn],
        recoveryPointTypes: ["SNAPSHOT"],
        selectionWindowDays: 7,
      },
    });
    expect(rec.get(T.restoreSelection, "dbs-main-restore-testing-selection").inputs).toEqual({
      name: `dbs_main_rds_${suffix}`,
      restoreTestingPlanName: `dbs_main_restore_testing_${suffix}`,
      protectedResourceType: "RDS",
      protectedResourceArns: ["*"],
      iamRoleArn: rec.get(T.role, "dbs-main-role").outputs.arn,
      validationWindowHours: 1,
    });
  });

  it("tests the databases and windows asked for, with restore overrides, or not at all", async () => {
    const rec = await record(() => {
      new AwsBackupPlan("a", { ...base, restoreTesting: { resources: [DB_ARN], validationWindow: "0h", startWindow: "2h", resourceType: "Aurora", metadataOverrides: { dbInstanceClass: "db.t4g.medium" } } });
      new AwsBackupPlan("b", { ...base, restoreTesting: false });
    });

    expect(rec.get(T.restoreSelection, "a-restore-testing-selection").inputs).toMatchObject({
      protectedResourceType: "Aurora",
      protectedResourceArns: [DB_ARN],
      validationWindowHours: 0,
      restoreMetadataOverrides: { dbInstanceClass: "db.t4g.medium" },
    });
    expect(rec.get(T.restorePlan, "a-restore-testing").inputs.startWindowHours).toBe(2);
    expect(rec.ofType(T.restorePlan).map((p) => p.name)).toEqual(["a-restore-testing"]);
  });

  it("exposes the rules, vaults and DR region the runbook prints", async () => {
    let plan: AwsBackupPlan | undefined;
    const rec = await record(() => {
      plan = new AwsBackupPlan("dbs", { ...base, retention: { daily: "35d", weekly: "91d" }, coldStorage: { after: "1d", tiers: ["weekly"] } });
    });
    const outputs = rec.outputsOf(rec.get("lifeboat:aws:AwsBackupPlan", "dbs").urn)!;

    expect(plan!.drRegion).toBe("us-west-2");
    expect(plan!.rules).toEqual([
      { name: "daily", schedule: "cron(0 1 ? * * *)", deleteAfterDays: 35, continuous: false },
      { name: "weekly", schedule: "cron(0 1 ? * SUN *)", deleteAfterDays: 91, coldStorageAfterDays: 1, continuous: false },
    ]);
    expect(outputs).toMatchObject({
      vaultArn: rec.get(T.vault, "dbs-vault").outputs.arn,
      drVaultArn: rec.get(T.vault, "dbs-dr-vault").outputs.arn,
      drRegion: "us-west-2",
      backupPlanId: rec.get(T.plan, "dbs-plan").id,
    });
  });

  it("uses a DR provider and keys it is given instead of creating them", async () => {
    const rec = await record(() => {
      const west = new Provider("west", { region: "us-west-2" });
      new AwsBackupPlan("dbs", {
        ...base,
        key: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        dr: { region: "us-west-2", provider: west, key: "arn:aws:kms:us-west-2:123456789012:key/99999999-2222-3333-4444-555555555555", vaultName: "dbs-dr" },
      });
    });

    expect(rec.ofType(T.key)).toEqual([]);
    expect(rec.ofType(T.provider).map((p) => p.name)).toEqual(["west"]);
    expect(rec.get(T.vault, "dbs-dr-vault").inputs).toEqual({ name: "dbs-dr", kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/99999999-2222-3333-4444-555555555555", forceDestroy: false });
  });
});
