import { describe, expect, it } from "vitest";
import * as iam from "@pulumi/aws/iam";
import { BackupVault, VaultKey } from "@lifeboat/constructs/pulumi/aws";
import { policyOf, record, statement } from "./support";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  key: "aws:kms/key:Key",
};

describe("BackupVault", () => {
  it("creates a protected, versioned bucket encrypted with its own KMS key and a bucket key", async () => {
    const rec = await record(() => new BackupVault("vault"));
    const bucket = rec.get(T.bucket, "vault-bucket");
    const key = rec.get(T.key, "vault-key-key");

    expect(bucket.protect).toBe(true);
    expect(bucket.inputs).toMatchObject({ objectLockEnabled: false, forceDestroy: false, tags: { "lifeboat:vault": "true" } });
    expect(key.protect).toBe(true);
    expect(rec.get(T.versioning, "vault-versioning").inputs).toMatchObject({ bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    expect(rec.get(T.encryption, "vault-encryption").inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn },
        bucketKeyEnabled: true,
        blockedEncryptionTypes: ["SSE-C"],
      },
    ]);
  });

  it("blocks all four kinds of public access and disables ACLs", async () => {
    const rec = await record(() => new BackupVault("vault"));

    expect(rec.get(T.publicAccess, "vault-public-access-block").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(rec.get(T.ownership, "vault-ownership").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("denies requests without TLS and uploads that name another key or another encryption", async () => {
    const rec = await record(() => new BackupVault("vault"));
    const bucketArn = rec.get(T.bucket, "vault-bucket").outputs.arn as string;
    const keyArn = rec.get(T.key, "vault-key-key").outputs.arn as string;
    const policy = policyOf(rec.get(T.policy, "vault-policy"));

    expect(statement(policy, "DenyInsecureTransport")).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(statement(policy, "DenyKeysOtherThanVaultKey")).toMatchObject({
      Effect: "Deny",
      Action: ["s3:PutObject"],
      Resource: [`${bucketArn}/*`],
      Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } },
    });
    expect(statement(policy, "DenyEncryptionOtherThanKms").Condition).toEqual({
      Null: { "s3:x-amz-server-side-encryption": "false" },
      StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
    });
    expect(rec.get(T.policy, "vault-policy").dependencies).toContain(rec.get(T.publicAccess, "vault-public-access-block").urn);
  });

  it("writes one lifecycle rule per tier, filtered by the tier tag, after versioning is on", async () => {
    const rec = await record(() => new BackupVault("vault", { retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" } }));
    const lifecycle = rec.get(T.lifecycle, "vault-lifecycle");
    const rules = lifecycle.inputs.rules as Array<Record<string, unknown>>;

    expect(rules.map((r) => [r.id, (r.filter as any).tag?.value, (r.expiration as any)?.days])).toEqual([
      ["tier-daily", "daily", 35],
      ["tier-weekly", "weekly", 90],
      ["tier-monthly", "monthly", 365],
      ["noncurrent-versions-and-uploads", undefined, undefined],
    ]);
    expect(rules[2]!.transitions).toEqual([{ days: 30, storageClass: "GLACIER_IR" }]);
    expect(rules[0]!.transitions).toBeUndefined();
    expect(rules[3]).toMatchObject({
      filter: { prefix: "" },
      expiration: { expiredObjectDeleteMarker: true },
      noncurrentVersionExpiration: { noncurrentDays: 30 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    });
    expect(rules.every((r) => r.status === "Enabled")).toBe(true);
    expect(lifecycle.dependencies).toContain(rec.get(T.versioning, "vault-versioning").urn);
  });

  it("locks new versions for the shortest tier by default when Object Lock is asked for", async () => {
    const rec = await record(() => new BackupVault("vault", { retention: { daily: "14d", weekly: "60d" }, objectLock: { mode: "COMPLIANCE" } }));

    expect(rec.get(T.bucket, "vault-bucket").inputs.objectLockEnabled).toBe(true);
    expect(rec.get(T.objectLock, "vault-object-lock").inputs).toMatchObject({
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 14 } },
    });
  });

  it("creates no Object Lock configuration and no access logging unless asked", async () => {
    const rec = await record(() => new BackupVault("vault"));

    expect(rec.ofType(T.objectLock)).toEqual([]);
    expect(rec.ofType(T.logging)).toEqual([]);
  });

  it("delivers access logs under a prefix named after the vault bucket", async () => {
    const rec = await record(() => new BackupVault("vault", { bucketName: "acme-backups", accessLogs: { bucket: "acme-logs" } }));

    expect(rec.get(T.logging, "vault-access-logs").inputs).toMatchObject({ targetBucket: "acme-logs", targetPrefix: "s3-access-logs/acme-backups/" });
  });

  it("uses a key passed in, by VaultKey or by ARN, instead of creating one", async () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-123456789abc";
    const rec = await record(() => {
      const shared = new VaultKey("shared");
      new BackupVault("a", { key: shared });
      new BackupVault("b", { key: arn });
    });
    const sharedArn = rec.get(T.key, "shared-key").outputs.arn;

    expect(rec.ofType(T.key).map((k) => k.name)).toEqual(["shared-key"]);
    expect((rec.get(T.encryption, "a-encryption").inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(sharedArn);
    expect((rec.get(T.encryption, "b-encryption").inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(arn);
  });

  it("keeps the user's tags on the bucket beside the vault tag", async () => {
    const rec = await record(() => new BackupVault("vault", { tags: { team: "platform" } }));

    expect(rec.get(T.bucket, "vault-bucket").inputs.tags).toEqual({ team: "platform", "lifeboat:vault": "true" });
  });

  it("can be left unprotected for throwaway stacks", async () => {
    const rec = await record(() => new BackupVault("vault", { protect: false }));

    expect(rec.get(T.bucket, "vault-bucket").protect).toBe(false);
    expect(rec.get(T.key, "vault-key-key").protect).toBe(false);
  });

  it("gives a writer put, tag and abort under its prefix, a prefix-scoped list, and never delete", async () => {
    let writer: import("@pulumi/pulumi").Output<string> | undefined;
    const rec = await record(() => {
      writer = new BackupVault("vault").writerPolicyDocument("postgres-main");
    });
    const bucketArn = rec.get(T.bucket, "vault-bucket").outputs.arn as string;
    const keyArn = rec.get(T.key, "vault-key-key").outputs.arn as string;
    const document = JSON.parse(await new Promise<string>((resolve) => writer!.apply(resolve)));

    expect(document.Statement).toEqual([
      { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"], Resource: [`${bucketArn}/postgres-main/*`] },
      { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": ["postgres-main/*"] } } },
      { Sid: "UseVaultKeyThroughS3", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [keyArn], Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } },
    ]);
    const actions = document.Statement.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions.filter((a: string) => /Delete|\*/.test(a))).toEqual([]);
  });

  it("gives a reader get, list and decrypt only", async () => {
    let reader: import("@pulumi/pulumi").Output<string> | undefined;
    await record(() => {
      reader = new BackupVault("vault").readerPolicyDocument("redis/");
    });
    const document = JSON.parse(await new Promise<string>((resolve) => reader!.apply(resolve)));

    expect(document.Statement.flatMap((s: { Action: string[] }) => s.Action)).toEqual([
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTagging",
      "s3:GetObjectAttributes",
      "s3:ListBucket",
      "kms:Decrypt",
    ]);
    expect(document.Statement[0].Resource[0]).toMatch(/\/redis\/\*$/);
  });

  it("refuses a writer for the whole vault, which could overwrite every source", async () => {
    let vault: BackupVault | undefined;
    await record(() => {
      vault = new BackupVault("vault");
    });

    expect(() => vault!.writerPolicyDocument("")).toThrow(/`writerPolicyDocument\(prefix\)` \(""\) must name the source/);
    expect(() => vault!.writerPolicyDocument("/abs/*")).toThrow(/no leading "\/"/);
  });

  it("grants a role write under its source's prefix and read of the whole vault as inline role policies, as aws-cdk-lib's grants do", async () => {
    const rec = await record(() => {
      const role = new iam.Role("job-role", { assumeRolePolicy: "{}" });
      const vault = new BackupVault("vault");
      vault.grantWrite(role, "postgres-main");
      vault.grantRead(role);
      vault.grantRead(role);
    });
    const role = rec.get("aws:iam/role:Role", "job-role");
    const bucketArn = rec.get(T.bucket, "vault-bucket").outputs.arn as string;
    const policies = rec.ofType("aws:iam/rolePolicy:RolePolicy");

    expect(policies.map((p) => p.name)).toEqual(["vault-write-postgres-main", "vault-read-all", "vault-read-all-2"]);
    expect(policies.every((p) => p.inputs.role === role.outputs.name)).toBe(true);
    const write = policyOf(policies[0]!);
    expect(statement(write, "WriteBackups").Resource).toEqual([`${bucketArn}/postgres-main/*`]);
    expect(write.Statement.flatMap((s) => s.Action).filter((a) => /Delete|\*/.test(a))).toEqual([]);
    expect(policyOf(policies[1]!).Statement.flatMap((s) => s.Action)).toContain("s3:GetObject");
  });

  it("refuses a write grant for the whole vault before creating anything", async () => {
    let vault: BackupVault | undefined;
    let role: iam.Role | undefined;
    const rec = await record(() => {
      role = new iam.Role("job-role", { assumeRolePolicy: "{}" });
      vault = new BackupVault("vault");
    });

    expect(() => vault!.grantWrite(role!, "")).toThrow(/`grantWrite\(prefix\)` \(""\) must name the source/);
    expect(rec.ofType("aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });
});
