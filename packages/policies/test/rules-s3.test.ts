import { describe, expect, it } from "vitest";
import {
  s3BucketKmsEncryption,
  s3BucketPublicAccessBlock,
  s3LifecycleStorageClassMinimums,
  s3VaultArchiveTiering,
  s3VaultMaximumRetention,
  s3VaultMinimumRetention,
  s3VaultObjectLock,
  s3VaultReplication,
  s3VaultTlsOnly,
  s3VaultVersioning,
  type PulumiResource,
} from "../src";
import { onStack, onTemplate, summary } from "./fixtures/judge";
import { compliantStack, res, withProps, without } from "./fixtures/pulumi-stack";
import { compliantTemplate, withCfn } from "./fixtures/template";

const stack = compliantStack();
const template = compliantTemplate();
type Change = (p: Record<string, any>) => Record<string, any>;
const rules = (change: (rules: any[]) => any[]): Change => (p) => ({ ...p, rules: change(structuredClone(p.rules)) });
const cfnRules = (change: (rules: any[]) => any[]): Change => (p) => ({ ...p, LifecycleConfiguration: { Rules: change(p.LifecycleConfiguration.Rules) } });

describe("s3-vault-versioning", () => {
  it("passes versioned vaults", () => {
    expect(onStack(s3VaultVersioning, stack)).toEqual([]);
    expect(onTemplate(s3VaultVersioning, template)).toEqual([]);
  });
  it.each([
    ["suspended", (p: any) => ({ ...p, versioningConfiguration: { status: "Suspended" } }), 'Versioning is "Suspended"'],
    ["disabled", (p: any) => ({ ...p, versioningConfiguration: { status: "Disabled" } }), 'Versioning is "Disabled"'],
  ])("fails a vault whose versioning is %s", (_, change, message) => {
    const findings = onStack(s3VaultVersioning, withProps(stack, "backups-primary-versioning", change));
    expect(summary(findings)).toEqual([`backups-primary: ${message} on this backup vault.`]);
    expect(findings[0]?.resource).toBe("urn:pulumi:dev::estate::aws:s3/bucket:Bucket::backups-primary");
  });
  it("fails a vault with no versioning resource", () => {
    expect(summary(onStack(s3VaultVersioning, without(stack, "backups-replica-versioning")))).toEqual(["backups-replica: Versioning is not configured on this backup vault."]);
  });
  it("fails a template vault with versioning suspended or absent", () => {
    expect(onTemplate(s3VaultVersioning, withCfn(template, "VaultBucket", (p) => ({ ...p, VersioningConfiguration: { Status: "Suspended" } })))[0]?.actual).toBe("Suspended");
    expect(onTemplate(s3VaultVersioning, withCfn(template, "VaultBucket", ({ VersioningConfiguration: _, ...p }) => p))[0]?.resource).toBe("VaultBucket");
  });
  it("leaves buckets that are not vaults alone", () => {
    const site = res("aws:s3/bucket:Bucket", "website", { bucket: "website-assets" });
    expect(onStack(s3VaultVersioning, [...stack, site])).toEqual([]);
    expect(summary(onStack(s3VaultVersioning, [...stack, site], { vaultBuckets: "all" }))).toEqual(["website: Versioning is not configured on this backup vault."]);
  });
});

