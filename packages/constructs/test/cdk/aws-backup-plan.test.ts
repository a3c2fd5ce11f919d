import type { Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { AlertTopic, AwsBackupPlan, type AwsBackupPlanProps } from "@lifeboat/constructs/cdk";
import { scopeSuffix } from "@lifeboat/constructs/core";
import { all, newStack, only, templateOf } from "./support";

const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const base: AwsBackupPlanProps = { selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC };

function synth(props: Partial<AwsBackupPlanProps> = {}) {
  const { app, stack } = newStack();
  const plan = new AwsBackupPlan(stack, "Dbs", { ...base, ...props });
  const dr = app.node.findChild("Primary-dr-us-west-2") as Stack;
  return { plan, template: templateOf(stack), dr: templateOf(dr), suffix: scopeSuffix(`${stack.stackName}/${stack.node.path}/Dbs`) };
}

const idOf = (template: ReturnType<typeof templateOf>, type: string) => Object.keys(template.findResources(type))[0]!;
/** The plan's role (the stack also holds CDK's cross-region export reader's). */
const backupRoleId = (template: ReturnType<typeof templateOf>) => Object.keys(template.findResources("AWS::IAM::Role", { Properties: { Description: "AWS Backup backs up and restores for the Lifeboat plan Dbs" } }))[0]!;

describe("AwsBackupPlan (CDK)", () => {
  it("synthesizes a retained vault under its own key, locked at the shortest rule, notifying the topic of failures only", () => {
    const { template } = synth();
    const vault = only(template, "AWS::Backup::BackupVault");

    expect(vault.Properties).toMatchObject({
      EncryptionKeyArn: { "Fn::GetAtt": [idOf(template, "AWS::KMS::Key"), "Arn"] },
      LockConfiguration: { MinRetentionDays: 35 },
      Notifications: { BackupVaultEvents: ["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"], SNSTopicArn: TOPIC },
    });
    expect(vault.DeletionPolicy).toBe("Retain");
    expect(only(template, "AWS::KMS::Key").Properties.Description).toBe("Lifeboat AWS Backup vault Dbs");
  });

  it("keeps the DR vault, locked alike and under a key of its own, in the DR region's stack", () => {
    const { dr } = synth({ lock: { mode: "COMPLIANCE", minRetention: "7d", maxRetention: "3y" } });
    const vault = only(dr, "AWS::Backup::BackupVault");

    expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 7, MaxRetentionDays: 1095, ChangeableForDays: 3 });
    expect(vault.Properties.EncryptionKeyArn).toEqual({ "Fn::GetAtt": [idOf(dr, "AWS::KMS::Key"), "Arn"] });
    expect(only(dr, "AWS::KMS::Key").Properties.Description).toBe("Lifeboat AWS Backup DR vault Dbs");
    expect(vault.DeletionPolicy).toBe("Retain");
  });

  it("names the plan uniquely and gives it one UTC rule per tier, each copied to the DR vault with the same lifecycle", () => {
    const { template, suffix } = synth({ retention: { daily: "35d", weekly: "90d", monthly: "2y" }, coldStorage: { after: "30d" } });
    const plan = only(template, "AWS::Backup::BackupPlan").Properties.BackupPlan;
    const vault = idOf(template, "AWS::Backup::BackupVault");

    expect(plan.BackupPlanName).toBe(`Dbs-plan-${suffix}`);
    expect(plan.BackupPlanRule.map((r: Record<string, any>) => ({ ...r, CopyActions: r.CopyActions.map((c: Record<string, unknown>) => c.Lifecycle) }))).toEqual(
      [
        ["daily", "cron(0 1 ? * * *)", { DeleteAfterDays: 35 }],
        ["weekly", "cron(0 1 ? * SUN *)", { DeleteAfterDays: 90 }],
        ["monthly", "cron(0 1 1 * ? *)", { DeleteAfterDays: 730, MoveToColdStorageAfterDays: 30 }],
      ].map(([RuleName, ScheduleExpression, Lifecycle]) => ({
        RuleName,
        ScheduleExpression,
        ScheduleExpressionTimezone: "Etc/UTC",
        StartWindowMinutes: 60,
        CompletionWindowMinutes: 1440,
        EnableContinuousBackup: false,
        TargetBackupVault: { "Fn::GetAtt": [vault, "BackupVaultName"] },
        Lifecycle,
        CopyActions: [Lifecycle],
      })),
    );
    for (const rule of plan.BackupPlanRule) expect(JSON.stringify(rule.CopyActions[0].DestinationBackupVaultArn)).toContain("drVault");
  });

  it("adds a continuous rule of at most 35 days that never goes to cold storage", () => {
    const { template } = synth({ retention: { daily: "60d", monthly: "2y" }, coldStorage: { after: "30d" }, continuousBackup: true });
    const continuous = only(template, "AWS::Backup::BackupPlan").Properties.BackupPlan.BackupPlanRule.find((r: { RuleName: string }) => r.RuleName === "continuous");

    expect(continuous).toMatchObject({ EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 35 } });
    expect(continuous.CopyActions[0].Lifecycle).toEqual({ DeleteAfterDays: 35 });
  });

  it("selects by ARN and by tag under a role only AWS Backup assumes, with AWS's backup and restore policies", () => {
    const { template, suffix } = synth({ selection: { resources: [DB_ARN], tags: { backup: "aws-backup" }, notResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] } });
    const role = template.toJSON().Resources[backupRoleId(template)];
    const roleArn = { "Fn::GetAtt": [backupRoleId(template), "Arn"] };
    const selections = all(template, "AWS::Backup::BackupSelection").map((s) => s.Properties.BackupSelection);

    expect(role.Properties.AssumeRolePolicyDocument).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }] });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/AWSBackupServiceRolePolicyForBackup.*AWSBackupServiceRolePolicyForRestores/);
    expect(selections).toEqual([
      { SelectionName: `Dbs-resources-${suffix}`, IamRoleArn: roleArn, Resources: [DB_ARN], NotResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"] },
      {
        SelectionName: `Dbs-tags-${suffix}`,
        IamRoleArn: roleArn,
        ListOfTags: [{ ConditionType: "STRINGEQUALS", ConditionKey: "backup", ConditionValue: "aws-backup" }],
        NotResources: ["arn:aws:rds:us-east-1:123456789012:db:scratch"],
      },
    ]);
  });

  it("tests RDS restores weekly from the vault under names unique to the stack, keeping the restored database an hour", () => {
    const { template, suffix } = synth();
    const testing = only(template, "AWS::Backup::RestoreTestingPlan").Properties;
    const selection = only(template, "AWS::Backup::RestoreTestingSelection").Properties;

    expect(testing).toEqual({
      RestoreTestingPlanName: `Dbs_restore_testing_${suffix}`,
      ScheduleExpression: "cron(0 9 ? * MON *)",
      ScheduleExpressionTimezone: "Etc/UTC",
      StartWindowHours: 24,
      RecoveryPointSelection: { Algorithm: "LATEST_WITHIN_WINDOW", IncludeVaults: [{ "Fn::GetAtt": [idOf(template, "AWS::Backup::BackupVault"), "BackupVaultArn"] }], RecoveryPointTypes: ["SNAPSHOT"], SelectionWindowDays: 7 },
    });
    expect(selection).toEqual({
      RestoreTestingSelectionName: `Dbs_rds_${suffix}`,
      RestoreTestingPlanName: `Dbs_restore_testing_${suffix}`,
      ProtectedResourceType: "RDS",
      ProtectedResourceArns: ["*"],
      IamRoleArn: { "Fn::GetAtt": [backupRoleId(template), "Arn"] },
      ValidationWindowHours: 1,
    });
  });

  it("tests the Aurora clusters asked for with restore metadata overrides, or nothing when told", () => {
    const tested = synth({ restoreTesting: { resources: ["arn:aws:rds:us-east-1:123456789012:cluster:orders"], resourceType: "Aurora", validationWindow: "0h", metadataOverrides: { dbClusterInstanceClass: "db.r6g.large" } } });
    const off = synth({ restoreTesting: false });

    expect(only(tested.template, "AWS::Backup::RestoreTestingSelection").Properties).toMatchObject({
      ProtectedResourceType: "Aurora",
      ProtectedResourceArns: ["arn:aws:rds:us-east-1:123456789012:cluster:orders"],
      ValidationWindowHours: 0,
      RestoreMetadataOverrides: { dbClusterInstanceClass: "db.r6g.large" },
    });
    expect(all(off.template, "AWS::Backup::RestoreTestingPlan")).toEqual([]);
    expect(all(off.template, "AWS::Backup::RestoreTestingSelection")).toEqual([]);
  });

  it("leaves the vaults unlocked only when told, and deletes them only when the removal policy says so", () => {
    const { template, dr } = synth({ lock: false, removalPolicy: "destroy" as AwsBackupPlanProps["removalPolicy"] });

    expect(only(template, "AWS::Backup::BackupVault").Properties.LockConfiguration).toBeUndefined();
    expect(only(dr, "AWS::Backup::BackupVault").Properties.LockConfiguration).toBeUndefined();
    expect(only(template, "AWS::Backup::BackupVault").DeletionPolicy).toBe("Delete");
  });

  it("uses an AlertTopic it is given and exposes the rules the runbook prints", () => {
    const { app, stack } = newStack();
    const alerts = new AlertTopic(stack, "Alerts");
    const plan = new AwsBackupPlan(stack, "Dbs", { ...base, topic: alerts, retention: { daily: "35d", weekly: "91d" }, coldStorage: { after: "1d", tiers: ["weekly"] } });
    void app;

    expect(only(templateOf(stack), "AWS::Backup::BackupVault").Properties.Notifications.SNSTopicArn).toEqual({ Ref: idOf(templateOf(stack), "AWS::SNS::Topic") });
    expect(plan.rules).toEqual([
      { name: "daily", schedule: "cron(0 1 ? * * *)", deleteAfterDays: 35, continuous: false },
      { name: "weekly", schedule: "cron(0 1 ? * SUN *)", deleteAfterDays: 91, coldStorageAfterDays: 1, continuous: false },
    ]);
  });
});
