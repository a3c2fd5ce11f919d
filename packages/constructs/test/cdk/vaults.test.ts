import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { describe, expect, it } from "vitest";
import { BackupVault, ReplicatedBackupVault, VaultKey } from "@lifeboat/constructs/cdk";
import { errorOf } from "../support";
import { all, newStack, only, templateOf } from "./support";

describe("CDK VaultKey", () => {
  it("creates a rotating symmetric key with a 30-day deletion window that the account administers and is retained", () => {
    const { stack } = newStack();
    new VaultKey(stack, "Alerts", { services: ["cloudwatch.amazonaws.com"] });
    const key = only(templateOf(stack), "AWS::KMS::Key");
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30, KeySpec: "SYMMETRIC_DEFAULT" });
    expect(key.DeletionPolicy).toBe("Retain");
    const sids = key.Properties.KeyPolicy.Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(["AccountAdministersKey", "ServicesUseKey"]);
    expect(key.Properties.KeyPolicy.Statement[1].Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
  });

  it("refuses a deletion window KMS does not offer before creating anything", () => {
    const { stack } = newStack();
    const error = errorOf(() => new VaultKey(stack, "Bad", { deletionWindow: "3d" }));
    expect(error.message).toContain("deletionWindow");
    expect(stack.node.findAll().filter((c) => c !== stack)).toHaveLength(0);
  });
});

