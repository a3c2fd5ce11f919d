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
const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";
/** The arguments both front ends accept: one passing plan, changed one field at a time. */
const valid = { selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC };

type Case = [what: string, change: Record<string, unknown>, argument: string, value: string];
const cases: Case[] = [
  ["an S3 archive setting in AWS Backup retention", { retention: { daily: "35d", archiveAfter: "30d" } as never }, "retention.archiveAfter", '"30d"'],
  ["weekly recovery points kept less than dailies", { retention: { daily: "35d", weekly: "14d" } }, "retention.weekly", "14 days"],
  ["a backup time that is not hh:mm", { backupTime: "5am" }, "backupTime", '"5am"'],
  ["a start window under an hour", { startWindow: "30m" }, "startWindow", "30 minutes"],
  ["a backup time whose start window reaches the hour before a maintenance window", { backupTime: "04:30", maintenanceWindows: ["sun:05:00-sun:06:00"] }, "backupTime", '"04:30"'],
  ["a maintenance window that is not ddd:hh24:mi-ddd:hh24:mi", { maintenanceWindows: ["sunday 5am"] }, "maintenanceWindows[0]", '"sunday 5am"'],
  ["a completion window no longer than the start window", { startWindow: "2h", completionWindow: "2h" }, "completionWindow", "2 hours"],
  ["a tier moved to cold storage less than 90 days before it expires", { retention: { daily: "35d", weekly: "90d", monthly: "365d" }, coldStorage: { after: "30d", tiers: ["weekly"] } }, "retention.weekly", "90 days"],
  ["cold storage that no tier lives long enough for", { retention: { daily: "7d", weekly: "30d", monthly: "100d" }, coldStorage: { after: "30d" } }, "coldStorage.after", "30 days"],
  ["continuous backups moved to cold storage", { continuousBackup: true, coldStorage: { after: "30d", tiers: ["continuous" as never] } }, "coldStorage.tiers", '"continuous"'],
  ["continuous backups kept beyond 35 days", { continuousBackup: { retention: "36d" } }, "continuousBackup.retention", "36 days"],
  ["a DR vault in the primary's region", { dr: { region: "us-east-1" } }, "dr.region", '"us-east-1"'],
  ["a vault name with a dot", { vaultName: "db.backups" }, "vaultName", '"db.backups"'],
  ["a DR vault key outside the DR region", { dr: { region: "eu-west-1", key: WEST_KEY } }, "dr.key", JSON.stringify(WEST_KEY)],
  ["a selection that selects nothing", { selection: {} }, "selection", "{}"],
  ["a selected resource that is not an ARN", { selection: { resources: ["orders"] } }, "selection.resources[0]", '"orders"'],
  ["a selection tag in the aws: namespace", { selection: { tags: { "aws:backup": "yes" } } }, "selection.tags", '"aws:backup"'],
  ["a vault lock minimum above the shortest rule", { lock: { mode: "GOVERNANCE", minRetention: "60d" } }, "lock.minRetention", "60 days"],
  ["a vault lock maximum below the longest rule", { lock: { mode: "GOVERNANCE", maxRetention: "100d" } }, "lock.maxRetention", "100 days"],
  ["a changeable period on a governance lock", { lock: { mode: "GOVERNANCE", changeableFor: "72h" } }, "lock.changeableFor", '"72h"'],
  ["a compliance lock changeable for less than 72 hours", { lock: { mode: "COMPLIANCE", changeableFor: "48h" } }, "lock.changeableFor", "2 days"],
  ["a vault lock mode AWS Backup does not have", { lock: { mode: "LEGAL" as never } }, "lock.mode", '"LEGAL"'],
  ["a restore test validation window beyond 168 hours", { restoreTesting: { validationWindow: "169h" } }, "restoreTesting.validationWindow", "169 hours"],
  ["a restore test start window of zero", { restoreTesting: { startWindow: "0h" } }, "restoreTesting.startWindow", "0 hours"],
  ["a restore test schedule that is not a cron expression", { restoreTesting: { schedule: "weekly" } }, "restoreTesting.schedule", '"weekly"'],
  ["a restore test selection window beyond a year", { restoreTesting: { selectionWindow: "400d" } }, "restoreTesting.selectionWindow", "400 days"],
  ["a DR region that does not exist", { dr: { region: "mars-1" } }, "dr.region", '"mars-1"'],
  ["an excluded resource that is not an ARN", { selection: { resources: [DB_ARN], notResources: ["scratch"] } }, "selection.notResources[0]", '"scratch"'],
  ["restore tests of something that is not a database", { restoreTesting: { resources: ["arn:aws:s3:::uploads"] } }, "restoreTesting.resources[0]", '"arn:aws:s3:::uploads"'],
  ["a restore metadata key AWS Backup does not use", { restoreTesting: { metadataOverrides: { "db-instance-class": "db.t4g.small" } } }, "restoreTesting.metadataOverrides.db-instance-class", '"db-instance-class"'],
  ["a DR vault name of one character", { dr: { region: "us-west-2", vaultName: "x" } }, "dr.vaultName", '"x"'],
  ["a vault key ARN that is not a KMS key", { key: "arn:aws:s3:::not-a-key" }, "key", '"arn:aws:s3:::not-a-key"'],
  ["no topic for failures", { topic: undefined }, "topic", "not set"],
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
  it.each(cases)("refuses %s, naming the argument and value, before anything is created", (_what, change, argument, value) => {
    const pulumi = pulumiError(change);
    const cdk = cdkError(change);

    expect(pulumi.error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    expect(pulumi.error.message).toContain(`\`${argument}\` (${value})`);
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
