import type { Rule, Violation } from "../../engine/rule";
import { days, vaults } from "../support/vaults";

/** No backup in a vault expires before the minimum retention. */
export const s3VaultMinimumRetention: Rule = {
  id: "s3-vault-minimum-retention",
  area: "s3",
  description: "No lifecycle rule of a backup vault expires current or noncurrent versions before `minimumRetentionDays`.",
  cause: "An enabled lifecycle rule with an expiration (in days, or on a fixed date) or a noncurrent-version expiration shorter than `minimumRetentionDays`.",
  explanation:
    "A backup deleted by its lifecycle too early is a restore point you no longer have; a short noncurrent expiration shortens the window in which an accidental or malicious delete can be undone.",
  enforcement: "mandatory",
  settings: ["minimumRetentionDays", "vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketLifecycleConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const min = settings.minimumRetentionDays;
    const out: Violation[] = [];
    for (const b of vaults(facts.buckets, settings)) {
      for (const rule of b.lifecycle ?? []) {
        if (!rule.enabled) continue;
        const name = `Lifecycle rule ${rule.id ? `"${rule.id}" ` : ""}(${rule.filter})`;
        if (rule.expirationDays !== undefined && rule.expirationDays < min) {
          out.push({ subject: b, property: "lifecycle", message: `${name} expires backups after ${days(rule.expirationDays)}, less than the minimum of ${days(min)}.`, actual: { rule: rule.id ?? null, expirationDays: rule.expirationDays }, fix: `Expire after at least ${days(min)}, or lower minimumRetentionDays if policy allows.` });
        }
        if (rule.expirationDate !== undefined) {
          out.push({ subject: b, property: "lifecycle", message: `${name} expires every backup on ${rule.expirationDate}, whatever its age.`, actual: { rule: rule.id ?? null, expirationDate: rule.expirationDate }, fix: `Expire by age (expiration.days ≥ ${min}) instead of on a date.` });
        }
        if (rule.noncurrentExpirationDays !== undefined && rule.noncurrentExpirationDays < min) {
          out.push({ subject: b, property: "lifecycle", message: `${name} deletes noncurrent versions after ${days(rule.noncurrentExpirationDays)}, less than the minimum of ${days(min)}: an overwritten or deleted backup can be recovered only that long.`, actual: { rule: rule.id ?? null, noncurrentDays: rule.noncurrentExpirationDays }, fix: `Keep noncurrent versions at least ${days(min)} (noncurrentVersionExpiration.noncurrentDays).` });
        }
      }
    }
    return out;
  },
};
