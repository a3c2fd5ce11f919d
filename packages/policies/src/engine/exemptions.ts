import { type ConfigExemption, EXEMPT_REASON_TAG, EXEMPT_TAG, MIN_REASON_LENGTH } from "./settings";
import { matchesPattern } from "./patterns";
import type { Subject } from "./rule";

/** The rule ids a resource's `lifeboat:exempt` tag names (separated by spaces, `+` or `/`: AWS tag values allow no commas). */
export function taggedExemptions(tags: Readonly<Record<string, string>>): string[] {
  const value = tags[EXEMPT_TAG];
  return typeof value === "string" ? value.split(/[\s,+/]+/).filter(Boolean) : [];
}

/** `true` when a reason is long enough to be one. */
export function isReason(reason: unknown): reason is string {
  return typeof reason === "string" && reason.trim().length >= MIN_REASON_LENGTH;
}

/** The exemption that covers a finding of `ruleId` on `subject`, if any, with its reason. */
export function exemptionFor(
  ruleId: string,
  subject: Subject,
  exemptions: readonly ConfigExemption[],
): { reason: string; by: "tag" | "config" } | undefined {
  if (taggedExemptions(subject.tags).includes(ruleId) && isReason(subject.tags[EXEMPT_REASON_TAG])) {
    return { reason: subject.tags[EXEMPT_REASON_TAG]!.trim(), by: "tag" };
  }
  for (const e of exemptions) {
    if (!isReason(e.reason) || typeof e.resources !== "string" || !Array.isArray(e.rules)) continue;
    if (!e.rules.includes("*") && !e.rules.includes(ruleId)) continue;
    if (matchesPattern(e.resources, subject.name) || matchesPattern(e.resources, subject.id)) return { reason: e.reason.trim(), by: "config" };
  }
  return undefined;
}
