import { createHash } from "node:crypto";

/**
 * A short, stable suffix unique to one deployment scope: the front end passes what tells its stacks
 * apart (Pulumi's `<project>/<stack>`, a CDK stack's account, region and path), so two stacks in one
 * account and region never ask AWS for the same physical name, and a stack keeps its names across
 * updates.
 */
export function scopeSuffix(scope: string, length = 8): string {
  return createHash("sha256").update(scope).digest("hex").slice(0, length);
}

/** A physical name rule of an AWS service: its length, characters and separator. */
export interface NameRule {
  /** The longest name the service accepts. */
  readonly maxLength: number;
  /** Characters outside the rule are replaced by `separator`. */
  readonly allowed: RegExp;
  readonly separator: "-" | "_";
  /** Names must start with a letter (RDS identifiers). @default false */
  readonly letterFirst?: boolean;
}

/** RDS snapshot identifiers: 1 to 255 letters, digits and single hyphens, a letter first, no hyphen last. */
export const SNAPSHOT_IDENTIFIER_RULE: NameRule = { maxLength: 255, allowed: /[A-Za-z0-9-]/, separator: "-", letterFirst: true };
/** AWS Backup restore testing plans and selections: letters, digits and underscores, at most 50. */
export const RESTORE_TESTING_NAME_RULE: NameRule = { maxLength: 50, allowed: /[A-Za-z0-9_]/, separator: "_", letterFirst: true };
/** KMS alias names after `alias/`: letters, digits, `/`, `_` and `-`, at most 250. */
export const KMS_ALIAS_RULE: NameRule = { maxLength: 250, allowed: /[A-Za-z0-9/_-]/, separator: "-" };

/**
 * A physical name made of `parts` and the scope's suffix, fitted to `rule`: other characters become
 * the separator, separators never repeat or end the name, and the parts are shortened (never the
 * suffix) to fit the length.
 *
 * @example
 * uniquePhysicalName(["app-db", "final-snapshot"], "shop/prod", SNAPSHOT_IDENTIFIER_RULE); // "app-db-final-snapshot-1a2b3c4d"
 */
export function uniquePhysicalName(parts: readonly string[], scope: string, rule: NameRule): string {
  const sep = rule.separator;
  const clean = (text: string) =>
    [...text]
      .map((c) => (rule.allowed.test(c) ? c : sep))
      .join("")
      .split(sep)
      .filter((s) => s !== "")
      .join(sep);
  const tail = `${sep}${scopeSuffix(scope)}`;
  let head = clean(parts.join(sep));
  if (rule.letterFirst && !/^[A-Za-z]/.test(head)) head = `x${sep}${head}`;
  head = head.slice(0, rule.maxLength - tail.length);
  while (head.endsWith(sep)) head = head.slice(0, -1);
  return `${head}${tail}`;
}
