import { describe, expect, it } from "vitest";
import { ReplicatedBackupVault } from "@lifeboat/constructs/pulumi/aws";
import { evaluate, factsFromPulumi, fromRecorded, RULES } from "@lifeboat/policies";
import { Recorder } from "@lifeboat/constructs/testing";

/** Records `build` and judges it with every rule under `config`. */
async function judgeBuilt(build: () => void, config: Parameters<typeof evaluate>[2]) {
  const recorder = new Recorder();
  build();
  await recorder.settle();
  return evaluate(factsFromPulumi(recorder.resources.map(fromRecorded)), RULES, config).findings;
}

describe("constructs judged by the policy rules they are meant to satisfy", () => {
  it("a vault with a maximum retention passes the same maximum, noncurrent versions included", async () => {
    const findings = await judgeBuilt(
      () => new ReplicatedBackupVault("backups", { retention: { daily: "35d", weekly: "90d", monthly: "1y", maxRetention: "400d" }, replica: { region: "us-west-2" } }),
      { maximumRetentionDays: 400 },
    );

    expect(findings).toEqual([]);
  });

  it("the same vault fails a maximum shorter than what it keeps", async () => {
    const findings = await judgeBuilt(
      () => new ReplicatedBackupVault("backups", { retention: { daily: "35d", weekly: "90d", monthly: "1y", maxRetention: "400d" }, replica: { region: "us-west-2" } }),
      { maximumRetentionDays: 390 },
    );

    expect(findings.map((f) => f.ruleId)).toContain("s3-vault-maximum-retention");
  });

  it("a locked vault passes when Object Lock is required", async () => {
    const findings = await judgeBuilt(
      () => new ReplicatedBackupVault("backups", { objectLock: { mode: "COMPLIANCE" }, replica: { region: "us-west-2" } }),
      { requireObjectLock: true, objectLockMode: "COMPLIANCE" },
    );

    expect(findings).toEqual([]);
  });
});
