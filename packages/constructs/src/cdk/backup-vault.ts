import { Duration, PhysicalName, RemovalPolicy, Stack, Tags } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  checkVaultGrantPrefix,
  designVaultBucket,
  type LifecycleRule,
  type VaultAccessLogs,
  type VaultBucketSettings,
  type VaultPlan,
  vaultReaderStatements,
  vaultWriterStatements,
} from "../core";
import { grantStatements } from "./policy";
import { type KeyInput, keyOf, type VaultKey } from "./vault-key";

/**
 * Properties of a {@link BackupVault}: core's {@link VaultBucketSettings} (documented and defaulted
 * there) with CDK values: the key a {@link VaultKey}, an `IKey` or an ARN, the log bucket an
 * `IBucket`, and a removal policy instead of `protect`. Pass `PhysicalName.GENERATE_IF_NEEDED` as
 * `bucketName` for a name that stacks in other regions can refer to.
 */
export interface BackupVaultProps extends Omit<VaultBucketSettings<string, KeyInput, s3.IBucket>, "protect"> {
  /**
   * What happens to the bucket (and its own key) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * S3 replication of every object, set by {@link ReplicatedBackupVault}.
   * @default - no replication
   */
  readonly replication?: { readonly role: iam.IRole; readonly rules: s3.ReplicationRule[] };
}

/**
 * An S3 bucket fit to hold backups: versioned; encrypted with a customer managed KMS key and a bucket
 * key, SSE-C refused; all four public-access blocks; owner-enforced; a policy that refuses requests
 * without TLS and uploads encrypted with anything but the vault key; lifecycle rules per tier from
 * the declared retention; optional Object Lock and access logs; retained on removal. Tagged
 * `lifeboat:vault=true`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
 *
 * @example
 * const vault = new BackupVault(stack, "Backups", {
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" },
 * });
 * vault.grantWrite(role, "postgres-main");
 */
export class BackupVault extends Construct {
  /** The S3 bucket (child id `Resource`). */
  readonly bucket: s3.Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The key the vault created, when it created one. */
  readonly vaultKey?: VaultKey;
  /** The key that encrypts every object. */
  readonly encryptionKey: kms.IKey;
  /** The ARN of the key that encrypts every object. */
  readonly keyArn: string;
  /** Retention, lifecycle rules and Object Lock as validated and derived before creation. */
  readonly plan: VaultPlan;

  constructor(scope: Construct, id: string, props: BackupVaultProps = {}) {
    const p = props ?? {};
    const removalPolicy = p.removalPolicy ?? RemovalPolicy.RETAIN;
    const design = designVaultBucket(id, vaultSettingsOf(p), `${Stack.of(scope).stackName}/${scope.node.path}`, `BackupVault "${id}"`);
    super(scope, id);
    this.plan = design.plan;

    const key = keyOf(this, "Key", p.key, { ...(design.key ? { description: design.key.description } : {}), removalPolicy });
    if (key.created) this.vaultKey = key.created;
    const encryptionKey = key.key;
    this.encryptionKey = encryptionKey;
    this.keyArn = key.keyArn;

    const lock = design.objectLock;
    this.bucket = new s3.Bucket(this, "Resource", {
      ...(p.bucketName !== undefined ? { bucketName: p.bucketName } : {}),
      versioned: design.versioning === "Enabled",
      encryption: s3.BucketEncryption.KMS,
      encryptionKey,
      bucketKeyEnabled: design.encryption.bucketKeyEnabled,
      blockedEncryptionTypes: design.encryption.blockedEncryptionTypes.map((t) => (t === "SSE-C" ? s3.BlockedEncryptionType.SSE_C : s3.BlockedEncryptionType.custom(t))),
      blockPublicAccess: new s3.BlockPublicAccess(design.publicAccessBlock),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: design.lifecycleRules.map(toCdkLifecycleRule),
      ...(lock
        ? {
            objectLockEnabled: design.bucket.objectLockEnabled,
            objectLockDefaultRetention: lock.mode === "COMPLIANCE" ? s3.ObjectLockRetention.compliance(Duration.days(lock.days)) : s3.ObjectLockRetention.governance(Duration.days(lock.days)),
          }
        : {}),
      ...(p.accessLogs && design.accessLogs ? { serverAccessLogsBucket: p.accessLogs.bucket, serverAccessLogsPrefix: design.accessLogs.prefix } : {}),
      ...(p.replication ? { replicationRole: p.replication.role, replicationRules: p.replication.rules } : {}),
      removalPolicy,
      autoDeleteObjects: design.bucket.forceDestroy,
    });
    for (const [k, v] of Object.entries(design.bucket.tags)) Tags.of(this.bucket).add(k, v);
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.bucketArn;
    for (const statement of design.policyStatements({ bucketArn: this.bucketArn, keyArn: this.keyArn })) {
      this.bucket.addToResourcePolicy(iam.PolicyStatement.fromJson(statement));
    }
  }

