import type { Rule, Violation } from "../../engine/rule";
import { vaults } from "../support/vaults";

/** A vault copies every object to a bucket in another region, KMS objects included. */
export const s3VaultReplication: Rule = {
  id: "s3-vault-replication",
  area: "s3",
  description:
    "Backup vaults replicate every object to a bucket in another region (within `allowedRegions` when set), SSE-KMS objects included and re-encrypted with a replica key.",
  cause:
    "With `requireReplication`, a vault that is not itself a replica has no enabled replication rule covering every object. For any replication: a destination in the same region or outside `allowedRegions`, or SSE-KMS objects not selected or no replica KMS key while the vault uses SSE-KMS.",
  explanation:
    "A copy in the same region does not survive a regional outage, and S3 silently skips SSE-KMS encrypted objects unless they are selected for replication and given a key in the destination region: the replica then lacks the very backups it exists for.",
  enforcement: "mandatory",
  settings: ["requireReplication", "allowedRegions", "vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketReplicationConfig), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const out: Violation[] = [];
    for (const b of vaults(facts.buckets, settings)) {
      const rules = (b.replication ?? []).filter((r) => r.enabled);
      if (rules.length === 0) {
        if (settings.requireReplication && b.replicatedFrom.length === 0) {
          out.push({ subject: b, property: "replication", message: "The backup vault replicates nowhere: a regional outage takes every backup with it.", actual: b.replication === undefined ? null : "no enabled rule", fix: "Add an aws.s3.BucketReplicationConfig to a versioned bucket in another region (Lifeboat: ReplicatedBackupVault), or set requireReplication to false." });
        }
        continue;
      }
      if (settings.requireReplication && !rules.some((r) => r.coversEveryObject)) {
        out.push({ subject: b, property: "replication", message: "Replication rules are filtered: objects outside their prefix or tag filters are not copied.", actual: rules.map((r) => r.id ?? null), fix: "Add a replication rule with an empty filter so every object is copied." });
      }
      const kmsVault = b.encryption?.algorithm?.startsWith("aws:kms") === true;
      for (const r of rules) {
        const name = `Replication rule ${r.id ? `"${r.id}"` : ""}`.trim();
        if (r.destinationInSameRegion) {
          out.push({ subject: b, property: "replication.destination", message: `${name} copies to ${r.destinationBucket ?? "a bucket"} in the vault's own region${r.destinationRegion ? ` (${r.destinationRegion})` : ""}.`, actual: r.destinationRegion ?? r.destinationBucket ?? null, fix: "Replicate to a bucket created with a provider for another region." });
        }
        if (settings.allowedRegions && r.destinationRegion && !settings.allowedRegions.includes(r.destinationRegion)) {
          out.push({ subject: b, property: "replication.destination", message: `${name} copies to ${r.destinationRegion}, which is not an allowed region (${settings.allowedRegions.join(", ")}).`, actual: r.destinationRegion, fix: `Replicate to one of ${settings.allowedRegions.join(", ")}.` });
        }
        if (kmsVault && !r.replicatesKmsObjects) {
          out.push({ subject: b, property: "replication", message: `${name} does not select SSE-KMS encrypted objects, so S3 skips every object of this KMS-encrypted vault.`, actual: { sseKmsEncryptedObjects: "Disabled" }, fix: 'Set sourceSelectionCriteria.sseKmsEncryptedObjects.status "Enabled".' });
        }
        if (kmsVault && !r.replicaKmsKeyId) {
          out.push({ subject: b, property: "replication.replicaKmsKeyId", message: `${name} gives no replica KMS key for SSE-KMS objects.`, actual: null, fix: "Set destination.encryptionConfiguration.replicaKmsKeyId to a customer managed key in the destination region." });
        }
      }
    }
    return out;
  },
};
