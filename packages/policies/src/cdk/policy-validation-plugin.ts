import { readFileSync } from "node:fs";
import type { IPolicyValidationContext, IPolicyValidationContextBeta1, IPolicyValidationPlugin, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from "aws-cdk-lib";
import { factsFromTemplate } from "../adapters/cloudformation/from-template";
import { evaluate } from "../engine/evaluate";
import { type Finding, isBlocking } from "../engine/finding";
import type { Rule } from "../engine/rule";
import type { StackFacts } from "../facts/stack-facts";
import { checkConfig, type PolicyConfig } from "../engine/settings";
import { RULES } from "../rules";
import { PACKAGE_VERSION } from "../version";

/** Properties of a {@link LifeboatPolicyPlugin}. */
export interface LifeboatPolicyPluginProps {
  /**
   * Thresholds, per-rule enforcement and exemptions.
   * @default - the pack's defaults (see RULES.md)
   */
  readonly config?: PolicyConfig;
  /**
   * The region the stacks deploy to, for rules that compare regions when a template does not say.
   * @default - each stack's own region when the app gives it (an explicit `env`), otherwise only ARNs that name a region are compared
   */
  readonly region?: string;
  /** @default - every rule */
  readonly rules?: readonly Rule[];
}

/**
 * A CDK policy validation plugin that judges each synthesized template with Lifeboat's rules. A
 * mandatory finding that is not exempted fails `cdk synth`; advisory and exempted findings are
 * listed in the report without failing it. Register it with `Validations.of(app).addPlugins(...)`
 * or the older `new App({ policyValidationBeta1: [...] })`.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 *
 * @example
 * const app = new App();
 * Validations.of(app).addPlugins(new LifeboatPolicyPlugin({ config: { allowedRegions: ["eu-west-1", "eu-central-1"] } }));
 */
export class LifeboatPolicyPlugin implements IPolicyValidationPlugin, IPolicyValidationPluginBeta1 {
  readonly name = "lifeboat-dr";
  readonly version = PACKAGE_VERSION;
  readonly ruleIds: string[];
  private readonly rules: readonly Rule[];
  private readonly config: PolicyConfig | undefined;
  private readonly region: string | undefined;

  constructor(props: LifeboatPolicyPluginProps = {}) {
    this.rules = props.rules ?? RULES;
    this.ruleIds = this.rules.map((r) => r.id);
    const problems = checkConfig(props.config, this.ruleIds);
    if (problems.length > 0) throw new Error(`LifeboatPolicyPlugin: ${problems.length} problem(s) in \`config\`:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.config = props.config;
    this.region = props.region;
  }

  validate(context: IPolicyValidationContextBeta1 | IPolicyValidationContext): PolicyValidationPluginReportBeta1 {
    const byRule = new Map<string, { rule: Rule; findings: { finding: Finding; templatePath: string }[] }>();
    const regions = new Map(("stackTemplates" in context ? context.stackTemplates : []).map((s) => [s.templatePath, s.region]));
    let success = true;
    const assembly = linkReplicasAcrossStacks(
      context.templatePaths.map((templatePath) => {
        const template = JSON.parse(readFileSync(templatePath, "utf8")) as Record<string, unknown>;
        const region = this.region ?? regions.get(templatePath);
        const known = region && !region.startsWith("${") ? region : undefined;
        return { templatePath, region: known, facts: factsFromTemplate(template, known ? { region: known } : {}) };
      }),
    );
    for (const { templatePath, facts } of assembly) {
      for (const finding of evaluate(facts, this.rules, this.config).findings) {
        if (isBlocking(finding)) success = false;
        const rule = this.rules.find((r) => r.id === finding.ruleId) as Rule;
        const entry = byRule.get(rule.id) ?? { rule, findings: [] };
        entry.findings.push({ finding, templatePath });
        byRule.set(rule.id, entry);
      }
    }
    const violations: PolicyViolationBeta1[] = [];
    for (const { rule, findings } of byRule.values()) {
      for (const { finding, templatePath } of findings) {
        violations.push({
          ruleName: rule.id,
          description: `${finding.exemption ? `EXEMPTED (${finding.exemption.reason}): ` : ""}${finding.message} Found: ${JSON.stringify(finding.actual)}.`,
          fix: finding.fix,
          severity: finding.exemption ? "exempted" : finding.enforcement,
          violatingResources: [{ resourceLogicalId: finding.resource, templatePath, locations: [`Resources/${finding.resource}`] }],
          ruleMetadata: { explanation: rule.explanation },
        });
      }
    }
    return { success, violations, pluginVersion: this.version };
  }
}

/**
 * One CDK app is one estate even when its stacks are in several regions: a bucket that another
 * stack's bucket replicates into (named by a literal `arn:<partition>:s3:::<name>`) is a replica,
 * and that replication rule's destination is in the replica's stack's region.
 */
export function linkReplicasAcrossStacks<T extends { region: string | undefined; facts: StackFacts }>(templates: T[]): T[] {
  const bucketsByName = new Map<string, { region: string | undefined }>();
  for (const t of templates) for (const b of t.facts.buckets) if (b.bucketName) bucketsByName.set(b.bucketName, { region: t.region });
  const sourcesByName = new Map<string, string[]>();
  const named = (ref: string | undefined) => /^arn:[a-z-]+:s3:::([^/]+)$/.exec(ref ?? "")?.[1];
  const withRegions = templates.map((t) => ({
    ...t,
    facts: {
      ...t.facts,
      buckets: t.facts.buckets.map((b) => {
        if (!b.replication) return b;
        const replication = b.replication.map((rule) => {
          const name = rule.destinationId ? undefined : named(rule.destinationBucket);
          if (!name) return rule;
          sourcesByName.set(name, [...(sourcesByName.get(name) ?? []), b.id]);
          const region = bucketsByName.get(name)?.region;
          return rule.destinationRegion === undefined && region ? { ...rule, destinationRegion: region } : rule;
        });
        return { ...b, replication };
      }),
    },
  }));
  return withRegions.map((t) => ({
    ...t,
    facts: { ...t.facts, buckets: t.facts.buckets.map((b) => (b.bucketName && sourcesByName.has(b.bucketName) ? { ...b, replicatedFrom: [...new Set([...b.replicatedFrom, ...(sourcesByName.get(b.bucketName) ?? [])])] } : b)) },
  }));
}
