import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverExamples, runExamples } from "@lifeboat/preview";
import { type RecordedStack } from "@lifeboat/constructs/testing";
import { RULES } from "@lifeboat/policies";
import { type AnalyzedResource, asAnalyzed, type Diagnostic, RunningPack } from "./support/policy-pack";

// The shipped pack, spawned as its own process and driven over the Analyzer protocol the Pulumi CLI
// uses, judging the examples/aws stack recorded under the mock engine.
let pack: RunningPack;
let estate: AnalyzedResource[];

/** What `pulumi preview` does with a pack: Analyze each resource, then AnalyzeStack. */
async function preview(resources: readonly AnalyzedResource[]): Promise<Diagnostic[]> {
  const perResource = (await Promise.all(resources.map((r) => pack.analyze(r)))).flat();
  return [...perResource, ...(await pack.analyzeStack(resources))];
}
const brief = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn.split("::").pop()}`).sort();
const change = (resources: readonly AnalyzedResource[], target: AnalyzedResource, f: (p: Record<string, any>) => Record<string, unknown>) =>
  resources.map((r) => (r.urn === target.urn ? { ...r, properties: f(structuredClone(r.properties)) } : r));

// The example grows; find what the scenarios weaken by what it is, not by its name.
const one = (what: string, found: AnalyzedResource | undefined): AnalyzedResource => {
  if (!found) throw new Error(`examples/aws has no ${what}`);
  return found;
};
const replication = () => one("BucketReplicationConfig", estate.find((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig"));
const primaryBucket = () => one("primary vault bucket", estate.find((r) => r.urn === replication().propertyDependencies.bucket?.[0]));
const replicaBucket = () => one("replica bucket", estate.find((r) => r.type === "aws:s3/bucket:Bucket" && r.urn !== primaryBucket().urn && (replication().propertyDependencies.rules ?? []).includes(r.urn)));
const partOf = (bucket: AnalyzedResource, type: string) => one(`${type} of ${bucket.name}`, estate.find((r) => r.type === type && (r.propertyDependencies.bucket ?? []).includes(bucket.urn)));
const aKey = () => one("KMS key", estate.find((r) => r.type === "aws:kms/key:Key"));

beforeAll(async () => {
  const example = discoverExamples(join(__dirname, "../examples")).find((e) => e.name === "aws");
  if (!example) throw new Error("examples/aws not found");
  const [[run], started] = await Promise.all([runExamples([example]), RunningPack.start()]);
  pack = started;
  if (!run?.stack) throw new Error(`examples/aws failed under the mock engine: ${run?.error}`);
  estate = asAnalyzed((run.stack as RecordedStack).resources, { project: example.project, stack: example.stack, region: example.config["aws:region"] ?? "us-east-1" });
}, 120_000);

afterAll(() => pack?.stop());

describe("the policy pack over the Analyzer protocol", () => {
  it("describes the pack-level policy and one policy per rule, with its enforcement and config schema", async () => {
    const info = await pack.getAnalyzerInfo();
    expect(info.name).toBe("lifeboat-dr");
    expect(info.policies.map((p) => p.name)).toEqual(["lifeboat", ...RULES.map((r) => r.id)]);
    expect(info.policies[0]?.configSchema).toEqual(expect.arrayContaining(["allowedRegions", "vaultNamePatterns", "minimumRetentionDays", "exemptions"]));
    const minimum = info.policies.find((p) => p.name === "s3-vault-minimum-retention");
    expect(minimum?.enforcementLevel).toBe("mandatory");
    expect(minimum?.configSchema.sort()).toEqual(["exemptions", "minimumRetentionDays", "vaultBuckets", "vaultNamePatterns"]);
  });

  it("finds nothing wrong with the examples/aws estate at the pack's defaults", async () => {
    await pack.configure({});
    expect(estate.filter((r) => r.type === "aws:s3/bucket:Bucket").length).toBeGreaterThanOrEqual(2);
    expect(await preview(estate)).toEqual([]);
  });

  it("rejects a non-compliant estate with the expected findings", async () => {
    await pack.configure({});
    const [primary, replica, key] = [primaryBucket(), replicaBucket(), aKey()];
    let weak = change(estate, partOf(primary, "aws:s3/bucketVersioning:BucketVersioning"), (p) => ({ ...p, versioningConfiguration: { status: "Suspended" } }));
    weak = change(weak, key, (p) => ({ ...p, enableKeyRotation: false }));
    weak = change(weak, partOf(replica, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"), (p) => ({ ...p, rules: [{ id: "too-short", status: "Enabled", filter: { prefix: "" }, expiration: { days: 7 } }, ...p.rules] }));
    weak = change(weak, partOf(replica, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"), (p) => ({ ...p, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }));
    const found = await preview(weak);
    expect(brief(found)).toEqual(
      [
        `kms-key-rotation mandatory ${key.name}`,
        `s3-bucket-kms-encryption mandatory ${replica.name}`,
        `s3-vault-minimum-retention mandatory ${replica.name}`,
        `s3-vault-versioning mandatory ${primary.name}`,
      ].sort(),
    );
    const versioning = found.find((d) => d.policyName === "s3-vault-versioning");
    expect(versioning?.urn).toBe(primary.urn);
    expect(versioning?.message).toContain('Versioning is "Suspended" on this backup vault. Found: "Suspended". Fix: Enable versioning');
  });

  it("applies configured thresholds and enforcement levels, and config exemptions with their reason", async () => {
    await pack.configure({
      "s3-vault-minimum-retention": { enforcementLevel: "advisory", properties: { minimumRetentionDays: 40 } },
      "kms-key-deletion-window": { enforcementLevel: "mandatory", properties: { kmsDeletionWindowDays: 30 } },
      "s3-vault-replication": { enforcementLevel: "mandatory", properties: { allowedRegions: ["us-east-1", "eu-west-1"], exemptions: [{ resources: "*-primary-bucket", reason: "DR region approved by legal, TICKET-9" }] } },
      "kms-key-rotation": { enforcementLevel: "disabled" },
    });
    const [primary, replica] = [primaryBucket(), replicaBucket()];
    const found = await preview(change(estate, aKey(), (p) => ({ ...p, enableKeyRotation: false })));
    // Rotation is disabled; the default lifecycle (dailies 35 days, noncurrent versions 30) is under the raised minimum of 40 days.
    expect([...new Set(brief(found))]).toEqual([`s3-vault-minimum-retention advisory ${primary.name}`, `s3-vault-minimum-retention advisory ${replica.name}`, `s3-vault-replication advisory ${primary.name}`].sort());
    expect(found.find((d) => d.policyName === "s3-vault-replication")?.message).toMatch(/\nEXEMPTED \(config\): DR region approved by legal, TICKET-9\. Replication rule "replicate-everything" copies to us-west-2/);
  });

  it("takes settings and exemptions once for the whole pack, and lets a rule's own config override them", async () => {
    const [primary, replica] = [primaryBucket(), replicaBucket()];
    await pack.configure({
      lifeboat: { properties: { minimumRetentionDays: 40, allowedRegions: ["us-east-1"], exemptions: [{ resources: "*-replica-bucket", reason: "Replica region approved by legal, TICKET-12", rules: ["data-store-allowed-regions"] }] } },
      "s3-vault-minimum-retention": { enforcementLevel: "advisory", properties: {} },
    });
    const found = await preview(estate);
    // The pack-level minimum applies to the stack rule (made advisory by its own config); the pack-level regions to the resource rule
    // (the replica exempted), to the replication rule, and to the DR-region resources.
    const minimum = found.filter((d) => d.policyName === "s3-vault-minimum-retention");
    expect([...new Set(minimum.map((d) => `${d.enforcementLevel} ${d.urn}`))].sort()).toEqual([`advisory ${primary.urn}`, `advisory ${replica.urn}`].sort());
    const regions = found.filter((d) => d.policyName === "data-store-allowed-regions");
    expect(regions.find((d) => d.urn === replica.urn)?.message).toMatch(/\nEXEMPTED \(config\): Replica region approved by legal, TICKET-12\./);
    expect(found.find((d) => d.policyName === "s3-vault-replication" && d.urn === primary.urn)?.enforcementLevel).toBe("mandatory");
    await pack.configure({ lifeboat: { properties: { minimumRetentionDays: 40 } }, "s3-vault-minimum-retention": { enforcementLevel: "mandatory", properties: { minimumRetentionDays: 30 } } });
    expect((await preview(estate)).filter((d) => d.policyName === "s3-vault-minimum-retention")).toEqual([]);
  });

  it("judges values only known after deploy as advisory, as in a preview of new resources", async () => {
    await pack.configure({});
    const unknownBool = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
    const primary = primaryBucket();
    const found = await preview(change(estate, partOf(primary, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), (p) => ({ ...p, restrictPublicBuckets: unknownBool })));
    expect(brief(found)).toEqual([`s3-bucket-public-access-block advisory ${primary.name}`]);
    expect(found[0]?.message).toMatch(/\nCannot be judged until deploy/);
  });
});
