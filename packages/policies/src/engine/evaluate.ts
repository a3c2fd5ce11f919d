import type { StackFacts } from "../facts";
import { exemptionFor } from "./exemptions";
import type { Finding } from "./finding";
import type { Rule, Violation } from "./rule";
import { type Enforcement, type PolicyConfig, settingsFor } from "./settings";

/** The result of judging one stack. */
export interface Evaluation {
  readonly findings: Finding[];
  /** Ids of the rules that ran (not disabled). */
  readonly rulesRun: string[];
}

/** The enforcement of a rule under a configuration. */
export function enforcementOf(rule: Rule, config: PolicyConfig | undefined): Enforcement {
  return config?.rules?.[rule.id]?.enforcement ?? rule.enforcement;
}

/**
 * Judges facts with each rule: applies settings, enforcement and exemptions, and turns a rule that
 * throws into a finding (a rule that cannot judge a stack never passes it silently).
 */
export function evaluate(facts: StackFacts, rules: readonly Rule[], config?: PolicyConfig): Evaluation {
  const findings: Finding[] = [];
  const rulesRun: string[] = [];
  for (const rule of rules) {
    const enforcement = enforcementOf(rule, config);
    if (enforcement === "disabled") continue;
    rulesRun.push(rule.id);
    findings.push(...judge(rule, facts, config, enforcement));
  }
  return { findings, rulesRun };
}

/** Runs one rule and turns its violations into findings. */
export function judge(rule: Rule, facts: StackFacts, config: PolicyConfig | undefined, enforcement: Exclude<Enforcement, "disabled"> = rule.enforcement): Finding[] {
  let violations: Violation[];
  try {
    violations = rule.check(facts, settingsFor(rule.id, config));
  } catch (err) {
    return [
      {
        ruleId: rule.id,
        resource: `lifeboat:rule/${rule.id}`,
        resourceType: "lifeboat:rule",
        resourceName: rule.id,
        message: `The rule failed while judging the stack, so the stack is not proven compliant: ${err instanceof Error ? err.message : String(err)}`,
        actual: null,
        fix: "Report this to the Lifeboat maintainers with the resource shapes involved; until fixed, exempt or disable the rule explicitly.",
        enforcement,
      },
    ];
  }
  const exemptions = config?.exemptions ?? [];
  return violations.map((v) => {
    const knownAfterDeploy = v.property !== undefined && isUnknown(v.subject.unknown, v.property);
    const exemption = exemptionFor(rule.id, v.subject, exemptions);
    return {
      ruleId: rule.id,
      resource: v.subject.id,
      resourceType: v.subject.type,
      resourceName: v.subject.name,
      message: knownAfterDeploy ? `Cannot be judged until deploy (the value is computed): ${v.message}` : v.message,
      actual: v.actual === undefined ? null : v.actual,
      fix: v.fix,
      enforcement: knownAfterDeploy ? "advisory" : enforcement,
      ...(exemption ? { exemption } : {}),
      ...(knownAfterDeploy ? { knownAfterDeploy } : {}),
    };
  });
}

function isUnknown(unknown: ReadonlySet<string>, property: string): boolean {
  if (unknown.size === 0) return false;
  for (const path of unknown) {
    if (path === property || property.startsWith(`${path}.`) || path.startsWith(`${property}.`)) return true;
  }
  return false;
}