  /**
   * Lets `grantee` write backups under `prefix`: put objects and tags, abort its own uploads, list
   * the prefix, use the vault key through S3. It can never delete.
   */
  grantWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    return grantStatements(grantee, vaultWriterStatements({ bucketArn: this.bucketArn, keyArn: this.keyArn }, checkVaultGrantPrefix("write", prefix, "grantWrite(prefix)", `BackupVault "${this.node.id}"`)));
  }

  /** Lets `grantee` read and list backups under `prefix` (the whole vault by default) and decrypt them. */
  grantRead(grantee: iam.IGrantable, prefix = ""): iam.Grant {
    return grantStatements(grantee, vaultReaderStatements({ bucketArn: this.bucketArn, keyArn: this.keyArn }, checkVaultGrantPrefix("read", prefix, "grantRead(prefix)", `BackupVault "${this.node.id}"`)));
  }
}

/**
 * Core's settings of a vault from its CDK properties: a generated physical name and a log bucket's
 * token are not checked now, and only `RemovalPolicy.RETAIN` protects.
 */
export function vaultSettingsOf(props: Omit<BackupVaultProps, "replication">): VaultBucketSettings {
  return {
    ...(props.retention ? { retention: props.retention } : {}),
    ...(props.objectLock ? { objectLock: props.objectLock } : {}),
    bucketName: props.bucketName === PhysicalName.GENERATE_IF_NEEDED ? undefined : props.bucketName,
    ...(props.key !== undefined ? { key: props.key } : {}),
    ...(props.accessLogs ? { accessLogs: accessLogsOf(props.accessLogs) } : {}),
    protect: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
  };
}

/** Core's access log settings from CDK's: the bucket by name. */
export function accessLogsOf(logs: VaultAccessLogs<s3.IBucket>): VaultAccessLogs<string> {
  return { bucket: logs.bucket.bucketName, ...(logs.prefix !== undefined ? { prefix: logs.prefix } : {}) };
}

/** Translates an engine-neutral lifecycle rule into aws-cdk-lib's shape. */
export function toCdkLifecycleRule(rule: LifecycleRule): s3.LifecycleRule {
  return {
    id: rule.id,
    enabled: true,
    ...(rule.tag ? { tagFilters: { [rule.tag.key]: rule.tag.value } } : {}),
    ...(rule.expirationDays !== undefined ? { expiration: Duration.days(rule.expirationDays) } : {}),
    ...(rule.expirationDays === undefined && rule.expiredObjectDeleteMarker ? { expiredObjectDeleteMarker: true } : {}),
    ...(rule.transitions.length > 0 ? { transitions: rule.transitions.map((t) => ({ storageClass: new s3.StorageClass(t.storageClass), transitionAfter: Duration.days(t.days) })) } : {}),
    ...(rule.noncurrentVersionExpirationDays !== undefined ? { noncurrentVersionExpiration: Duration.days(rule.noncurrentVersionExpirationDays) } : {}),
    ...(rule.abortIncompleteMultipartUploadDays !== undefined ? { abortIncompleteMultipartUploadAfter: Duration.days(rule.abortIncompleteMultipartUploadDays) } : {}),
  };
}
