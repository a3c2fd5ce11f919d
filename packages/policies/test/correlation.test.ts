import { describe, expect, it } from "vitest";
import { evaluate, factsFromPulumi, RULES, type PulumiResource } from "../src";
import { compliantStack, res, urn, vault } from "./fixtures/pulumi-stack";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111";
const REPLICA_KEY = "arn:aws:kms:us-west-2:123456789012:key/22222222-2222-2222-2222-222222222222";
const ruleIds = (stack: readonly PulumiResource[]) => evaluate(factsFromPulumi(stack), RULES).findings.map((f) => `${f.ruleId} ${f.resourceName}`);

/** The same vault written with the legacy inline properties of @pulumi/aws v6's `aws.s3.Bucket`. */
function legacyInline(type: string, overrides: Record<string, unknown> = {}): PulumiResource[] {
  const arn = "arn:aws:s3:::legacy-vault";
  return [
    res(type, "legacy-vault", {
      bucket: "legacy-vault",
      arn,
      region: "us-east-1",
      versioning: { enabled: true, mfaDelete: false },
      serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true } },
      lifecycleRules: [
        { id: "daily", enabled: true, tags: { tier: "daily" }, expiration: { days: 35 } },
        { id: "noncurrent", enabled: true, noncurrentVersionExpiration: { days: 30 } },
      ],
      replicationConfiguration: {
        role: "arn:aws:iam::123456789012:role/r",
        rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::dr-copy", replicaKmsKeyId: REPLICA_KEY }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { enabled: true } } }],
      },
      policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] }),
      ...overrides,
    }),
    res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "legacy-pab", { bucket: "legacy-vault", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
  ];
}

describe("bucket correlation", () => {
  it("judges a vault configured by separate resources (@pulumi/aws v7) compliant", () => {
    expect(ruleIds(compliantStack())).toEqual([]);
  });

  it("finds the bucket through the `bucket` input's dependencies when names are known only after deploy", () => {
    const unknownName = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const stack = compliantStack().map((r) => (r.properties.bucket !== undefined && r.type !== "aws:s3/bucket:Bucket" ? { ...r, properties: { ...r.properties, bucket: unknownName } } : r));
    expect(ruleIds(stack)).toEqual([]);
  });

  it("finds the bucket by name when the engine reports no dependencies", () => {
    const stack = compliantStack().map((r) => ({ ...r, dependencies: [], propertyDependencies: {} }));
    expect(ruleIds(stack)).toEqual([]);
  });

  it("lets a separate resource win over the bucket's computed copy of its creation-time state", () => {
    // @pulumi/aws reports deprecated, computed copies read when the bucket was created: SSE-S3 and no versioning.
    const stack = compliantStack().map((r) =>
      r.name === "backups-primary" ? { ...r, properties: { ...r.properties, versionings: [{ enabled: false }], serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }] } } : r,
    );
    expect(ruleIds(stack)).toEqual([]);
  });

  it("catches a separate resource that weakens the bucket (no false negative from correlation)", () => {
    const stack = compliantStack().map((r) => (r.name === "backups-primary-versioning" ? { ...r, properties: { ...r.properties, versioningConfiguration: { status: "Suspended" } } } : r));
    expect(ruleIds(stack)).toEqual(["s3-vault-versioning backups-primary"]);
  });

  it.each(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"])("judges a legacy inline %s: compliant as written", (type) => {
    expect(ruleIds(legacyInline(type))).toEqual([]);
  });

  it.each([
    ["versioning off", { versioning: { enabled: false } }, ["s3-vault-versioning legacy-vault"]],
    ["SSE-S3", { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } }, ["s3-bucket-kms-encryption legacy-vault"]],
    ["a 3-day expiry", { lifecycleRules: [{ id: "short", enabled: true, expiration: { days: 3 } }] }, ["s3-vault-minimum-retention legacy-vault"]],
    ["no TLS policy", { policy: undefined }, ["s3-vault-tls-only legacy-vault"]],
  ])("judges a legacy inline bucket with %s non-compliant", (_, overrides, expected) => {
    expect(ruleIds(legacyInline("aws:s3/bucket:Bucket", overrides))).toEqual(expected);
  });

  it("reads the v6 BucketV2 list-shaped copies (`versionings`, `serverSideEncryptionConfigurations`)", () => {
    const [bucket, pab] = legacyInline("aws:s3/bucketV2:BucketV2", { versioning: undefined, serverSideEncryptionConfiguration: undefined, versionings: [{ enabled: true }], serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefault: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }], bucketKeyEnabled: true }] }] });
    expect(ruleIds([bucket!, pab!])).toEqual([]);
    const [weak] = legacyInline("aws:s3/bucketV2:BucketV2", { versioning: undefined, versionings: [{ enabled: false }] });
    expect(ruleIds([weak!, pab!])).toEqual(["s3-vault-versioning legacy-vault"]);
  });

  it("correlates v6 V2 separate-resource tokens (BucketVersioningV2 ...)", () => {
    const v2 = vault("v2-backups", { region: "us-east-1", key: KEY, keyName: "k" }).map((r) => ({ ...r, type: r.type.replace(/aws:s3\/bucket(Versioning|ServerSideEncryptionConfiguration|LifecycleConfiguration):Bucket\1/, "aws:s3/bucket$1V2:Bucket$1V2").replace("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2") }));
    expect(v2.map((r) => r.type)).toContain("aws:s3/bucketVersioningV2:BucketVersioningV2");
    expect(ruleIds(v2)).toEqual(["s3-vault-replication v2-backups"]);
    const suspended = v2.map((r) => (r.type.startsWith("aws:s3/bucketVersioningV2") ? { ...r, properties: { ...r.properties, versioningConfiguration: { status: "Suspended" } } } : r));
    expect(ruleIds(suspended)).toEqual(["s3-vault-versioning v2-backups", "s3-vault-replication v2-backups"]);
  });

  it("does not attach a separate resource to the wrong bucket of two", () => {
    const a = vault("a-backups", { region: "us-east-1", key: KEY, keyName: "k" });
    const b = vault("b-backups", { region: "us-east-1", key: KEY, keyName: "k" }).filter((r) => !r.name.endsWith("-versioning"));
    expect(ruleIds([...a, ...b]).filter((id) => id.startsWith("s3-vault-versioning"))).toEqual(["s3-vault-versioning b-backups"]);
  });

  it("finds the replica's region through its provider", () => {
    const facts = factsFromPulumi(compliantStack());
    const replica = facts.buckets.find((b) => b.name === "backups-replica");
    expect(replica?.region).toBe("us-west-2");
    expect(facts.buckets.find((b) => b.name === "backups-primary")?.replication?.[0]?.destinationRegion).toBe("us-west-2");
    expect(replica?.replicatedFrom).toEqual([urn("aws:s3/bucket:Bucket", "backups-primary")]);
  });
});
