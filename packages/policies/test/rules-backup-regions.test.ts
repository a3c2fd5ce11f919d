import { describe, expect, it } from "vitest";
import { backupPlanCrossRegionCopy, backupPlanLifecycle, backupVaultLock, dataStoreAllowedRegions } from "../src";
import { onStack, onTemplate, summary } from "./fixtures/judge";
import { compliantStack, withProps, without } from "./fixtures/pulumi-stack";
import { compliantTemplate, withCfn } from "./fixtures/template";

const stack = compliantStack();
const template = compliantTemplate();
const planRule = (change: (r: any) => any) => (p: any) => ({ ...p, rules: [change(structuredClone(p.rules[0]))] });
const cfnRule = (change: (r: any) => any) => (p: any) => ({ BackupPlan: { ...p.BackupPlan, BackupPlanRule: [change(structuredClone(p.BackupPlan.BackupPlanRule[0]))] } });

describe("backup-plan-lifecycle", () => {
  it("passes delete 365 days after cold storage at 30", () => {
    expect(onStack(backupPlanLifecycle, stack)).toEqual([]);
    expect(onTemplate(backupPlanLifecycle, template)).toEqual([]);
  });
  it.each([
    ["a rule deleted less than 90 days after cold storage", planRule((r) => ({ ...r, lifecycle: { coldStorageAfter: 30, deleteAfter: 100 } })), 'Rule "daily" deletes after 100 days, less than cold storage (30 days) + 90 days.'],
    ["a copy deleted less than 90 days after cold storage", planRule((r) => ({ ...r, copyActions: [{ ...r.copyActions[0], lifecycle: { coldStorageAfter: 10, deleteAfter: 20 } }] })), 'Copy 1 of rule "daily" deletes after 20 days'],
    ["a continuous rule kept 60 days", planRule((r) => ({ ...r, enableContinuousBackup: true, lifecycle: { deleteAfter: 60 } })), 'Rule "daily" is continuous but keeps 60 days.'],
  ])("fails %s", (_, change, message) => {
    const findings = onStack(backupPlanLifecycle, withProps(stack, "plan", change));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("fails a template rule with cold storage too close to deletion", () => {
    expect(onTemplate(backupPlanLifecycle, withCfn(template, "Plan", cfnRule((r) => ({ ...r, Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 90 } }))))[0]?.resource).toBe("Plan");
  });
});

describe("backup-plan-cross-region-copy", () => {
  it("is off unless required", () => {
    expect(onStack(backupPlanCrossRegionCopy, withProps(stack, "plan", planRule((r) => ({ ...r, copyActions: [] }))))).toEqual([]);
  });
  it("passes a copy to another region when required", () => {
    expect(onStack(backupPlanCrossRegionCopy, stack, { requireCrossRegionBackups: true })).toEqual([]);
    expect(onTemplate(backupPlanCrossRegionCopy, template, { requireCrossRegionBackups: true })).toEqual([]);
  });
  it("fails no copy, and a copy in the plan's own region", () => {
    expect(summary(onStack(backupPlanCrossRegionCopy, withProps(stack, "plan", planRule((r) => ({ ...r, copyActions: [] }))), { requireCrossRegionBackups: true }))).toEqual(['plan: Rule "daily" copies recovery points nowhere.']);
    const local = withProps(stack, "plan", planRule((r) => ({ ...r, copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:local" }] })));
    expect(summary(onStack(backupPlanCrossRegionCopy, local, { requireCrossRegionBackups: true }))).toEqual(['plan: Rule "daily" copies only within us-east-1.']);
    expect(onTemplate(backupPlanCrossRegionCopy, withCfn(template, "Plan", cfnRule((r) => ({ ...r, CopyActions: [] }))), { requireCrossRegionBackups: true })[0]?.resource).toBe("Plan");
  });
  it("fails a copy outside allowedRegions", () => {
    expect(onStack(backupPlanCrossRegionCopy, stack, { allowedRegions: ["us-east-1", "eu-west-1"] })[0]?.actual).toBe("arn:aws:backup:us-west-2:123456789012:backup-vault:dr-copy");
  });
});

describe("backup-vault-lock", () => {
  it("passes a locked vault, and an unlocked one when no lock is required", () => {
    expect(onStack(backupVaultLock, stack, { requireVaultLock: true })).toEqual([]);
    expect(onTemplate(backupVaultLock, template, { requireVaultLock: true })).toEqual([]);
    expect(onStack(backupVaultLock, without(stack, "dr-vault-lock"))).toEqual([]);
  });
  it("fails a vault without a lock when required", () => {
    expect(summary(onStack(backupVaultLock, without(stack, "dr-vault-lock"), { requireVaultLock: true }))).toEqual(["dr-vault: The backup vault has no Vault Lock."]);
    expect(onTemplate(backupVaultLock, withCfn(template, "BackupVault", ({ LockConfiguration: _, ...p }) => p), { requireVaultLock: true })[0]?.resource).toBe("BackupVault");
  });
  it("fails a lock changeable for less than 3 days, required or not", () => {
    expect(summary(onStack(backupVaultLock, withProps(stack, "dr-vault-lock", (p) => ({ ...p, changeableForDays: 1 }))))).toEqual(["dr-vault: The Vault Lock is changeable for 1 day(s); AWS requires at least 3."]);
  });
});

describe("data-store-allowed-regions", () => {
  const allowed = { allowedRegions: ["us-east-1", "us-west-2", "fra1"] };
  it("is off unless allowedRegions is set, and passes stores in allowed regions", () => {
    expect(onStack(dataStoreAllowedRegions, stack)).toEqual([]);
    expect(onStack(dataStoreAllowedRegions, stack, allowed)).toEqual([]);
    expect(onTemplate(dataStoreAllowedRegions, template, { allowedRegions: ["eu-west-1"] }, "eu-west-1")).toEqual([]);
  });
  it("fails a replica whose provider is in a region not allowed", () => {
    expect(summary(onStack(dataStoreAllowedRegions, stack, { allowedRegions: ["us-east-1", "fra1"] }))).toEqual([
      "backups-replica: The data store is in us-west-2, which is not an allowed region (us-east-1, fra1).",
      "main-db-backups-dr: The data store is in us-west-2, which is not an allowed region (us-east-1, fra1).",
    ]);
  });
  it("fails DigitalOcean stores in other regions, and every store of a template in another region", () => {
    expect(summary(onStack(dataStoreAllowedRegions, stack, { allowedRegions: ["us-east-1", "us-west-2"] }))).toEqual([
      "do-backups: The data store is in fra1, which is not an allowed region (us-east-1, us-west-2).",
      "do-db: The data store is in fra1, which is not an allowed region (us-east-1, us-west-2).",
    ]);
    expect(onTemplate(dataStoreAllowedRegions, template, { allowedRegions: ["eu-west-1"] }, "us-east-1").map((f) => f.resource)).toEqual(["VaultBucket", "Database", "Cluster", "Cache", "Table", "BackupVault"]);
  });
});
