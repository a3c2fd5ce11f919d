import type { Subject, Violation } from "../../engine/rule";
import type { ExpiringRule } from "../../facts";
import { days } from "./vaults";


const label = (rule: ExpiringRule) => `Lifecycle rule ${rule.id ? `"${rule.id}" ` : ""}(${rule.filter})`;

/** Enabled rules that expire backups, or their noncurrent versions, before `min` days (or on a date). */
export function minimumRetentionViolations(subject: Subject, rules: readonly ExpiringRule[], min: number): Violation[] {
  const out: Violation[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const name = label(rule);
    if (rule.expirationDays !== undefined && rule.expirationDays < min) {
      out.push({ subject, property: "lifecycle", message: `${name} expires backups after ${days(rule.expirationDays)}, less than the minimum of ${days(min)}.`, actual: { rule: rule.id ?? null, expirationDays: rule.expirationDays }, fix: `Expire after at least ${days(min)}, or lower minimumRetentionDays if policy allows.` });
    }
    if (rule.expirationDate !== undefined) {
      out.push({ subject, property: "lifecycle", message: `${name} expires every backup on ${rule.expirationDate}, whatever its age.`, actual: { rule: rule.id ?? null, expirationDate: rule.expirationDate }, fix: `Expire by age (at least ${days(min)}) instead of on a date.` });
    }
    if (rule.noncurrentExpirationDays !== undefined && rule.noncurrentExpirationDays < min) {
      out.push({ subject, property: "lifecycle", message: `${name} deletes noncurrent versions after ${days(rule.noncurrentExpirationDays)}, less than the minimum of ${days(min)}: an overwritten or deleted backup can be recovered only that long.`, actual: { rule: rule.id ?? null, noncurrentDays: rule.noncurrentExpirationDays }, fix: `Keep noncurrent versions at least ${days(min)}.` });
    }
  }
  return out;
}

/**
 * A violation when objects can outlive `max` days: no enabled rule covering every object expires
 * it, or (in a versioned bucket, where an expired object survives as a noncurrent version) its
 * noncurrent versions are never deleted, or the two ages together exceed `max`.
 */
export function maximumRetentionViolation(subject: Subject, rules: readonly ExpiringRule[], versioned: boolean, max: number): Violation | undefined {
  const covering = rules.filter((r) => r.enabled && r.coversEveryObject);
  const current = Math.min(...covering.map((r) => r.expirationDays ?? Infinity));
  const noncurrent = versioned ? Math.min(...covering.map((r) => r.noncurrentExpirationDays ?? Infinity)) : 0;
  const fix = `Add a lifecycle rule with no filter that expires objects, and their noncurrent versions, within ${days(max)} in total.`;
  if (!Number.isFinite(current)) {
    return { subject, property: "lifecycle", message: `No enabled lifecycle rule covering every object expires it, so objects can outlive the maximum of ${days(max)}.`, actual: rules.map((r) => ({ rule: r.id ?? null, filter: r.filter, expirationDays: r.expirationDays ?? null })), fix };
  }
  if (!Number.isFinite(noncurrent)) {
    return { subject, property: "lifecycle", message: `Objects expire after ${days(current)} but, the bucket being versioned, their noncurrent versions are never deleted.`, actual: { expirationDays: current, noncurrentDays: null }, fix };
  }
  if (current + noncurrent > max) {
    return { subject, property: "lifecycle", message: `Objects are deleted for good after ${days(current + noncurrent)} (${days(current)} current + ${days(noncurrent)} noncurrent), more than the maximum of ${days(max)}.`, actual: { expirationDays: current, noncurrentDays: noncurrent }, fix };
  }
  return undefined;
}
