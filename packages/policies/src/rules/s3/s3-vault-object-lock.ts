import type { Rule, Violation } from "../../engine/rule";
import { vaults } from "../support/vaults";

/** Vaults are write-once when required, and a locked vault replicates only into locked buckets. */
export const s3VaultObjectLock: Rule = {
  id: "s3-vault-object-lock",
  area: "s3",
  description: "With `requireObjectLock`, backup vaults use S3 Object Lock with a default retention (in `objectLockMode` when set); a locked vault replicates only into locked buckets.",
  cause: "With `requireObjectLock`: Object Lock off, no default retention, or another mode than `objectLockMode`. Always: a locked vault replicating into a bucket of the stack without Object Lock.",
  explanation:
    "Object Lock makes each backup version undeletable for its retention, even by an administrator whose credentials were stolen: the protection against ransomware that deletes backups first. An unlocked replica is the weak copy an attacker deletes instead.",
  enforcement: "mandatory",
  settings: ["requireObjectLock", "objectLockMode", "vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketObjectLockConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const out: Violation[] = [];
    const byId = new Map(facts.buckets.map((b) => [b.id, b]));
    for (const b of vaults(facts.buckets, settings)) {
      const lock = b.objectLock;
      if (settings.requireObjectLock) {
        if (!lock?.enabled) {
          out.push({ subject: b, property: "objectLock", message: "Object Lock is not enabled on this backup vault.", actual: lock ?? null, fix: "Create the bucket with objectLockEnabled: true and add a BucketObjectLockConfiguration with a default retention (Object Lock can only be chosen at creation: this replaces the bucket)." });
        } else if (!lock.mode || lock.days === undefined) {
          out.push({ subject: b, property: "objectLock", message: "Object Lock is enabled without a default retention, so new versions are not locked.", actual: lock, fix: "Add rule.defaultRetention { mode, days } to the Object Lock configuration." });
        } else if (settings.objectLockMode && lock.mode !== settings.objectLockMode) {
          out.push({ subject: b, property: "objectLock", message: `Object Lock uses ${lock.mode} mode; ${settings.objectLockMode} is required.`, actual: lock.mode, fix: `Set defaultRetention.mode to "${settings.objectLockMode}".` });
        }
      }
      if (lock?.enabled) {
        for (const r of b.replication ?? []) {
          const dest = r.destinationId ? byId.get(r.destinationId) : undefined;
          if (r.enabled && dest && !dest.objectLock?.enabled) {
            out.push({ subject: b, property: "replication", message: `The vault is locked but replicates into ${dest.name}, which has no Object Lock.`, actual: dest.id, fix: "Enable Object Lock on the replica too (Lifeboat: a ReplicatedBackupVault's replica inherits the primary's Object Lock)." });
          }
        }
      }
    }
    return out;
  },
};