describe("CDK BackupVault", () => {
  it("creates a versioned, KMS-encrypted, private, owner-enforced bucket tagged as a vault and retained", () => {
    const { stack } = newStack();
    new BackupVault(stack, "Vault", { retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" } });
    const template = templateOf(stack);
    const bucket = only(template, "AWS::S3::Bucket");
    expect(bucket.DeletionPolicy).toBe("Retain");
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: "Enabled" });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    const sse = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(sse).toMatchObject({ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BlockedEncryptionTypes: { EncryptionType: ["SSE-C"] } });
    expect(bucket.Properties.Tags).toContainEqual({ Key: "lifeboat:vault", Value: "true" });
    expect(only(template, "AWS::KMS::Key").DeletionPolicy).toBe("Retain");
  });

  it("renders core's lifecycle rules per tier: expiry, archive transition, noncurrent versions", () => {
    const { stack } = newStack();
    new BackupVault(stack, "Vault", { retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" } });
    const rules = only(templateOf(stack), "AWS::S3::Bucket").Properties.LifecycleConfiguration.Rules;
    expect(rules.find((r: { Id: string }) => r.Id === "tier-daily")).toMatchObject({ ExpirationInDays: 35, TagFilters: [{ Key: "tier", Value: "daily" }] });
    expect(rules.find((r: { Id: string }) => r.Id === "tier-monthly")).toMatchObject({ ExpirationInDays: 365, Transitions: [{ StorageClass: "GLACIER_IR", TransitionInDays: 30 }] });
    expect(rules.find((r: { Id: string }) => r.Id === "noncurrent-versions-and-uploads")).toMatchObject({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } });
  });

  it("refuses requests without TLS and uploads with another key in its bucket policy", () => {
    const { stack } = newStack();
    new BackupVault(stack, "Vault");
    const policy = only(templateOf(stack), "AWS::S3::BucketPolicy").Properties.PolicyDocument;
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["DenyInsecureTransport", "DenyEncryptionOtherThanKms", "DenyKeysOtherThanVaultKey"]);
    expect(policy.Statement[0].Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("sets Object Lock's default retention when asked", () => {
    const { stack } = newStack();
    new BackupVault(stack, "Vault", { objectLock: { mode: "COMPLIANCE", retention: "30d" } });
    const bucket = only(templateOf(stack), "AWS::S3::Bucket");
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 30 } } });
  });

  it("grants a writer put and tag under its prefix, list of its prefix and the key through S3, never delete", () => {
    const { stack } = newStack();
    const vault = new BackupVault(stack, "Vault");
    const role = new iam.Role(stack, "Writer", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    vault.grantWrite(role, "postgres-main");
    const statements = only(templateOf(stack), "AWS::IAM::Policy").Properties.PolicyDocument.Statement as { Action: string | string[] }[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListBucket", "kms:GenerateDataKey", "kms:Decrypt"]));
    expect(actions.filter((a) => a.includes("Delete"))).toEqual([]);
    expect(JSON.stringify(statements)).toContain("postgres-main/*");
    expect(statements.find((s) => [s.Action].flat().includes("s3:ListBucket"))).toMatchObject({ Condition: { StringLike: { "s3:prefix": ["postgres-main/*"] } } });
  });

  it("refuses a writer for the whole vault", () => {
    const { stack } = newStack();
    const vault = new BackupVault(stack, "Vault");
    const role = new iam.Role(stack, "Writer", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    expect(errorOf(() => vault.grantWrite(role, "")).message).toContain("grantWrite(prefix)");
  });
});

describe("CDK ReplicatedBackupVault", () => {
  it("puts the replica and its key in a DR stack of the replica's region, created once, that the primary depends on", () => {
    const { app, stack } = newStack();
    new ReplicatedBackupVault(stack, "Vault", { replica: { region: "us-west-2" } });
    new ReplicatedBackupVault(stack, "Other", { replica: { region: "us-west-2" } });
    const dr = app.node.findChild("Primary-dr-us-west-2") as Stack;
    expect(dr.region).toBe("us-west-2");
    expect(stack.dependencies).toContain(dr);
    expect(all(templateOf(dr), "AWS::S3::Bucket")).toHaveLength(2);
    expect(all(templateOf(dr), "AWS::KMS::Key").every((k) => k.DeletionPolicy === "Retain")).toBe(true);
  });

  it("replicates every object, SSE-KMS ones with the replica key, with 15-minute replication time and metrics, delete markers kept", () => {
    const { stack } = newStack();
    new ReplicatedBackupVault(stack, "Vault", { replica: { region: "us-west-2" } });
    const rule = only(templateOf(stack), "AWS::S3::Bucket").Properties.ReplicationConfiguration.Rules[0];
    expect(rule).toMatchObject({
      Id: "replicate-everything",
      Status: "Enabled",
      Filter: { Prefix: "" },
      DeleteMarkerReplication: { Status: "Disabled" },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: "Enabled" } },
      Destination: { ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } }, EncryptionConfiguration: { ReplicaKmsKeyID: { "Fn::GetAtt": [expect.stringMatching(/^ExportsReader/), expect.stringContaining("replicaKey")] } } },
    });
  });

  it("scopes the replication role to the two buckets and keys and lets only S3 of this account assume it", () => {
    const { stack } = newStack();
    new ReplicatedBackupVault(stack, "Vault", { replica: { region: "us-west-2" } });
    const template = templateOf(stack);
    const role = all(template, "AWS::IAM::Role").find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes("s3.amazonaws.com"));
    expect(role?.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" } });
    const policy = all(template, "AWS::IAM::Policy").find((p) => JSON.stringify(p).includes("s3:ReplicateObject"));
    const sids = policy?.Properties.PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(["ReadSourceConfiguration", "ReadSourceVersions", "WriteReplicas", "DecryptSourceObjects", "EncryptReplicas"]);
  });

  it("refuses a replica in the stack's own region, naming the argument", () => {
    const { stack } = newStack();
    const error = errorOf(() => new ReplicatedBackupVault(stack, "Vault", { replica: { region: "us-east-1" } }));
    expect(error.message).toContain("replica.region");
    expect(error.message).toContain("us-east-1");
  });

  it("refuses a stack without crossRegionReferences, saying how to fix it", () => {
    const { stack } = newStack({ crossRegionReferences: false });
    const error = errorOf(() => new ReplicatedBackupVault(stack, "Vault", { replica: { region: "us-west-2" } }));
    expect(error.message).toContain("crossRegionReferences");
  });
});

describe("CDK VaultKey aliases", () => {
  it("gives keys of the same id in two stacks of one account and region different aliases, each unique per stack name", () => {
    const { app, stack } = newStack();
    const other = new Stack(app, "Staging", { env: { account: "123456789012", region: "us-east-1" } });

    new VaultKey(stack, "Data");
    new VaultKey(other, "Data");

    const aliases = [stack, other].map((s) => only(templateOf(s), "AWS::KMS::Alias").Properties.AliasName as string);
    expect(aliases[0]).toMatch(/^alias\/lifeboat\/Data-[0-9a-f]{8}$/);
    expect(aliases[1]).toMatch(/^alias\/lifeboat\/Data-[0-9a-f]{8}$/);
    expect(aliases[0]).not.toBe(aliases[1]);
  });
});
