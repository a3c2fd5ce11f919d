import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { RULES } from "../src";
import { configFromPulumi, configSchemaOf, PACK_NAME, pulumiPolicies, stackFacts } from "../src/pack/policies";
import { compliantStack, withProps } from "./fixtures/pulumi-stack";

const packDir = join(__dirname, "..");

/** What the policy SDK hands a stack policy: resources linked to each other, properties behind a proxy. */
function asPolicyResources(stack = compliantStack()): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const proxied = (target: Record<string, unknown>) => new Proxy(target, { get: (t, k) => (k === "__getSpecialProxyTarget" ? t : (t as Record<string | symbol, unknown>)[k]) });
  for (const r of stack) {
    byUrn.set(r.urn, { type: r.type, urn: r.urn, name: r.name, props: proxied({ ...r.properties }), opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] }, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined } as unknown as PolicyResource);
  }
  for (const r of stack) {
    const p = byUrn.get(r.urn) as { dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]>; provider?: unknown };
    p.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) p.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
    if (typeof r.provider === "string") {
      const provider = byUrn.get(r.provider);
      if (provider) p.provider = { type: provider.type, urn: provider.urn, name: provider.name, props: provider.props };
    }
  }
  return [...byUrn.values()];
}

describe("the Pulumi pack's policies", () => {
  it("are one per rule, resource policies for rules about one resource and stack policies for the rest", () => {
    const policies = pulumiPolicies();
    expect(policies.map((p) => p.name)).toEqual(RULES.map((r) => r.id));
    for (const [i, rule] of RULES.entries()) {
      const policy = policies[i] as ResourceValidationPolicy & StackValidationPolicy;
      expect(rule.scope === "resource" ? typeof policy.validateResource : typeof policy.validateStack).toBe("function");
      expect(policy.enforcementLevel).toBe(rule.enforcement);
    }
  });

  it("report each finding with its URN and message, exempted ones as advisory", () => {
    const weak = withProps(compliantStack(), "backups-primary-versioning", (p) => ({ ...p, versioningConfiguration: { status: "Suspended" } }));
    const policy = pulumiPolicies().find((p) => p.name === "s3-vault-versioning") as StackValidationPolicy;
    const reports: unknown[] = [];
    const report = (message: unknown, urn?: string) => reports.push(urn === undefined ? message : { message, urn });
    const args = (config: unknown) => ({ resources: asPolicyResources(weak), getConfig: () => config, stackTags: new Map(), notApplicable: () => { throw new Error("n/a"); } }) as never;
    void policy.validateStack(args({}), report);
    expect(reports).toEqual([{ urn: "urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary", message: expect.stringMatching(/^Versioning is "Suspended" on this backup vault\. Found: "Suspended"\. Fix: /) }]);
    reports.length = 0;
    void policy.validateStack(args({ exemptions: [{ resources: "backups-primary", reason: "Being migrated, TICKET-77" }] }), report);
    expect(reports).toEqual([{ urn: "urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary", enforcementLevel: "advisory", message: expect.stringMatching(/^EXEMPTED \(config\): Being migrated, TICKET-77\. Versioning/) }]);
  });

  it("read a rule's Pulumi config as that rule's settings and exemptions", () => {
    expect(configFromPulumi("kms-key-deletion-window", { kmsDeletionWindowDays: 14, exemptions: [{ resources: "legacy-*", reason: "Imported keys, see TICKET-3" }] })).toEqual({
      rules: { "kms-key-deletion-window": { kmsDeletionWindowDays: 14 } },
      exemptions: [{ resources: "legacy-*", rules: ["kms-key-deletion-window"], reason: "Imported keys, see TICKET-3" }],
    });
    expect(configSchemaOf(RULES.find((r) => r.id === "kms-key-deletion-window")!).properties.kmsDeletionWindowDays).toMatchObject({ type: "integer", minimum: 7, maximum: 30, default: 30 });
  });

  it("reuse a stack's facts only while the stack is the same", () => {
    const stack = compliantStack();
    const first = stackFacts(stack);
    expect(stackFacts(structuredClone(stack))).toBe(first);
    const changed = stackFacts(withProps(stack, "vault-key", (p) => ({ ...p, enableKeyRotation: false })));
    expect(changed).not.toBe(first);
    expect(changed.keys.find((k) => k.name === "vault-key")?.rotationEnabled).toBe(false);
  });
});

describe("the shipped pack", () => {
  it("is served from the built entry named by PulumiPolicy.yaml, with the package's version", () => {
    const project = readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8");
    expect(project).toMatch(/^runtime: nodejs$/m);
    expect(project).toMatch(/^main: dist\/pack\/main\.js$/m);
    const entry = readFileSync(join(packDir, "src/pack/main.ts"), "utf8");
    expect(entry).toContain("new PolicyPack(PACK_NAME, { policies: pulumiPolicies() })");
    expect(PACK_NAME).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/);
    expect((JSON.parse(readFileSync(join(packDir, "package.json"), "utf8")) as { version?: string }).version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
