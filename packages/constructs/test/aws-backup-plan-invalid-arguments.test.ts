// One table of invalid AWS Backup plan arguments, given to both front ends: each is refused before
// anything is created, with the same error from the Pulumi component and the CDK construct, because
// both hand their arguments to core's designAwsBackupPlan.
import { describe, expect, it } from "vitest";
import { AwsBackupPlan as CdkAwsBackupPlan, type AwsBackupPlanProps } from "@lifeboat/constructs/cdk";
import type { LifeboatValidationError } from "@lifeboat/constructs/core";
import { AwsBackupPlan, type AwsBackupPlanArgs } from "@lifeboat/constructs/pulumi/aws";
import { Recorder } from "@lifeboat/constructs/testing";
import { newStack } from "./cdk/support";
import { errorOf } from "./support";

const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const EAST_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
/** The arguments both front ends accept: one passing plan, changed one field at a time. */
const valid = { selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC };

type Case = [what: string, change: Record<string, unknown>, arguments: readonly string[]];
const cases: Case[] = [
  ["a weekly tier kept shorter than the daily one", { retention: { daily: "35d", weekly: "14d" } }, ["retention.weekly"]],
  ["a retention setting that is not a tier", { retention: { daily: "35d", yearly: "5y" } }, ["retention.yearly"]],
  ["a DR region equal to the primary's", { dr: { region: "us-east-1" } }, ["dr.region"]],
  ["a DR region that does not exist", { dr: { region: "mars-1" } }, ["dr.region"]],
  ["a selection of nothing", { selection: {} }, ["selection"]],
  ["a selected resource that is not an ARN", { selection: { resources: ["orders"] } }, ["selection.resources[0]"]],
  ["an excluded resource that is not an ARN", { selection: { resources: [DB_ARN], notResources: ["scratch"] } }, ["selection.notResources[0]"]],
  ["a selection tag key AWS reserves", { selection: { tags: { "aws:backup": "yes" } } }, ["selection.tags"]],
  ["a backup time that is not hh:mm", { backupTime: "1am" }, ["backupTime"]],
  ["a backup time whose Sunday start window reaches the maintenance window", { backupTime: "04:30", maintenanceWindows: ["sun:05:00-sun:06:00"] }, ["backupTime"]],
  ["a maintenance window that is not ddd:hh24:mi-ddd:hh24:mi", { maintenanceWindows: ["Sunday 5am"] }, ["maintenanceWindows[0]"]],
  ["a start window under AWS Backup's 60 minutes", { startWindow: "30m" }, ["startWindow"]],
  ["a completion window no longer than the start window", { startWindow: "2h", completionWindow: "2h" }, ["completionWindow"]],
  ["cold storage for a tier that would not stay there 90 days", { coldStorage: { after: "30d", tiers: ["weekly"] } }, ["retention.weekly"]],
  ["cold storage for continuous backups", { coldStorage: { after: "30d", tiers: ["continuous"] } }, ["coldStorage.tiers"]],
  ["a continuous backup kept beyond 35 days", { continuousBackup: { retention: "40d" } }, ["continuousBackup.retention"]],
  ["a lock minimum above the shortest rule", { lock: { mode: "GOVERNANCE", minRetention: "60d" } }, ["lock.minRetention"]],
  ["a lock maximum below the longest rule", { lock: { mode: "GOVERNANCE", maxRetention: "30d" } }, ["lock.maxRetention", "lock.maxRetention"]],
  ["a governance lock given a changeable period", { lock: { mode: "GOVERNANCE", changeableFor: "3d" } }, ["lock.changeableFor"]],
  ["a compliance lock changeable for less than 72 hours", { lock: { mode: "COMPLIANCE", changeableFor: "1d" } }, ["lock.changeableFor"]],
  ["a lock mode AWS Backup does not have", { lock: { mode: "STRICT" } }, ["lock.mode"]],
  ["a restore test schedule that is not a cron expression", { restoreTesting: { schedule: "rate(7 days)" } }, ["restoreTesting.schedule"]],
  ["a restore test kept beyond 168 hours", { restoreTesting: { validationWindow: "200h" } }, ["restoreTesting.validationWindow"]],
  ["restore tests of something that is not a database", { restoreTesting: { resources: ["arn:aws:s3:::uploads"] } }, ["restoreTesting.resources[0]"]],
  ["a restore metadata key AWS Backup does not use", { restoreTesting: { metadataOverrides: { "db-instance-class": "db.t4g.small" } } }, ["restoreTesting.metadataOverrides.db-instance-class"]],
  ["a vault name with spaces", { vaultName: "orders vault" }, ["vaultName"]],
  ["a DR vault name of one character", { dr: { region: "us-west-2", vaultName: "x" } }, ["dr.vaultName"]],
  ["a vault key ARN that is not a KMS key", { key: "arn:aws:s3:::not-a-key" }, ["key"]],
  ["a DR key in the primary's region", { dr: { region: "us-west-2", key: EAST_KEY } }, ["dr.key"]],
  ["no topic for failures", { topic: undefined }, ["topic"]],
];

function pulumiError(change: Record<string, unknown>): { error: LifeboatValidationError; created: number } {
  const recorder = new Recorder();
  const error = errorOf(() => new AwsBackupPlan("p", { ...valid, primaryRegion: "us-east-1", ...change } as AwsBackupPlanArgs)) as LifeboatValidationError;
  return { error, created: recorder.resources.length };
}

function cdkError(change: Record<string, unknown>): { error: LifeboatValidationError; created: number } {
  const { app, stack } = newStack();
  const error = errorOf(() => new CdkAwsBackupPlan(stack, "p", { ...valid, ...change } as AwsBackupPlanProps)) as LifeboatValidationError;
  return { error, created: stack.node.children.length + app.node.children.length - 1 };
}

describe("AwsBackupPlan arguments, refused alike by the Pulumi component and the CDK construct", () => {
  it.each(cases)("refuses %s, naming the argument, before anything is created", (_what, change, argumentsNamed) => {
    const pulumi = pulumiError(change);
    const cdk = cdkError(change);

    expect(pulumi.error.problems.map((p) => p.argument)).toEqual(argumentsNamed);
    expect(cdk.error.message).toBe(pulumi.error.message);
    expect(pulumi.error.message).toMatch(/^AwsBackupPlan "p": \d+ problems? in the arguments:/);
    expect([pulumi.created, cdk.created]).toEqual([0, 0]);
  });

  it("accepts the passing plan the table starts from in both front ends", () => {
    const { stack } = newStack();

    expect(new CdkAwsBackupPlan(stack, "p", valid).rules.map((r) => r.name)).toEqual(["daily", "weekly", "monthly"]);
    expect(new AwsBackupPlan("p", { ...valid, primaryRegion: "us-east-1" }).rules.map((r) => r.name)).toEqual(["daily", "weekly", "monthly"]);
  });
});
