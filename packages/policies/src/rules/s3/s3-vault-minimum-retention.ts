import type { Rule } from "../../engine/rule";
import { minimumRetentionViolations } from "../support/retention";
import { vaults } from "../support/vaults";

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
    return vaults(facts.buckets, settings).flatMap((b) => minimumRetentionViolations(b, b.lifecycle ?? [], settings.minimumRetentionDays));
  },
};
