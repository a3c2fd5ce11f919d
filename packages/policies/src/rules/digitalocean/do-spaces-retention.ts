import type { Rule, Violation } from "../../engine/rule";
import { days, isVault } from "../support/vaults";

/** Spaces vaults keep backups at least the minimum, and at most the maximum when set. */
export const doSpacesRetention: Rule = {
  id: "do-spaces-retention",
  area: "digitalocean",
  description: "DigitalOcean Spaces vaults expire nothing before `minimumRetentionDays` and, with `maximumRetentionDays`, delete every object (noncurrent versions included) by then.",
  cause: "An enabled lifecycle rule expiring objects or noncurrent versions sooner than the minimum, or on a date; with a maximum, no rule covering every object, or expiration + noncurrent expiration above it.",
  explanation: "Spaces has expiry but no tags or transitions, so the lifecycle alone decides how long backups live: too short loses restore points, too long keeps data you promised to delete.",
  enforcement: "mandatory",
  settings: ["minimumRetentionDays", "maximumRetentionDays", "vaultBuckets", "vaultNamePatterns"],
  scope: "resource",
  appliesTo: "digitalocean:index/spacesBucket:SpacesBucket",
  check(facts, settings) {
    const out: Violation[] = [];
    const min = settings.minimumRetentionDays;
    const max = settings.maximumRetentionDays;
    for (const b of facts.spacesBuckets) {
      if (!isVault(b, settings)) continue;
      const enabled = b.lifecycle.filter((r) => r.enabled);
      for (const r of enabled) {
        const name = `Lifecycle rule ${r.id ? `"${r.id}" ` : ""}(${r.filter})`;
        if (r.expirationDays !== undefined && r.expirationDays < min) out.push({ subject: b, property: "lifecycle", message: `${name} expires backups after ${days(r.expirationDays)}, less than the minimum of ${days(min)}.`, actual: r.expirationDays, fix: `Expire after at least ${days(min)}.` });
        if (r.expirationDate !== undefined) out.push({ subject: b, property: "lifecycle", message: `${name} expires every backup on ${r.expirationDate}.`, actual: r.expirationDate, fix: "Expire by age instead of on a date." });
        if (r.noncurrentExpirationDays !== undefined && r.noncurrentExpirationDays < min) out.push({ subject: b, property: "lifecycle", message: `${name} deletes noncurrent versions after ${days(r.noncurrentExpirationDays)}, less than the minimum of ${days(min)}.`, actual: r.noncurrentExpirationDays, fix: `Keep noncurrent versions at least ${days(min)}.` });
      }
      if (max !== undefined) {
        const covering = enabled.filter((r) => r.coversEveryObject);
        const current = Math.min(...covering.map((r) => r.expirationDays ?? Infinity));
        const noncurrent = b.versioning ? Math.min(...covering.map((r) => r.noncurrentExpirationDays ?? Infinity)) : 0;
        if (!Number.isFinite(current + noncurrent) || current + noncurrent > max) {
          out.push({
            subject: b,
            property: "lifecycle",
            message: Number.isFinite(current + noncurrent) ? `Objects are deleted for good after ${days(current + noncurrent)}, more than the maximum of ${days(max)}.` : `No enabled lifecycle rule deletes every object${b.versioning ? " and its noncurrent versions" : ""}, so objects can outlive the maximum of ${days(max)}.`,
            actual: Number.isFinite(current) ? { expirationDays: current, noncurrentDays: Number.isFinite(noncurrent) ? noncurrent : null } : null,
            fix: `Add a lifecycle rule with no prefix that expires objects (and noncurrent versions) within ${days(max)} in total.`,
          });
        }
      }
    }
    return out;
  },
};
