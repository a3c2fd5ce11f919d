import { STORAGE_CLASSES } from "../../facts";
import type { Rule, Violation } from "../../engine/rule";
import { days, vaults } from "../support/vaults";

/** Transitions respect each storage class's minimum age and minimum storage duration. */
export const s3LifecycleStorageClassMinimums: Rule = {
  id: "s3-lifecycle-storage-class-minimums",
  area: "s3",
  description: "Lifecycle transitions of a backup vault respect each class's minimum age (30 days for IA classes) and minimum storage duration (90 days Glacier, 180 Deep Archive).",
  cause: "A transition to an IA class before 30 days, or an expiration sooner than the transition day plus the class's minimum storage duration (current or noncurrent versions).",
  explanation: "S3 refuses IA transitions before 30 days, and bills the minimum storage duration of a class even for objects deleted sooner: such a rule costs more than keeping the objects where they were.",
  enforcement: "advisory",
  settings: ["vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketLifecycleConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts, settings) {
    const out: Violation[] = [];
    for (const b of vaults(facts.buckets, settings)) {
      for (const rule of b.lifecycle ?? []) {
        if (!rule.enabled) continue;
        const name = `Lifecycle rule ${rule.id ? `"${rule.id}" ` : ""}(${rule.filter})`;
        const judge = (t: { days?: number; storageClass: string }, expiry: number | undefined, what: string) => {
          const facts = STORAGE_CLASSES[t.storageClass];
          if (!facts || t.days === undefined) return;
          if (t.days < facts.minimumAgeDays) {
            out.push({ subject: b, property: "lifecycle", message: `${name} moves ${what} to ${t.storageClass} after ${days(t.days)}; S3 requires at least ${days(facts.minimumAgeDays)}.`, actual: { rule: rule.id ?? null, transition: t }, fix: `Transition at ${days(facts.minimumAgeDays)} or later.` });
          }
          if (expiry !== undefined && t.days + facts.minimumStorageDays > expiry) {
            out.push({ subject: b, property: "lifecycle", message: `${name} moves ${what} to ${t.storageClass} at ${days(t.days)} but deletes them at ${days(expiry)}, before ${t.storageClass}'s minimum of ${days(facts.minimumStorageDays)} is over: the minimum is billed anyway.`, actual: { rule: rule.id ?? null, transition: t, expirationDays: expiry }, fix: `Keep ${what} at least ${days(t.days + facts.minimumStorageDays)}, transition sooner, or do not transition them.` });
          }
        };
        for (const t of rule.transitions) judge(t, rule.expirationDays, "backups");
        for (const t of rule.noncurrentTransitions) judge(t, rule.noncurrentExpirationDays !== undefined ? rule.noncurrentExpirationDays : undefined, "noncurrent versions");
      }
    }
    return out;
  },
};
