import { describe, expect, it } from "vitest";
import { App, Duration, Stack, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { LifeboatPolicyPlugin, type LifeboatPolicyPluginProps } from "../src";

interface Weakness {
  readonly versioned?: boolean;
  readonly s3Managed?: boolean;
  readonly pitr?: boolean;
}

/** A CDK app with a backup vault replicated to another region, its key and a table, synthesized with the plugin. */
function synth(weakness: Weakness = {}, props: LifeboatPolicyPluginProps = {}) {
  // The built-in CloudFormation validation is slow and judges nothing Lifeboat cares about.
  const app = new App({ policyValidationBeta1: [new LifeboatPolicyPlugin(props)], builtinCloudFormationValidation: false });
  const stack = new Stack(app, "Estate", { env: { account: "123456789012", region: "eu-west-1" } });
  const key = new kms.Key(stack, "VaultKey", { enableKeyRotation: true, pendingWindow: Duration.days(30) });
  const replicaKey = kms.Key.fromKeyArn(stack, "ReplicaKey", "arn:aws:kms:eu-central-1:123456789012:key/22222222-2222-2222-2222-222222222222");
  new s3.Bucket(stack, "BackupVault", {
    versioned: weakness.versioned ?? true,
    ...(weakness.s3Managed ? { encryption: s3.BucketEncryption.S3_MANAGED } : { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ id: "dailies", tagFilters: { tier: "daily" }, expiration: Duration.days(35) }, { id: "noncurrent", noncurrentVersionExpiration: Duration.days(30) }],
    // CDK itself refuses replication from an unversioned bucket.
    replicationRules: weakness.versioned === false ? [] : [{ destination: s3.Bucket.fromBucketArn(stack, "Replica", "arn:aws:s3:::backup-vault-replica-eu-central-1"), priority: 0, sseKmsEncryptedObjects: true, kmsKey: replicaKey }],
  });
  new dynamodb.Table(stack, "Jobs", { partitionKey: { name: "id", type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: weakness.pitr ?? true } });
  return () => app.synth();
}

describe("LifeboatPolicyPlugin", () => {
  it("passes a compliant synthesized stack", () => {
    expect(() => synth()()).not.toThrow();
  });

  it("rejects a non-compliant stack, naming each rule and resource", () => {
    const run = synth({ versioned: false, s3Managed: true, pitr: false });
    let report = "";
    try {
      run();
    } catch (err) {
      report = String(err);
    }
    expect(report).toMatch(/^ValidationFailed/);
    for (const rule of ["s3-vault-versioning", "s3-vault-replication", "s3-bucket-kms-encryption", "dynamodb-point-in-time-recovery"]) expect(report).toContain(rule);
    expect(report).toMatch(/BackupVault[A-F0-9]{8}/);
    expect(report).toMatch(/Jobs[A-F0-9]{8}/);
  });

  it("does not fail on findings that are advisory or exempted", () => {
    expect(() => synth({ pitr: false }, { config: { rules: { "dynamodb-point-in-time-recovery": { enforcement: "advisory" } } } })()).not.toThrow();
    expect(() => synth({ versioned: false }, { config: { exemptions: [{ resources: "BackupVault*", rules: ["s3-vault-versioning", "s3-vault-replication"], reason: "Rebuilt nightly from source, TICKET-4" }] } })()).not.toThrow();
  });

  it("works through the stable Validations API too, with each stack's region", () => {
    const app = new App({ builtinCloudFormationValidation: false });
    Validations.of(app).addPlugins(new LifeboatPolicyPlugin({ config: { allowedRegions: ["eu-central-1"] } }));
    const stack = new Stack(app, "Estate", { env: { account: "123456789012", region: "eu-west-1" } });
    new dynamodb.Table(stack, "Jobs", { partitionKey: { name: "id", type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } });
    expect(() => app.synth()).toThrow(/The data store is in eu-west-1, which is not an allowed region \(eu-central-1\)[\s\S]*lifeboat-dr::data-store-allowed-regions/);
  });

  it("knows a vault in another stack is a replica when a bucket of the app replicates into it by name, and in which region", () => {
    const build = (replicated: boolean) => {
      const app = new App({ builtinCloudFormationValidation: false });
      Validations.of(app).addPlugins(new LifeboatPolicyPlugin({ config: { allowedRegions: ["eu-west-1", "eu-central-1"] } }));
      const env = { account: "123456789012" };
      const primary = new Stack(app, "Primary", { env: { ...env, region: "eu-west-1" } });
      const dr = new Stack(app, "Dr", { env: { ...env, region: "eu-central-1" } });
      const vault = (stack: Stack, id: string, extra: Partial<s3.BucketProps>) =>
        new s3.Bucket(stack, id, {
          versioned: true,
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: new kms.Key(stack, `${id}Key`, { enableKeyRotation: true, pendingWindow: Duration.days(30) }),
          bucketKeyEnabled: true,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          enforceSSL: true,
          lifecycleRules: [{ id: "dailies", tagFilters: { tier: "daily" }, expiration: Duration.days(35) }, { id: "noncurrent", noncurrentVersionExpiration: Duration.days(30) }],
          ...extra,
        });
      vault(dr, "BackupVaultReplica", { bucketName: "estate-backup-vault-replica" });
      const replicaKey = kms.Key.fromKeyArn(primary, "ReplicaKey", "arn:aws:kms:eu-central-1:123456789012:key/22222222-2222-2222-2222-222222222222");
      const destination = s3.Bucket.fromBucketArn(primary, "Replica", `arn:aws:s3:::${replicated ? "estate-backup-vault-replica" : "someone-elses-bucket"}`);
      vault(primary, "BackupVault", { replicationRules: [{ destination, priority: 0, sseKmsEncryptedObjects: true, kmsKey: replicaKey }] });
      return () => app.synth();
    };
    expect(() => build(true)()).not.toThrow();
    expect(() => build(false)()).toThrow(/The backup vault replicates nowhere[\s\S]*BackupVaultReplica/);
  });

  it("refuses a configuration it cannot use, naming every problem", () => {
    expect(() => new LifeboatPolicyPlugin({ config: { minimumRetentionDays: -1, rules: { nope: {} } } })).toThrow(/2 problem\(s\) in `config`:\n {2}- `minimumRetentionDays` \(-1\) must be at least 1\.\n {2}- `rules.nope` names no rule/);
  });
});
