import { STORAGE_CLASSES } from "../../facts";
import type { Rule, Violation } from "../../engine/rule";
import { days, vaults } from "../support/vaults";

/** When configured, long-kept backups move to a Glacier class by the given age. */
export const s3VaultArchiveTiering: Rule = {
  id: "s3-vault-archive-tiering",
  area: "s3",
  description: "When `archiveAfterDays` is set, every backup kept long enough to archive moves to a Glacier class by that age.",
  cause:
    "An enabled lifecycle rule keeps objects at least `archiveAfterDays` + 90 days (Glacier's minimum storage) without a transition to GLACIER_IR, GLACIER or DEEP_ARCHIVE by `archiveAfterDays`; or a vault keeps objects forever and archives none.",
  explanation: "Long-kept backups in S3 Standard cost several times what they cost in a Glacier class; tiers too short for Glacier's 90-day minimum are rightly left alone.",
  enforcement: "advisory",
  settings: ["archiveAfterDays", "vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketLifecycleConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const after = settings.archiveAfterDays;
    if (after === undefined) return [];
    const out: Violation[] = [];
    const archives = (r: { transitions: readonly { days?: number; storageClass: string }[] }) =>
      r.transitions.some((t) => STORAGE_CLASSES[t.storageClass]?.glacier && t.days !== undefined && t.days <= after);
    for (const b of vaults(facts.buckets, settings)) {
      const rules = (b.lifecycle ?? []).filter((r) => r.enabled);
      const longLived = rules.filter((r) => r.expirationDays !== undefined && r.expirationDays >= after + 90);
      for (const r of longLived) {
        if (!archives(r)) {
          out.push({ subject: b, property: "lifecycle", message: `Lifecycle rule ${r.id ? `"${r.id}" ` : ""}(${r.filter}) keeps backups ${days(r.expirationDays as number)} without moving them to a Glacier class by ${days(after)}.`, actual: { rule: r.id ?? null, transitions: r.transitions }, fix: `Add a transition to GLACIER_IR (or GLACIER, DEEP_ARCHIVE) at ${days(after)} or sooner.` });
        }
      }
      if (!rules.some((r) => r.expirationDays !== undefined) && !rules.some(archives)) {
        out.push({ subject: b, property: "lifecycle", message: `The vault keeps backups forever and moves none to a Glacier class by ${days(after)}.`, actual: rules.map((r) => ({ rule: r.id ?? null, transitions: r.transitions })), fix: `Add a lifecycle rule that moves backups to GLACIER_IR at ${days(after)} or sooner.` });
      }
    }
    return out;
  },
};
