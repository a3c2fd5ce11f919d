import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyResource, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { type PulumiResource, RULES, SETTINGS_SCHEMA } from "../src";
import { configFromPack, configSchemaOf, PACK_NAME, PACK_POLICY, type PackConfiguration, packConfigSchema, pulumiPolicies } from "../src/pack/policies";
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
  const stackPolicy = (config: PackConfiguration = {}) => pulumiPolicies(RULES, () => config).find((p) => p.name === PACK_POLICY) as StackValidationPolicy;
  const judgeStack = (stack: PulumiResource[], config: PackConfiguration = {}) => {
    const reports: { name: string; urn?: string; message: string; enforcementLevel: string }[] = [];
    const args = { resources: asPolicyResources(stack), getConfig: () => ({}), stackTags: new Map(), notApplicable: () => { throw new Error("n/a"); } } as never;
    void stackPolicy(config).validateStack(args, ((v: never) => reports.push(v)) as never);
    return reports;
  };
  const weak = withProps(compliantStack(), "backups-primary-versioning", (p) => ({ ...p, versioningConfiguration: { status: "Suspended" } }));

  it("are the pack-level policy, which validates resources and the stack, then one policy per rule with no validation of its own", () => {
    const policies = pulumiPolicies();
    expect(policies.map((p) => p.name)).toEqual([PACK_POLICY, ...RULES.map((r) => r.id)]);
    const pack = policies[0] as ResourceValidationPolicy & StackValidationPolicy;
    expect([typeof pack.validateResource, typeof pack.validateStack]).toEqual(["function", "function"]);
    for (const [i, rule] of RULES.entries()) {
      const policy = policies[i + 1] as ResourceValidationPolicy & StackValidationPolicy;
      expect([policy.validateResource, policy.validateStack]).toEqual([undefined, undefined]);
      expect(policy.enforcementLevel).toBe(rule.enforcement);
    }
  });

  it("judge every stack rule in one pass, reporting each finding under its rule's name with its URN", () => {
    expect(judgeStack(compliantStack())).toEqual([]);
    expect(judgeStack(weak)).toEqual([
      {
        name: "s3-vault-versioning",
        description: "Backup vault buckets have versioning enabled.",
        urn: "urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary",
        enforcementLevel: "mandatory",
        message: expect.stringMatching(/^Backup vault buckets have versioning enabled\.\nVersioning is "Suspended" on this backup vault\. Found: "Suspended"\. Fix: /),
      },
    ]);
  });

  it("apply a rule's own enforcement and exemptions, exempted findings as advisory", () => {
    expect(judgeStack(weak, { "s3-vault-versioning": { enforcementLevel: "disabled", properties: {} } })).toEqual([]);
    expect(judgeStack(weak, { "s3-vault-versioning": { enforcementLevel: "advisory", properties: {} } })[0]?.enforcementLevel).toBe("advisory");
    const exempted = judgeStack(weak, { "s3-vault-versioning": { enforcementLevel: "mandatory", properties: { exemptions: [{ resources: "backups-primary", reason: "Being migrated, TICKET-77" }] } } });
    expect(exempted.map((r) => [r.enforcementLevel, r.message.split("\n")[1]?.slice(0, 48)])).toEqual([["advisory", "EXEMPTED (config): Being migrated, TICKET-77. Ve"]]);
  });

  it("read settings and exemptions given once for the whole pack, with each rule's own settings winning", () => {
    const config: PackConfiguration = {
      [PACK_POLICY]: { properties: { kmsDeletionWindowDays: 14, allowedRegions: ["eu-west-1"], exemptions: [{ resources: "legacy-*", reason: "Imported from the old account, TICKET-9", rules: ["kms-key-rotation"] }, { resources: "scratch-*", reason: "Throwaway test resources" }] } },
      "kms-key-deletion-window": { enforcementLevel: "advisory", properties: { kmsDeletionWindowDays: 21, exemptions: [{ resources: "old-*", reason: "Imported keys, see TICKET-3" }] } },
    };
    expect(configFromPack(config)).toEqual({
      kmsDeletionWindowDays: 14,
      allowedRegions: ["eu-west-1"],
      rules: { "kms-key-deletion-window": { kmsDeletionWindowDays: 21, enforcement: "advisory" } },
      exemptions: [
        { resources: "legacy-*", rules: ["kms-key-rotation"], reason: "Imported from the old account, TICKET-9" },
        { resources: "scratch-*", rules: ["*"], reason: "Throwaway test resources" },
        { resources: "old-*", rules: ["kms-key-deletion-window"], reason: "Imported keys, see TICKET-3" },
      ],
    });
    const names = (config: PackConfiguration) => [...new Set(judgeStack(compliantStack(), config).map((r) => r.name))];
    expect(names({ [PACK_POLICY]: { properties: { minimumRetentionDays: 400 } } })).toEqual(["s3-vault-minimum-retention"]);
    expect(names({ [PACK_POLICY]: { properties: { minimumRetentionDays: 400 } }, "s3-vault-minimum-retention": { enforcementLevel: "mandatory", properties: { minimumRetentionDays: 30 } } })).toEqual([]);
    const regions = pulumiPolicies(RULES, () => ({ [PACK_POLICY]: { properties: { allowedRegions: ["eu-west-1"] } } })).find((p) => p.name === PACK_POLICY) as ResourceValidationPolicy;
    const reports: unknown[] = [];
    const db = compliantStack().find((r) => r.name === "main-db")!;
    void (regions.validateResource as ResourceValidation)({ type: db.type, urn: db.urn, name: db.name, props: db.properties, opts: {}, getConfig: () => ({}), isType: () => false, asType: () => undefined, notApplicable: () => undefined } as never, ((v: unknown) => reports.push(v)) as never);
    expect(reports).toEqual([expect.objectContaining({ name: "data-store-allowed-regions", urn: db.urn, enforcementLevel: "mandatory" })]);
  });

  it("describe each rule's config by the settings it reads, and the pack's by every setting", () => {
    expect(configSchemaOf(RULES.find((r) => r.id === "kms-key-deletion-window")!).properties.kmsDeletionWindowDays).toMatchObject({ type: "integer", minimum: 7, maximum: 30, default: 30 });
    expect(Object.keys(packConfigSchema().properties).sort()).toEqual([...Object.keys(SETTINGS_SCHEMA), "exemptions"].sort());
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