describe("s3-bucket-kms-encryption", () => {
  it("passes SSE-KMS with a customer key and a bucket key", () => {
    expect(onStack(s3BucketKmsEncryption, stack)).toEqual([]);
    expect(onTemplate(s3BucketKmsEncryption, template)).toEqual([]);
  });
  const byDefault = (change: (d: any) => any): Change => (p) => ({ ...p, rules: [{ ...p.rules[0], applyServerSideEncryptionByDefault: change(p.rules[0].applyServerSideEncryptionByDefault) }] });
  it.each([
    ["AES256", byDefault(() => ({ sseAlgorithm: "AES256" })), "The bucket encrypts with SSE-S3 (AES256), not a customer managed KMS key."],
    ["aws:kms without a key", byDefault(() => ({ sseAlgorithm: "aws:kms" })), "SSE-KMS names no key, so S3 uses the AWS managed aws/s3 key."],
    ["the aws/s3 key", byDefault(() => ({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" })), "SSE-KMS uses the AWS managed key alias/aws/s3."],
    ["no bucket key", (p: any) => ({ ...p, rules: [{ ...p.rules[0], bucketKeyEnabled: false }] }), "SSE-KMS is on without an S3 bucket key: every object operation calls KMS."],
  ])("fails %s", (_, change, message) => {
    expect(summary(onStack(s3BucketKmsEncryption, withProps(stack, "backups-primary-encryption", change)))).toEqual([`backups-primary: ${message}`]);
  });
  it("fails a bucket with no encryption configuration, vault or not", () => {
    const other = res("aws:s3/bucket:Bucket", "uploads", { bucket: "uploads" });
    expect(summary(onStack(s3BucketKmsEncryption, [...stack, other]))).toEqual(["uploads: The bucket has no default encryption configured (S3 applies SSE-S3)."]);
  });
  it("skips a bucket that receives server access logs, which cannot use KMS", () => {
    const logs = res("aws:s3/bucket:Bucket", "access-logs", { bucket: "access-logs-1" });
    const logging = res("aws:s3/bucketLogging:BucketLogging", "backups-logging", { bucket: "backups-primary-0a1b2c3", targetBucket: "access-logs-1" });
    expect(onStack(s3BucketKmsEncryption, [...stack, logs, logging])).toEqual([]);
  });
  it("accepts DSSE-KMS without a bucket key (DSSE does not support one)", () => {
    expect(onStack(s3BucketKmsEncryption, withProps(stack, "backups-primary-encryption", (p: any) => ({ ...p, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: "arn:aws:kms:us-east-1:1:key/x" } }] })))).toEqual([]);
  });
  it("fails a template bucket with AES256 or the aws/s3 key", () => {
    const aes = withCfn(template, "VaultBucket", (p) => ({ ...p, BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] } }));
    expect(onTemplate(s3BucketKmsEncryption, aes)[0]?.actual).toBe("AES256");
    const managed = withCfn(template, "VaultBucket", (p) => ({ ...p, BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/aws/s3" }, BucketKeyEnabled: true }] } }));
    expect(summary(onTemplate(s3BucketKmsEncryption, managed))).toEqual(["VaultBucket: SSE-KMS uses the AWS managed key alias/aws/s3."]);
  });
});

describe("s3-bucket-public-access-block", () => {
  it("passes all four blocks", () => {
    expect(onStack(s3BucketPublicAccessBlock, stack)).toEqual([]);
    expect(onTemplate(s3BucketPublicAccessBlock, template)).toEqual([]);
  });
  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])("fails %s off", (flag) => {
    const findings = onStack(s3BucketPublicAccessBlock, withProps(stack, "backups-primary-public-access-block", (p) => ({ ...p, [flag]: false })));
    expect(summary(findings)).toEqual([`backups-primary: Public access blocks off: ${flag}.`]);
  });
  it("fails a bucket with no block, and a public canned ACL", () => {
    const acl = res("aws:s3/bucketAclV2:BucketAclV2", "replica-acl", { bucket: "backups-replica-0a1b2c3", acl: "public-read" });
    const findings = onStack(s3BucketPublicAccessBlock, [...without(stack, "backups-replica-public-access-block"), acl]);
    expect(summary(findings)).toEqual(["backups-replica: The bucket has no public access block.", 'backups-replica: The bucket grants the canned ACL "public-read".']);
  });
  it("fails a template bucket with a block off or a PublicRead ACL", () => {
    const off = withCfn(template, "VaultBucket", (p) => ({ ...p, PublicAccessBlockConfiguration: { ...p.PublicAccessBlockConfiguration, RestrictPublicBuckets: false }, AccessControl: "PublicRead" }));
    expect(summary(onTemplate(s3BucketPublicAccessBlock, off))).toEqual(["VaultBucket: Public access blocks off: restrictPublicBuckets.", 'VaultBucket: The bucket grants the canned ACL "public-read".']);
  });
});

