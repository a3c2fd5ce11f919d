import { describe, expect, it } from "vitest";
import { checkConfig, evaluate, factsFromPulumi, isBlocking, judge, RULES, type Rule, s3BucketKmsEncryption, s3VaultVersioning, kmsKeyRotation, exemptionReasonRequired } from "../src";
import { compliantStack, res, withProps } from "./fixtures/pulumi-stack";
import { compliantTemplate, withCfn } from "./fixtures/template";
import { factsFromTemplate } from "../src";

const stack = compliantStack();
const unversioned = withProps(stack, "backups-primary-versioning", (p) => ({ ...p, versioningConfiguration: { status: "Suspended" } }));
const tagBucket = (tags: Record<string, string>) => withProps(unversioned, "backups-primary", (p) => ({ ...p, tags }));

describe("evaluate", () => {
  it("finds nothing in the compliant estate with every rule at its defaults", () => {
    const { findings, rulesRun } = evaluate(factsFromPulumi(stack), RULES);
    expect(findings).toEqual([]);
    expect(rulesRun).toEqual(RULES.map((r) => r.id));
  });

  it("reports a finding with the resource's URN, the value found, the fix and the rule's enforcement", () => {
    const [finding] = evaluate(factsFromPulumi(unversioned), RULES).findings;
    expect(finding).toEqual({
      ruleId: "s3-vault-versioning",
      resource: "urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary",
      resourceType: "aws:s3/bucket:Bucket",
      resourceName: "backups-primary",
      message: 'Versioning is "Suspended" on this backup vault.',
      actual: "Suspended",
      fix: expect.stringContaining("BucketVersioning"),
      enforcement: "mandatory",
    });
    expect(isBlocking(finding!)).toBe(true);
  });

  it("applies per-rule enforcement: advisory findings do not block, disabled rules do not run", () => {
    const advisory = evaluate(factsFromPulumi(unversioned), RULES, { rules: { "s3-vault-versioning": { enforcement: "advisory" } } });
    expect(advisory.findings.map((f) => [f.ruleId, f.enforcement, isBlocking(f)])).toEqual([["s3-vault-versioning", "advisory", false]]);
    const disabled = evaluate(factsFromPulumi(unversioned), RULES, { rules: { "s3-vault-versioning": { enforcement: "disabled" } } });
    expect(disabled.findings).toEqual([]);
    expect(disabled.rulesRun).not.toContain("s3-vault-versioning");
  });

  it("turns a rule that throws into a finding instead of a pass", () => {
    const broken: Rule = { ...s3VaultVersioning, id: "broken", check: () => { throw new TypeError("cannot read properties of undefined"); } };
    const [finding] = evaluate(factsFromPulumi(stack), [broken]).findings;
    expect(finding?.ruleId).toBe("broken");
    expect(finding?.message).toContain("cannot read properties of undefined");
    expect(finding && isBlocking(finding)).toBe(true);
  });

  it("reports a value known only after deploy as advisory, not as a violation", () => {
    const preview = withProps(stack, "backups-primary-encryption", (p: any) => ({ ...p, rules: [{ ...p.rules[0], bucketKeyEnabled: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7" }] }));
    const [finding] = judge(s3BucketKmsEncryption, factsFromPulumi(preview), undefined);
    expect(finding?.knownAfterDeploy).toBe(true);
    expect(finding?.enforcement).toBe("advisory");
    expect(finding?.message).toMatch(/^Cannot be judged until deploy/);
  });
});

describe("exemptions", () => {
  it("applies a tag exemption with a reason, and still reports the finding as exempted", () => {
    const findings = evaluate(factsFromPulumi(tagBucket({ "lifeboat:exempt": "s3-vault-versioning s3-vault-replication", "lifeboat:exempt-reason": "Migration bucket until TICKET-12, 2027-01" })), RULES).findings;
    expect(findings.map((f) => [f.ruleId, f.exemption])).toEqual([["s3-vault-versioning", { reason: "Migration bucket until TICKET-12, 2027-01", by: "tag" }]]);
    expect(findings.some(isBlocking)).toBe(false);
  });

  it.each([
    ["no reason", { "lifeboat:exempt": "s3-vault-versioning" }],
    ["a reason shorter than 10 characters", { "lifeboat:exempt": "s3-vault-versioning", "lifeboat:exempt-reason": "because" }],
  ])("does not apply a tag exemption with %s, and reports that as a finding", (_, tags) => {
    const findings = evaluate(factsFromPulumi(tagBucket(tags)), RULES).findings;
    expect(findings.map((f) => [f.ruleId, f.resourceName, f.exemption ?? null])).toEqual([
      ["s3-vault-versioning", "backups-primary", null],
      ["exemption-reason-required", "backups-primary", null],
    ]);
  });

  it("applies a configuration exemption by name pattern, only for the rules it names", () => {
    const config = { exemptions: [{ resources: "backups-*", rules: ["s3-vault-versioning"], reason: "Legacy vault retired at end of quarter" }] };
    expect(evaluate(factsFromPulumi(unversioned), RULES, config).findings.map((f) => [f.ruleId, f.exemption?.by])).toEqual([["s3-vault-versioning", "config"]]);
    const otherRule = { exemptions: [{ resources: "backups-*", rules: ["kms-key-rotation"], reason: "Legacy vault retired at end of quarter" }] };
    expect(evaluate(factsFromPulumi(unversioned), RULES, otherRule).findings.map((f) => f.exemption ?? null)).toEqual([null]);
  });

  it("does not apply a configuration exemption without a reason, and reports it", () => {
    const config = { exemptions: [{ resources: "*", rules: ["*"], reason: "" }] };
    const findings = evaluate(factsFromPulumi(unversioned), RULES, config).findings;
    expect(findings.map((f) => [f.ruleId, f.resource, f.exemption ?? null])).toEqual([
      ["s3-vault-versioning", "urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary", null],
      ["exemption-reason-required", "config:exemptions[0]", null],
    ]);
  });

  it("reads exemption tags from a template's Tags list", () => {
    const tagged = (reason?: string) =>
      withCfn(compliantTemplate(), "VaultBucket", (p) => ({ ...p, VersioningConfiguration: { Status: "Suspended" }, Tags: [...p.Tags, { Key: "lifeboat:exempt", Value: "s3-vault-versioning" }, ...(reason ? [{ Key: "lifeboat:exempt-reason", Value: reason }] : [])] }));
    expect(evaluate(factsFromTemplate(tagged("Restored from snapshot, TICKET-8")), RULES).findings.map((f) => [f.ruleId, f.resource, f.exemption?.by ?? null])).toEqual([["s3-vault-versioning", "VaultBucket", "tag"]]);
    expect(evaluate(factsFromTemplate(tagged()), RULES).findings.map((f) => [f.ruleId, f.resource, f.exemption?.by ?? null])).toEqual([
      ["s3-vault-versioning", "VaultBucket", null],
      ["exemption-reason-required", "VaultBucket", null],
    ]);
  });

  it("takes the exempt-reason tag from the judged resource only", () => {
    const key = withProps(stack, "vault-key", (p) => ({ ...p, enableKeyRotation: false, tags: { "lifeboat:exempt": "kms-key-rotation", "lifeboat:exempt-reason": "Imported key material cannot rotate" } }));
    expect(judge(kmsKeyRotation, factsFromPulumi(key), undefined)[0]?.exemption?.reason).toBe("Imported key material cannot rotate");
    expect(judge(exemptionReasonRequired, factsFromPulumi(key), undefined)).toEqual([]);
  });
});

describe("checkConfig", () => {
  const ids = RULES.map((r) => r.id);
  it("accepts the documented settings", () => {
    expect(checkConfig({ minimumRetentionDays: 45, allowedRegions: ["eu-west-1"], rules: { "kms-key-deletion-window": { enforcement: "advisory", kmsDeletionWindowDays: 14 } }, exemptions: [{ resources: "x-*", rules: ["*"], reason: "long enough reason" }] }, ids)).toEqual([]);
  });
  it("names every problem: unknown keys, bad values, unknown rules and enforcement", () => {
    expect(checkConfig({ minimumRetentionDays: 1.5, retention: 3, rules: { nope: {}, "kms-key-rotation": { enforcement: "loud" as never } }, exemptions: [{ resources: "", rules: ["nope"], reason: "x" }] } as never, ids)).toEqual([
      "`minimumRetentionDays` (1.5) must be a whole number.",
      expect.stringMatching(/^`retention` is not a setting; settings are minimumRetentionDays/),
      expect.stringMatching(/^`rules.nope` names no rule/),
      '`rules.kms-key-rotation.enforcement` ("loud") must be "advisory", "mandatory" or "disabled".',
      '`exemptions[0].resources` must be a name pattern such as "legacy-*".',
      '`exemptions[0].rules` names "nope", which is no rule.',
    ]);
  });
});

describe("every rule", () => {
  it.each(RULES.map((r) => [r.id, r] as const))("%s has an id, area, description, cause, explanation and declares the settings it reads", (id, rule) => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const text of [rule.description, rule.cause, rule.explanation, rule.appliesTo]) expect(text.length).toBeGreaterThan(20);
    // A rule that reads a setting it does not declare would ignore the per-rule override in Pulumi config.
    const source = rule.check.toString();
    for (const name of source.matchAll(/settings\.([a-zA-Z]+)/g)) {
      if (name[1] !== "exemptions") expect(rule.settings).toContain(name[1]);
    }
  });
  it("ids are unique", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });
});

describe("a resource the adapter cannot read", () => {
  it("is a finding of resource-readable", () => {
    const hostile = res("aws:s3/bucket:Bucket", "weird", {});
    Object.defineProperty(hostile.properties, "tags", { get: () => { throw new Error("boom"); }, enumerable: true });
    const findings = evaluate(factsFromPulumi([...stack, hostile]), RULES).findings;
    expect(findings.map((f) => [f.ruleId, f.resourceName])).toEqual([["resource-readable", "weird"]]);
  });
});
