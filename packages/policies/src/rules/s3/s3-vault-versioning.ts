import type { Rule } from "../../engine/rule";
import { vaults } from "../support/vaults";

/** A backup vault keeps every version of every object. */
export const s3VaultVersioning: Rule = {
  id: "s3-vault-versioning",
  area: "s3",
  description: "Backup vault buckets have versioning enabled.",
  cause: "Versioning is absent, suspended or disabled, inline or in a separate BucketVersioning resource.",
  explanation:
    "Without versioning an overwrite or a delete destroys the backup at once: there is no window to undo a mistake or an attack, and S3 replication and Object Lock both require it.",
  enforcement: "mandatory",
  settings: ["vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketVersioning), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    return vaults(facts.buckets, settings)
      .filter((b) => b.versioning !== "Enabled")
      .map((b) => ({
        subject: b,
        property: "versioning",
        message: b.versioning === undefined ? "Versioning is not configured on this backup vault." : `Versioning is "${b.versioning}" on this backup vault.`,
        actual: b.versioning ?? null,
        fix: 'Enable versioning: an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled" (CloudFormation: VersioningConfiguration.Status "Enabled").',
      }));
  },
};
