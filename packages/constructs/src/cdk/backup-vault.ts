import { Duration, PhysicalName, RemovalPolicy, Tags } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  checkVaultGrantPrefix,
  type LifecycleRule,
  planVault,
  VAULT_TAG_KEY,
  vaultBucketPolicyStatements,
  type VaultPlan,
  vaultReaderStatements,
  type VaultSettings,
  vaultWriterStatements,
} from "../core";
import { grantStatements } from "./policy";
import { givenKeyArn, type KeyInput, keyOf, type VaultKey } from "./vault-key";

/** Properties of a {@link BackupVault}. */
export interface BackupVaultProps extends Omit<VaultSettings, "bucketName" | "keyArn" | "accessLogs"> {
  /**
   * The bucket's physical name: 3 to 63 lowercase letters, digits and hyphens. Pass
   * `PhysicalName.GENERATE_IF_NEEDED` for a name that stacks in other regions can refer to.
   * @default - a unique name CloudFormation generates
   */
  readonly bucketName?: string;
  /**
   * The key that encrypts every object: a {@link VaultKey}, an `IKey` or the ARN of an existing
   * customer managed key.
   * @default - a new VaultKey (child `Key`)
   */
  readonly key?: KeyInput;
  /**
   * Deliver S3 server access logs to another bucket (SSE-S3: log delivery cannot use a KMS key).
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucket: s3.IBucket; readonly prefix?: string };
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
    const plan = planVault(
      {
        ...(props.retention ? { retention: props.retention } : {}),
        ...(props.objectLock ? { objectLock: props.objectLock } : {}),
        bucketName: props.bucketName === PhysicalName.GENERATE_IF_NEEDED ? undefined : props.bucketName,
        keyArn: givenKeyArn(props.key),
        ...(props.accessLogs ? { accessLogs: { bucket: props.accessLogs.bucket.bucketName, ...(props.accessLogs.prefix !== undefined ? { prefix: props.accessLogs.prefix } : {}) } } : {}),
      },
      `BackupVault "${id}"`,
    );
    super(scope, id);
    this.plan = plan;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const key = keyOf(this, "Key", props.key, { description: `Lifeboat backup vault ${id}`, removalPolicy });
    if (key.created) this.vaultKey = key.created;
    const encryptionKey = key.key;
    this.encryptionKey = encryptionKey;
    this.keyArn = key.keyArn;

    this.bucket = new s3.Bucket(this, "Resource", {
      ...(props.bucketName !== undefined ? { bucketName: props.bucketName } : {}),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey,
      bucketKeyEnabled: true,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: plan.lifecycleRules.map(toCdkLifecycleRule),
      ...(plan.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              plan.objectLock.mode === "COMPLIANCE" ? s3.ObjectLockRetention.compliance(Duration.days(plan.objectLock.days)) : s3.ObjectLockRetention.governance(Duration.days(plan.objectLock.days)),
          }
        : {}),
      ...(props.accessLogs ? { serverAccessLogsBucket: props.accessLogs.bucket, serverAccessLogsPrefix: plan.accessLogPrefix ?? "" } : {}),
      ...(props.replication ? { replicationRole: props.replication.role, replicationRules: props.replication.rules } : {}),
      removalPolicy,
      autoDeleteObjects: false,
    });
    Tags.of(this.bucket).add(VAULT_TAG_KEY, "true");
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.bucketArn;
    for (const statement of vaultBucketPolicyStatements({ bucketArn: this.bucketArn, keyArn: this.keyArn })) {
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
