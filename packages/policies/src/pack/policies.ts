import type { Policies, PolicyConfigSchema, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { factsFromPulumi } from "../adapters/pulumi/from-pulumi";
import { enforcementOf, judge } from "../engine/evaluate";
import type { Finding } from "../engine/finding";
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
 * be configured by its id. Rules about one resource validate each resource. Rules that correlate
 * resources are judged together by the `lifeboat` policy: the policy SDK hands every stack policy
 * its own deserialized copy of the whole stack, so twenty stack policies would read the stack
 * twenty times; one policy reads it once, builds the facts once and judges every stack rule.
 */
export function pulumiPolicies(rules: readonly Rule[] = RULES, readConfiguration: () => PackConfiguration = () => configuration): Policies {
  const stackRules = rules.filter((r) => r.scope === "stack");
  // Resource policies run once per resource: translate the configuration once per Configure call.
  let translated: { from: PackConfiguration; config: PolicyConfig } | undefined;
  const currentConfig = (): PolicyConfig => {
    const from = readConfiguration();
    if (translated?.from !== from) translated = { from, config: configFromPack(from, rules) };
    return translated.config;
  };
  const packPolicy: StackValidationPolicy = {
    name: PACK_POLICY,
    description: "Lifeboat's settings for every rule, and the judge of every rule that correlates resources (their findings carry each rule's own name).",
    enforcementLevel: "advisory",
    configSchema: packConfigSchema(),
    validateStack: (args, reportViolation) => {
      const config = currentConfig();
      const facts = factsFromPulumi(args.resources.map(fromPolicyResource));
      for (const rule of stackRules) {
        const enforcement = enforcementOf(rule, config);
        if (enforcement === "disabled") continue;
        report(rule, judge(rule, facts, config, enforcement), reportViolation);
      }
    },
  };
  const rulePolicies = rules.map((rule): ResourceValidationPolicy | { name: string; description: string; enforcementLevel: Enforcement; configSchema: PolicyConfigSchema } => {
    const common = { name: rule.id, description: rule.description, enforcementLevel: rule.enforcement, configSchema: configSchemaOf(rule) };
    if (rule.scope === "stack") return common;
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        const config = currentConfig();
        const enforcement = enforcementOf(rule, config);
        if (enforcement === "disabled") return;
        report(rule, judge(rule, factsFromPulumi([fromValidationArgs(args)]), config, enforcement), reportViolation);
      },
    };
  });
  return [packPolicy, ...rulePolicies] as Policies;
}
