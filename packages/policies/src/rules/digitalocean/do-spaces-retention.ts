import type { Rule, Violation } from "../../engine/rule";
import { maximumRetentionViolation, minimumRetentionViolations } from "../support/retention";
import { isVault } from "../support/vaults";

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
    for (const b of facts.spacesBuckets) {
      if (!isVault(b, settings)) continue;
      out.push(...minimumRetentionViolations(b, b.lifecycle, settings.minimumRetentionDays));
      const lifetime = settings.maximumRetentionDays !== undefined ? maximumRetentionViolation(b, b.lifecycle, b.versioning, settings.maximumRetentionDays) : undefined;
      if (lifetime) out.push(lifetime);
    }
    return out;
  },
};
