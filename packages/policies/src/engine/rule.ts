import type { FactBase, StackFacts } from "../facts";
import type { ConfigExemption, Enforcement, SettingName, Settings } from "./settings";

/** What a rule's check receives: its settings, and the configuration's exemptions. */
export type RuleSettings = Settings & { readonly exemptions: readonly ConfigExemption[] };

/** What a violation is about: a fact, or a pseudo-resource such as a configuration entry. */
export type Subject = Pick<FactBase, "id" | "type" | "name" | "tags" | "unknown">;

/** One way a resource breaks a rule, as a rule reports it. */
export interface Violation {
  readonly subject: Subject;
  /** What is wrong, in a sentence that names the setting and the resource. */
  readonly message: string;
  /** The value found (JSON), `null` when nothing is set. */
  readonly actual: unknown;
  /** What to change. */
  readonly fix: string;
  /**
   * The fact field judged (a dot path). When it is only known after deploy, the engine reports the
   * violation as advisory "known after deploy" instead.
   */
  readonly property?: string;
}

/**
 * One rule: a pure function of the facts and its settings. Rules never throw on purpose; if one
 * does, the engine reports it as a finding rather than passing the stack.
 */
export interface Rule {
  /** Kebab-case, stable: configuration and exemptions name it. */
  readonly id: string;
  /** The area, which is the folder under `rules/`: `s3`, `rds`, ... */
  readonly area: string;
  /** One line: what a compliant resource looks like. */
  readonly description: string;
  /** What makes a resource break the rule. */
  readonly cause: string;
  /** Why it matters for backups and recovery. */
  readonly explanation: string;
  /** How a violation is treated unless the configuration says otherwise. */
  readonly enforcement: Exclude<Enforcement, "disabled">;
  /** The settings the rule reads. */
  readonly settings: readonly SettingName[];
  /**
   * `resource` when each violation is decided by one resource's own properties (the Pulumi pack
   * then judges it as each resource is registered); `stack` when the rule correlates resources.
   */
  readonly scope: "resource" | "stack";
  /** CloudFormation and Pulumi types the rule judges; for RULES.md. */
  readonly appliesTo: string;
  check(facts: StackFacts, settings: RuleSettings): Violation[];
}
