import { describe, expect, it } from "vitest";
import { lifecycleRules, LifeboatValidationError, resolveRetention, type RetentionArgs } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const subject = 'BackupVault "vault"';

describe("resolveRetention", () => {
  it("defaults to dailies 35 days, weeklies 90, monthlies 365, noncurrent versions 30, no archive", () => {
    const retention = resolveRetention(undefined, subject);

    expect(retention).toEqual({ tiers: { daily: 35, weekly: 90, monthly: 365 }, noncurrentDays: 30, abortIncompleteUploadDays: 7 });
  });

  it("fills weekly from daily and monthly from weekly when they are not given", () => {
    expect(resolveRetention({ daily: "14d" }, subject).tiers).toEqual({ daily: 14, weekly: 14, monthly: 14 });
    expect(resolveRetention({ daily: "7d", weekly: "5w" }, subject).tiers).toEqual({ daily: 7, weekly: 35, monthly: 35 });
  });

  it("archives only the tiers kept at least archiveAfter plus the class's minimum storage days", () => {
    const retention = resolveRetention({ daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, subject);

    // Glacier IR bills 90 days: a tier archived at day 30 must live to day 120. Only monthly does.
    expect(retention.archive).toEqual({ afterDays: 30, storageClass: "GLACIER_IR", tiers: ["monthly"] });
  });

  it("uses Deep Archive's 180-day minimum when asked for that class", () => {
    const retention = resolveRetention({ daily: "35d", weekly: "200d", monthly: "1y", archiveAfter: "20d", archiveClass: "DEEP_ARCHIVE" }, subject);

    expect(retention.archive?.tiers).toEqual(["weekly", "monthly"]);
  });

  it("reports every problem in one error", () => {
    const error = errorOf(() => resolveRetention({ daily: "40d", weekly: "7d", monthly: "3d", noncurrentVersions: "0d" }, subject)) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems.map((p) => p.argument)).toEqual(["retention.weekly", "retention.monthly", "retention.noncurrentVersions"]);
    expect(error.message).toMatch(/^BackupVault "vault": 3 problems in the arguments:/);
  });
});

describe("lifecycleRules", () => {
  it("writes one tag-filtered rule per tier, a housekeeping rule for every object, and the archive transition", () => {
    const rules = lifecycleRules(resolveRetention({ daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, subject));

    expect(rules).toEqual([
      { id: "tier-daily", tag: { key: "tier", value: "daily" }, expirationDays: 35, transitions: [] },
      { id: "tier-weekly", tag: { key: "tier", value: "weekly" }, expirationDays: 90, transitions: [] },
      { id: "tier-monthly", tag: { key: "tier", value: "monthly" }, expirationDays: 365, transitions: [{ days: 30, storageClass: "GLACIER_IR" }] },
      {
        id: "noncurrent-versions-and-uploads",
        expiredObjectDeleteMarker: true,
        transitions: [],
        noncurrentVersionExpirationDays: 30,
        abortIncompleteMultipartUploadDays: 7,
      },
    ]);
  });

  it("adds a rule expiring every object early enough for its noncurrent version to be gone at the maximum", () => {
    const rules = lifecycleRules(resolveRetention({ daily: "7d", weekly: "30d", monthly: "180d", maxRetention: "400d" }, subject));

    // 400 days at most in all: current for 370, then noncurrent for 30.
    expect(rules.at(-1)).toEqual({ id: "max-retention", expirationDays: 370, transitions: [] });
    expect(rules.find((r) => r.id === "max-retention")?.tag).toBeUndefined();
  });

  it("never puts delete-marker cleanup or upload aborts in a tag-filtered rule (S3 refuses them there)", () => {
    const rules = lifecycleRules(resolveRetention({ daily: "35d" }, subject));

    for (const rule of rules.filter((r) => r.tag)) {
      expect(rule.expiredObjectDeleteMarker).toBeUndefined();
      expect(rule.abortIncompleteMultipartUploadDays).toBeUndefined();
    }
  });
});

/** Invalid retention arguments: each must fail naming the argument and the value received. */
const invalid: Array<[string, RetentionArgs | Record<string, unknown>, string, string]> = [
  ["a daily retention that is not a duration", { daily: "forever" }, "retention.daily", '"forever"'],
  ["a missing daily retention", { weekly: "90d" }, "retention.daily", "not set"],
  ["a retention in hours", { daily: "36h" }, "retention.daily", "36 hours"],
  ["weekly shorter than daily", { daily: "35d", weekly: "14d" }, "retention.weekly", "14 days"],
  ["monthly shorter than weekly", { daily: "7d", weekly: "90d", monthly: "30d" }, "retention.monthly", "30 days"],
  ["an archive that fits no tier", { daily: "7d", weekly: "30d", monthly: "60d", archiveAfter: "30d" }, "retention.archiveAfter", "30 days"],
  ["Standard-IA sooner than 30 days", { daily: "35d", monthly: "1y", archiveAfter: "10d", archiveClass: "STANDARD_IA" }, "retention.archiveAfter", "10 days"],
  ["an archive class S3 does not offer for vaults", { daily: "35d", monthly: "1y", archiveAfter: "30d", archiveClass: "ONEZONE_IA" }, "retention.archiveClass", '"ONEZONE_IA"'],
  ["an explicitly archived tier too short for the class", { daily: "35d", monthly: "1y", archiveAfter: "30d", archiveTiers: ["daily"] }, "retention.daily", "35 days"],
  ["an archive class without archiveAfter", { daily: "35d", archiveClass: "GLACIER" }, "retention.archiveClass", '"GLACIER"'],
  ["a maximum shorter than a tier", { daily: "35d", monthly: "1y", maxRetention: "180d" }, "retention.maxRetention", "180 days"],
  ["a maximum the noncurrent versions outlive", { daily: "35d", monthly: "1y", maxRetention: "365d" }, "retention.maxRetention", "365 days"],
  ["no time to undo a deletion", { daily: "35d", noncurrentVersions: "0d" }, "retention.noncurrentVersions", "0 days"],
  ["a misspelt setting", { daily: "35d", montly: "1y" }, "retention.montly", '"1y"'],
];

describe("invalid retention", () => {
  it.each(invalid)("refuses %s", (_what, args, argument, value) => {
    const error = errorOf(() => resolveRetention(args as RetentionArgs, subject)) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    expect(error.message).toContain(`\`${argument}\` (${value})`);
  });
});
