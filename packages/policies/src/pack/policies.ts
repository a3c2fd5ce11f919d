import type { Policies, PolicyConfigSchema, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { factsFromPulumi } from "../adapters/pulumi/from-pulumi";
import type { PulumiResource } from "../adapters/pulumi/resource";
import type { StackFacts } from "../facts";
import { judge } from "../engine/evaluate";
import type { Finding } from "../engine/finding";
import type { Rule } from "../engine/rule";
import { type ConfigExemption, EXEMPTION_SCHEMA, type PolicyConfig, SETTINGS_SCHEMA } from "../engine/settings";
import { RULES } from "../rules";
import { fromPolicyResource, fromValidationArgs } from "./policy-resource";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const PACK_NAME = "lifeboat-dr";

/** The Pulumi config schema of one rule: the settings it reads, and exemptions for it by name pattern. */
export function configSchemaOf(rule: Rule): PolicyConfigSchema {
  const properties: PolicyConfigSchema["properties"] = {};
  for (const name of rule.settings) properties[name] = SETTINGS_SCHEMA[name] as PolicyConfigSchema["properties"][string];
  properties.exemptions = { type: "array", items: EXEMPTION_SCHEMA, description: "Resources exempt from this rule, by name pattern, each with a reason." } as PolicyConfigSchema["properties"][string];
  return { properties };
}

/**
 * Pulumi gives each policy its own config object (`{ "<rule-id>": { ...settings, exemptions } }`);
 * the engine reads it as that rule's overrides. The Pulumi engine does not apply schema defaults:
 * what is not set falls back to the pack's own defaults.
 */
export function configFromPulumi(ruleId: string, raw: unknown): PolicyConfig {
  const { exemptions, ...settings } = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown> & { exemptions?: unknown };
  const list = Array.isArray(exemptions) ? (exemptions as { resources?: unknown; reason?: unknown }[]) : [];
  return {
    rules: { [ruleId]: settings },
    exemptions: list.map((e): ConfigExemption => ({ resources: String(e?.resources ?? ""), rules: [ruleId], reason: typeof e?.reason === "string" ? e.reason : "" })),
  };
}

type Report = (violation: string | { message: string; urn?: string; enforcementLevel?: "advisory" | "mandatory" }, urn?: string) => void;

/** How a finding reads in `pulumi preview`: what is wrong, the value found, the fix; exemptions say why. */
export function pulumiMessage(f: Finding): string {
  const exempted = f.exemption ? `EXEMPTED (${f.exemption.by === "tag" ? "tag lifeboat:exempt-reason" : "config"}): ${f.exemption.reason}. ` : "";
  return `${exempted}${f.message} Found: ${JSON.stringify(f.actual)}. Fix: ${f.fix}`;
}

function report(findings: readonly Finding[], reportViolation: ReportViolation): void {
  const send = reportViolation as unknown as Report;
  for (const f of findings) {
    const urn = f.resource.startsWith("urn:") ? f.resource : undefined;
    // Exempted findings and values known only after deploy are reported, but never block.
    if (f.exemption || f.knownAfterDeploy) send({ message: pulumiMessage(f), ...(urn ? { urn } : {}), enforcementLevel: "advisory" });
    else send(pulumiMessage(f), urn);
  }
}

let lastStack: { key: string; facts: StackFacts } | undefined;

/**
 * The facts of a stack, reused while the stack is the same. The policy SDK hands each stack policy
 * its own copy of the resources, so within one AnalyzeStack every stack policy would adapt the same
 * stack again; serializing it is several times cheaper than adapting it. Facts are never mutated.
 */
export function stackFacts(resources: readonly PulumiResource[]): StackFacts {
  const key = JSON.stringify(resources);
  if (lastStack?.key === key) return lastStack.facts;
  const facts = factsFromPulumi(resources);
  lastStack = { key, facts };
  return facts;
}

/** One Pulumi policy per rule: resource policies for rules about one resource, stack policies for rules that correlate. */
export function pulumiPolicies(rules: readonly Rule[] = RULES): Policies {
  return rules.map((rule): ResourceValidationPolicy | StackValidationPolicy => {
    const common = { name: rule.id, description: rule.description, enforcementLevel: rule.enforcement, configSchema: configSchemaOf(rule) };
    if (rule.scope === "resource") {
      return {
        ...common,
        validateResource: (args, reportViolation) => {
          const facts = factsFromPulumi([fromValidationArgs(args)]);
          report(judge(rule, facts, configFromPulumi(rule.id, args.getConfig())), reportViolation);
        },
      };
    }
    return {
      ...common,
      validateStack: (args, reportViolation) => {
        const facts = stackFacts(args.resources.map(fromPolicyResource));
        report(judge(rule, facts, configFromPulumi(rule.id, args.getConfig())), reportViolation);
      },
    };
  });
}
