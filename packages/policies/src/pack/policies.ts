import type { Policies, PolicyConfigSchema, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { factsFromPulumi } from "../adapters/pulumi/from-pulumi";
import { enforcementOf, judge } from "../engine/evaluate";
import type { Finding } from "../engine/finding";
import type { StackFacts } from "../facts";
import type { Rule } from "../engine/rule";
import { type ConfigExemption, type Enforcement, EXEMPTION_SCHEMA, type PolicyConfig, SETTINGS_SCHEMA, type SettingName } from "../engine/settings";
import { RULES } from "../rules";
import { fromPolicyResource, fromValidationArgs } from "./policy-resource";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const PACK_NAME = "lifeboat-dr";

/**
 * The policy whose config holds the settings for every rule at once
 * (`{ "lifeboat": { "allowedRegions": [...], "exemptions": [...] } }`), and which judges every
 * stack-level rule in one pass over the stack.
 */
export const PACK_POLICY = "lifeboat";

/** What `--policy-pack-config` gave the pack: policy name → its enforcement and properties, as the Configure call carries them. */
export type PackConfiguration = Readonly<Record<string, { readonly enforcementLevel?: string; readonly properties: Readonly<Record<string, unknown>> }>>;

let configuration: PackConfiguration = {};

/** Records the pack's configuration; the pack's entry calls it from the Configure call (see `configure.ts`). */
export function setPackConfiguration(config: PackConfiguration): void {
  configuration = config;
}

const exemptionsSchema = (description: string, withRules: boolean) =>
  ({
    type: "array",
    description,
    items: withRules
      ? { ...EXEMPTION_SCHEMA, properties: { ...(EXEMPTION_SCHEMA.properties as object), rules: { type: "array", items: { type: "string" }, description: "Rule ids the exemption covers. Default: every rule." } } }
      : EXEMPTION_SCHEMA,
  }) as PolicyConfigSchema["properties"][string];

/** The Pulumi config schema of one rule: the settings it reads, and exemptions for it by name pattern. */
export function configSchemaOf(rule: Rule): PolicyConfigSchema {
  const properties: PolicyConfigSchema["properties"] = {};
  for (const name of rule.settings) properties[name] = SETTINGS_SCHEMA[name] as PolicyConfigSchema["properties"][string];
  properties.exemptions = exemptionsSchema("Resources exempt from this rule, by name pattern, each with a reason.", false);
  return { properties };
}

/** The schema of the pack-level policy: every setting, and exemptions that name their rules. */
export function packConfigSchema(): PolicyConfigSchema {
  const properties: PolicyConfigSchema["properties"] = {};
  for (const name of Object.keys(SETTINGS_SCHEMA) as SettingName[]) properties[name] = SETTINGS_SCHEMA[name] as PolicyConfigSchema["properties"][string];
  properties.exemptions = exemptionsSchema("Resources exempt from some or every rule, by name pattern, each with a reason.", true);
  return { properties };
}

function exemptionsOf(raw: unknown, defaultRules: readonly string[]): ConfigExemption[] {
  const list = Array.isArray(raw) ? (raw as { resources?: unknown; reason?: unknown; rules?: unknown }[]) : [];
  return list.map((e): ConfigExemption => ({
    resources: String(e?.resources ?? ""),
    rules: Array.isArray(e?.rules) && e.rules.length > 0 ? e.rules.map(String) : defaultRules,
    reason: typeof e?.reason === "string" ? e.reason : "",
  }));
}

function asEnforcement(level: string | undefined): Enforcement | undefined {
  if (level === "advisory" || level === "mandatory" || level === "disabled") return level;
  // Stack rules cannot remediate: the policy SDK treats `remediate` as mandatory for them too.
  return level === "remediate" ? "mandatory" : undefined;
}

/**
 * The engine's configuration from the pack's: settings and exemptions for every rule from the
 * `lifeboat` policy, each rule's own settings, exemptions and enforcement from its policy (its own
 * settings win). The Pulumi engine does not apply schema defaults: what is not set falls back to
 * the pack's own defaults.
 */
export function configFromPack(config: PackConfiguration, rules: readonly Rule[] = RULES): PolicyConfig {
  const { exemptions: packExemptions, ...packSettings } = config[PACK_POLICY]?.properties ?? {};
  const perRule: Record<string, Record<string, unknown>> = {};
  const exemptions = exemptionsOf(packExemptions, ["*"]);
  for (const rule of rules) {
    const own = config[rule.id];
    if (!own) continue;
    const { exemptions: ruleExemptions, ...settings } = own.properties;
    const enforcement = asEnforcement(own.enforcementLevel);
    perRule[rule.id] = { ...settings, ...(enforcement ? { enforcement } : {}) };
    exemptions.push(...exemptionsOf(ruleExemptions, [rule.id]));
  }
  return { ...(packSettings as Partial<PolicyConfig>), rules: perRule, exemptions };
}

/** How a finding reads in `pulumi preview`: what is wrong, the value found, the fix; exemptions say why. */
export function pulumiMessage(f: Finding): string {
  const exempted = f.exemption ? `EXEMPTED (${f.exemption.by === "tag" ? "tag lifeboat:exempt-reason" : "config"}): ${f.exemption.reason}. ` : "";
  return `${exempted}${f.message} Found: ${JSON.stringify(f.actual)}. Fix: ${f.fix}`;
}

type Report = (violation: { name: string; description: string; message: string; urn?: string; enforcementLevel: "advisory" | "mandatory" }) => void;

/** Reports findings under their rule's name; exempted findings and values known only after deploy never block. */
function report(rule: Rule, findings: readonly Finding[], reportViolation: ReportViolation): void {
  const send = reportViolation as unknown as Report;
  for (const f of findings) {
    const urn = f.resource.startsWith("urn:") ? f.resource : undefined;
    const enforcementLevel = f.exemption || f.knownAfterDeploy || f.enforcement === "advisory" ? "advisory" : "mandatory";
    send({ name: rule.id, description: rule.description, message: `${rule.description}\n${pulumiMessage(f)}`, ...(urn ? { urn } : {}), enforcementLevel });
  }
}

/**
 * The pack's policies. Each rule is a policy of its own, so that its enforcement and settings can
 * be configured by its id, but the rules are judged by the `lifeboat` policy: the policy SDK
 * deserializes a resource again for every resource policy, and the whole stack again for every
 * stack policy, which made thirty policies read everything thirty times. The `lifeboat` policy reads
 * each resource once (Analyze) and the stack once (AnalyzeStack), builds the facts once, judges every
 * rule of that scope and reports each finding under its rule's own name and enforcement.
 */
export function pulumiPolicies(rules: readonly Rule[] = RULES, readConfiguration: () => PackConfiguration = () => configuration): Policies {
  const byScope = { resource: rules.filter((r) => r.scope === "resource"), stack: rules.filter((r) => r.scope === "stack") };
  // Analyze runs once per resource: translate the configuration once per Configure call.
  let translated: { from: PackConfiguration; config: PolicyConfig } | undefined;
  const currentConfig = (): PolicyConfig => {
    const from = readConfiguration();
    if (translated?.from !== from) translated = { from, config: configFromPack(from, rules) };
    return translated.config;
  };
  const judgeAll = (scope: keyof typeof byScope, facts: StackFacts, reportViolation: ReportViolation) => {
    const config = currentConfig();
    for (const rule of byScope[scope]) {
      const enforcement = enforcementOf(rule, config);
      if (enforcement !== "disabled") report(rule, judge(rule, facts, config, enforcement), reportViolation);
    }
  };
  const packPolicy: ResourceValidationPolicy & StackValidationPolicy = {
    name: PACK_POLICY,
    description: "Lifeboat's settings for every rule, and the judge of every rule (findings carry each rule's own name and enforcement).",
    enforcementLevel: "advisory",
    configSchema: packConfigSchema(),
    validateResource: (args, reportViolation) => judgeAll("resource", factsFromPulumi([fromValidationArgs(args)]), reportViolation),
    validateStack: (args, reportViolation) => judgeAll("stack", factsFromPulumi(args.resources.map(fromPolicyResource)), reportViolation),
  };
  // A policy per rule, with no validation of its own: its name, enforcement and config schema.
  const rulePolicies = rules.map((rule) => ({ name: rule.id, description: rule.description, enforcementLevel: rule.enforcement, configSchema: configSchemaOf(rule) }));
  return [packPolicy, ...rulePolicies] as unknown as Policies;
}
