import type { Rule, Violation } from "../../engine/rule";
import { maximumRetentionViolation } from "../support/retention";
import { days, vaults } from "../support/vaults";

/** When a maximum is configured, every object in a vault is gone by then (data minimization). */
export const s3VaultMaximumRetention: Rule = {
  id: "s3-vault-maximum-retention",
  area: "s3",
  description: "When `maximumRetentionDays` is set, every object in a backup vault is permanently deleted by that age, noncurrent versions included.",
  cause:
    "No enabled lifecycle rule covering every object expires it; or its expiration plus the noncurrent-version expiration (a versioned bucket keeps an expired object as a noncurrent version) exceeds `maximumRetentionDays`; or Object Lock retains versions longer.",
  explanation:
    "Laws and contracts that limit how long personal data is kept apply to backups too. A tag- or prefix-filtered rule misses untagged objects, and in a versioned bucket an expired object survives as a noncurrent version until that expires too.",
  enforcement: "mandatory",
  settings: ["maximumRetentionDays", "vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketLifecycleConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const max = settings.maximumRetentionDays;
    if (max === undefined) return [];
    const out: Violation[] = [];
    for (const b of vaults(facts.buckets, settings)) {
      const lifetime = maximumRetentionViolation(b, b.lifecycle ?? [], b.versioning === "Enabled" || b.versioning === "Suspended", max);
      if (lifetime) out.push(lifetime);
      if (b.objectLock?.enabled && b.objectLock.days !== undefined && b.objectLock.days > max) {
        out.push({ subject: b, property: "objectLock", message: `Object Lock retains each version ${days(b.objectLock.days)}, more than the maximum of ${days(max)}.`, actual: b.objectLock, fix: `Lock versions for at most ${days(max)}.` });
      }
    }
    return out;
  },
};