describe("s3-vault-tls-only", () => {
  it("passes a deny on aws:SecureTransport false for the bucket and its objects", () => {
    expect(onStack(s3VaultTlsOnly, stack)).toEqual([]);
    expect(onTemplate(s3VaultTlsOnly, template)).toEqual([]);
  });
  const policy = (statement: Record<string, unknown>) => (p: Record<string, any>) => {
    const doc = JSON.parse(p.policy);
    return { ...p, policy: JSON.stringify({ ...doc, Statement: [{ ...doc.Statement[0], ...statement }] }) };
  };
  it.each([
    ["an Allow instead of a Deny", policy({ Effect: "Allow" }), "The bucket policy does not deny requests without TLS (aws:SecureTransport false)."],
    ["a condition on the wrong key", policy({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }), "The bucket policy does not deny requests without TLS (aws:SecureTransport false)."],
    ["only some actions", policy({ Action: ["s3:GetObject"] }), "The bucket policy does not deny requests without TLS (aws:SecureTransport false)."],
    ["only the objects", policy({ Resource: ["arn:aws:s3:::backups-primary-0a1b2c3/*"] }), "The TLS-only statement does not cover the bucket."],
    ["only the bucket", policy({ Resource: "arn:aws:s3:::backups-primary-0a1b2c3" }), "The TLS-only statement does not cover its objects (bucket/*)."],
    ["a policy that is not JSON", (p: any) => ({ ...p, policy: "{not json" }), "The bucket policy cannot be read"],
  ])("fails %s", (_, change, message) => {
    const findings = onStack(s3VaultTlsOnly, withProps(stack, "backups-primary-policy", change));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("fails a vault with no bucket policy, in a stack and in a template", () => {
    expect(summary(onStack(s3VaultTlsOnly, without(stack, "backups-replica-policy")))).toEqual(["backups-replica: The backup vault has no bucket policy, so requests without TLS are allowed."]);
    const { VaultBucketPolicy: _, ...resources } = template.Resources;
    expect(onTemplate(s3VaultTlsOnly, { Resources: resources })[0]?.resource).toBe("VaultBucket");
  });
});

describe("s3-vault-minimum-retention", () => {
  it("passes expirations of 35/90/365 days and noncurrent versions kept 30 days", () => {
    expect(onStack(s3VaultMinimumRetention, stack)).toEqual([]);
    expect(onTemplate(s3VaultMinimumRetention, template)).toEqual([]);
  });
  it.each([
    ["a tier expiring at 7 days", rules((r) => [{ ...r[0], expiration: { days: 7 } }, ...r.slice(1)]), 'Lifecycle rule "tier-daily" (tag tier=daily) expires backups after 7 days, less than the minimum of 30 days.'],
    ["noncurrent versions kept 1 day", rules((r) => [...r.slice(0, 3), { ...r[3], noncurrentVersionExpiration: { noncurrentDays: 1 } }]), 'Lifecycle rule "noncurrent-versions-and-uploads" (every object) deletes noncurrent versions after 1 day'],
    ["an expiration on a date", rules((r) => [{ ...r[0], expiration: { date: "2027-01-01T00:00:00Z" } }, ...r.slice(1)]), "expires every backup on 2027-01-01T00:00:00Z, whatever its age."],
  ])("fails %s", (_, change, message) => {
    const findings = onStack(s3VaultMinimumRetention, withProps(stack, "backups-primary-lifecycle", change));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("ignores a disabled rule and honours a raised minimum", () => {
    expect(onStack(s3VaultMinimumRetention, withProps(stack, "backups-primary-lifecycle", rules((r) => [{ ...r[0], status: "Disabled", expiration: { days: 1 } }, ...r.slice(1)])))).toEqual([]);
    expect(onStack(s3VaultMinimumRetention, stack, { minimumRetentionDays: 40 }).map((f) => f.actual)).toEqual([
      { rule: "tier-daily", expirationDays: 35 },
      { rule: "noncurrent-versions-and-uploads", noncurrentDays: 30 },
      { rule: "tier-daily", expirationDays: 35 },
      { rule: "noncurrent-versions-and-uploads", noncurrentDays: 30 },
    ]);
  });
  it("fails a template rule expiring at 10 days", () => {
    const short = withCfn(template, "VaultBucket", cfnRules((r) => [{ ...r[0], ExpirationInDays: 10 }, ...r.slice(1)]));
    expect(onTemplate(s3VaultMinimumRetention, short).map((f) => f.actual)).toEqual([{ rule: "tier-daily", expirationDays: 10 }]);
  });
});

describe("s3-vault-maximum-retention", () => {
  const maxRule = rules((r) => [...r, { id: "max-retention", status: "Enabled", filter: { prefix: "" }, expiration: { days: 400 } }]);
  it("is off unless maximumRetentionDays is set", () => {
    expect(onStack(s3VaultMaximumRetention, stack)).toEqual([]);
  });
  it("passes when an unfiltered rule expires objects and noncurrent versions within the maximum", () => {
    const capped = withProps(withProps(stack, "backups-primary-lifecycle", maxRule), "backups-replica-lifecycle", maxRule);
    expect(onStack(s3VaultMaximumRetention, capped, { maximumRetentionDays: 430 })).toEqual([]);
    const cfn = withCfn(template, "VaultBucket", cfnRules((r) => [...r, { Id: "max", Status: "Enabled", ExpirationInDays: 400 }]));
    expect(onTemplate(s3VaultMaximumRetention, cfn, { maximumRetentionDays: 430 })).toEqual([]);
  });
  it("fails when only tag-filtered rules expire objects (untagged objects live forever)", () => {
    expect(summary(onStack(s3VaultMaximumRetention, stack, { maximumRetentionDays: 400 }))[0]).toBe(
      "backups-primary: No enabled lifecycle rule covering every object expires it, so objects can outlive the maximum of 400 days.",
    );
    expect(onTemplate(s3VaultMaximumRetention, template, { maximumRetentionDays: 400 })).toHaveLength(1);
  });
  it("counts the noncurrent-version time of a versioned vault", () => {
    const capped = withProps(stack, "backups-primary-lifecycle", maxRule);
    expect(onStack(s3VaultMaximumRetention, capped, { maximumRetentionDays: 400 }).find((f) => f.resourceName === "backups-primary")?.message).toBe(
      "Objects are deleted for good after 430 days (400 days current + 30 days noncurrent), more than the maximum of 400 days.",
    );
  });
  it("fails when noncurrent versions never expire", () => {
    const noNoncurrent = withProps(stack, "backups-primary-lifecycle", rules((r) => [...r.slice(0, 3), { id: "max", status: "Enabled", expiration: { days: 100 } }]));
    expect(onStack(s3VaultMaximumRetention, noNoncurrent, { maximumRetentionDays: 400 }).find((f) => f.resourceName === "backups-primary")?.message).toContain("noncurrent versions are never deleted");
  });
});

describe("s3-vault-archive-tiering", () => {
  it("is off unless archiveAfterDays is set", () => {
    expect(onStack(s3VaultArchiveTiering, stack)).toEqual([]);
  });
  it("passes when every tier kept 120 days or more moves to Glacier by 30 days", () => {
    expect(onStack(s3VaultArchiveTiering, stack, { archiveAfterDays: 30 })).toEqual([]);
    expect(onTemplate(s3VaultArchiveTiering, template, { archiveAfterDays: 30 })).toEqual([]);
  });
  it("fails a long tier that is never archived, or archived too late", () => {
    const late = withProps(stack, "backups-primary-lifecycle", rules((r) => [r[0], r[1], { ...r[2], transitions: [{ days: 60, storageClass: "GLACIER" }] }, r[3]]));
    expect(summary(onStack(s3VaultArchiveTiering, late, { archiveAfterDays: 30 }))).toEqual([
      'backups-primary: Lifecycle rule "tier-monthly" (tag tier=monthly) keeps backups 365 days without moving them to a Glacier class by 30 days.',
    ]);
    const cfn = withCfn(template, "VaultBucket", cfnRules((r) => [r[0], { ...r[1], Transitions: [] }, r[2]]));
    expect(onTemplate(s3VaultArchiveTiering, cfn, { archiveAfterDays: 30 })).toHaveLength(1);
  });
  it("fails a vault that keeps everything forever without archiving", () => {
    const forever = withProps(stack, "backups-primary-lifecycle", rules((r) => [r[3]]));
    expect(summary(onStack(s3VaultArchiveTiering, forever, { archiveAfterDays: 30 }))).toEqual(["backups-primary: The vault keeps backups forever and moves none to a Glacier class by 30 days."]);
  });
});

describe("s3-lifecycle-storage-class-minimums", () => {
  it("passes GLACIER_IR at 30 days for a tier kept 365 days", () => {
    expect(onStack(s3LifecycleStorageClassMinimums, stack)).toEqual([]);
    expect(onTemplate(s3LifecycleStorageClassMinimums, template)).toEqual([]);
  });
  it.each([
    ["STANDARD_IA before 30 days", { days: 10, storageClass: "STANDARD_IA" }, 365, "moves backups to STANDARD_IA after 10 days; S3 requires at least 30 days."],
    ["Glacier deleted before its 90 days", { days: 30, storageClass: "GLACIER" }, 100, "moves backups to GLACIER at 30 days but deletes them at 100 days, before GLACIER's minimum of 90 days is over"],
    ["Deep Archive deleted before its 180 days", { days: 30, storageClass: "DEEP_ARCHIVE" }, 200, "before DEEP_ARCHIVE's minimum of 180 days is over"],
  ])("fails %s", (_, transition, expiry, message) => {
    const change = rules((r) => [r[0], r[1], { ...r[2], expiration: { days: expiry }, transitions: [transition] }, r[3]]);
    const findings = onStack(s3LifecycleStorageClassMinimums, withProps(stack, "backups-primary-lifecycle", change));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("fails a template transition to GlacierInstantRetrieval deleted at 60 days", () => {
    const cfn = withCfn(template, "VaultBucket", cfnRules((r) => [r[0], { ...r[1], ExpirationInDays: 60 }, r[2]]));
    expect(onTemplate(s3LifecycleStorageClassMinimums, cfn)[0]?.message).toContain("GLACIER_IR");
  });
});

describe("s3-vault-replication", () => {
  it("passes replication of every object, KMS included, to another region", () => {
    expect(onStack(s3VaultReplication, stack)).toEqual([]);
    expect(onTemplate(s3VaultReplication, template)).toEqual([]);
  });
  const rule = (change: (r: any) => any): Change => (p) => ({ ...p, rules: [change(structuredClone(p.rules[0]))] });
  it.each([
    ["KMS objects not selected", rule((r) => ({ ...r, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Disabled" } } })), 'Replication rule "replicate-everything" does not select SSE-KMS encrypted objects'],
    ["no replica key", rule((r) => ({ ...r, destination: { bucket: r.destination.bucket } })), 'Replication rule "replicate-everything" gives no replica KMS key for SSE-KMS objects.'],
    ["a filtered rule", rule((r) => ({ ...r, filter: { prefix: "postgres/" } })), "Replication rules are filtered"],
    ["a disabled rule", rule((r) => ({ ...r, status: "Disabled" })), "The backup vault replicates nowhere"],
  ])("fails %s", (_, change, message) => {
    const findings = onStack(s3VaultReplication, withProps(stack, "backups-primary-replication", change));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
    expect(findings[0]?.resourceName).toBe("backups-primary");
  });
  it("fails a vault that replicates nowhere, unless replication is not required", () => {
    // Without the replication the replica is no longer a replica: both vaults stand alone.
    const alone = without(stack, "backups-primary-replication");
    expect(summary(onStack(s3VaultReplication, alone))).toEqual([
      "backups-primary: The backup vault replicates nowhere: a regional outage takes every backup with it.",
      "backups-replica: The backup vault replicates nowhere: a regional outage takes every backup with it.",
    ]);
    expect(onStack(s3VaultReplication, alone, { requireReplication: false })).toEqual([]);
  });
  it("fails a replica in the vault's own region, told by the destination's provider", () => {
    const sameRegion = stack.map((r) => (r.provider ? { ...r, provider: undefined } : r) as PulumiResource).map((r) => (r.name === "backups-replica" ? { ...r, properties: { ...r.properties, region: "us-east-1" } } : r));
    expect(summary(onStack(s3VaultReplication, sameRegion))).toEqual(["backups-primary: Replication rule \"replicate-everything\" copies to arn:aws:s3:::backups-replica-0a1b2c3 in the vault's own region (us-east-1)."]);
  });
  it("fails a destination outside allowedRegions", () => {
    expect(onStack(s3VaultReplication, stack, { allowedRegions: ["us-east-1", "eu-west-1"] })[0]?.actual).toBe("us-west-2");
  });
  it("fails a template that replicates into a bucket of the same template (same region)", () => {
    const local = withCfn(template, "VaultBucket", (p) => ({ ...p, ReplicationConfiguration: { ...p.ReplicationConfiguration, Rules: [{ ...p.ReplicationConfiguration.Rules[0], Destination: { ...p.ReplicationConfiguration.Rules[0].Destination, Bucket: { "Fn::GetAtt": ["Replica", "Arn"] } } }] } }));
    const withReplica = { ...local, Resources: { ...local.Resources, Replica: { Type: "AWS::S3::Bucket", Properties: {} } } };
    expect(onTemplate(s3VaultReplication, withReplica, undefined, "eu-west-1").map((f) => f.resourceName)).toEqual(["VaultBucket"]);
  });
  it("fails a template vault without replication", () => {
    expect(onTemplate(s3VaultReplication, withCfn(template, "VaultBucket", ({ ReplicationConfiguration: _, ...p }) => p))[0]?.resource).toBe("VaultBucket");
  });
});

describe("s3-vault-object-lock", () => {
  const locked = (stackIn: PulumiResource[], bucket: string, physical: string, mode = "COMPLIANCE") => [
    ...withProps(stackIn, bucket, (p) => ({ ...p, objectLockEnabled: true })),
    res("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", `${bucket}-lock`, { bucket: physical, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode, days: 30 } } }),
  ];
  it("passes unlocked vaults when Object Lock is not required", () => {
    expect(onStack(s3VaultObjectLock, stack)).toEqual([]);
    expect(onTemplate(s3VaultObjectLock, template)).toEqual([]);
  });
  it("passes locked vaults and replicas when it is required", () => {
    const both = locked(locked(stack, "backups-primary", "backups-primary-0a1b2c3"), "backups-replica", "backups-replica-0a1b2c3");
    expect(onStack(s3VaultObjectLock, both, { requireObjectLock: true, objectLockMode: "COMPLIANCE" })).toEqual([]);
  });
  it("fails unlocked vaults when required, and a lock without default retention", () => {
    expect(summary(onStack(s3VaultObjectLock, stack, { requireObjectLock: true }))).toEqual([
      "backups-primary: Object Lock is not enabled on this backup vault.",
      "backups-replica: Object Lock is not enabled on this backup vault.",
    ]);
    const noRetention = withProps(stack, "backups-primary", (p) => ({ ...p, objectLockEnabled: true }));
    expect(summary(onStack(s3VaultObjectLock, noRetention, { requireObjectLock: true }))[0]).toBe("backups-primary: Object Lock is enabled without a default retention, so new versions are not locked.");
  });
  it("fails the wrong mode, and a locked vault replicating into an unlocked replica", () => {
    const governance = locked(stack, "backups-primary", "backups-primary-0a1b2c3", "GOVERNANCE");
    expect(summary(onStack(s3VaultObjectLock, governance, { objectLockMode: "COMPLIANCE", requireObjectLock: true }))).toContain("backups-primary: Object Lock uses GOVERNANCE mode; COMPLIANCE is required.");
    expect(summary(onStack(s3VaultObjectLock, governance))).toEqual(["backups-primary: The vault is locked but replicates into backups-replica, which has no Object Lock."]);
  });
  it("fails a template vault without Object Lock when required, and passes a locked one", () => {
    expect(onTemplate(s3VaultObjectLock, template, { requireObjectLock: true })).toHaveLength(1);
    const cfnLocked = withCfn(template, "VaultBucket", (p) => ({ ...p, ObjectLockEnabled: true, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 35 } } } }));
    expect(onTemplate(s3VaultObjectLock, cfnLocked, { requireObjectLock: true })).toEqual([]);
  });
});

describe("which buckets are vaults", () => {
  it("takes a bucket out by the tag lifeboat:vault=false only when its name alone made it a vault", () => {
    const named = res("aws:s3/bucket:Bucket", "backup-reports-site", { bucket: "backup-reports-site" });
    expect(onStack(s3VaultVersioning, [named])).toHaveLength(1);
    expect(onStack(s3VaultVersioning, [{ ...named, properties: { ...named.properties, tags: { "lifeboat:vault": "false" } } }])).toEqual([]);
    const replicating = withProps(stack, "backups-primary", (p) => ({ ...p, tags: { "lifeboat:vault": "false" } }));
    expect(summary(onStack(s3VaultVersioning, withProps(replicating, "backups-primary-versioning", (p) => ({ ...p, versioningConfiguration: { status: "Suspended" } }))))).toEqual(['backups-primary: Versioning is "Suspended" on this backup vault.']);
  });
  it("makes any bucket a vault with the tag lifeboat:vault", () => {
    expect(onStack(s3VaultVersioning, [res("aws:s3/bucket:Bucket", "exports", { bucket: "exports", tags: { "lifeboat:vault": "true" } })])).toHaveLength(1);
  });
});
