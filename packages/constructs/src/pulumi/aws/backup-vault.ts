import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import type * as inputs from "@pulumi/aws/types/input";
import * as iam from "@pulumi/aws/iam";
import {
  checkVaultGrantPrefix,
  designVaultBucket,
  type LifecycleRule,
  type VaultBucketDesign,
  type VaultBucketSettings,
  type VaultPlan,
  type VaultGrant,
  vaultReaderStatements,
  vaultWriterStatements,
} from "../../core";
import { policyJson } from "./account";
import { deploymentScope } from "./deployment-scope";
import { VaultKey } from "./vault-key";

export { VAULT_TAG_KEY } from "../../core";

/** Tags given to a Pulumi component, passed on to what it creates. */
type PulumiTags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/**
 * Arguments of a {@link BackupVault}: core's {@link VaultBucketSettings} (documented and defaulted
 * there) with Pulumi values: the bucket name and log bucket as `Input`s, the key a {@link VaultKey}
 * or a key ARN.
 */
export interface BackupVaultArgs extends VaultBucketSettings<pulumi.Input<string>, VaultKey | pulumi.Input<string>, pulumi.Input<string>> {
  /** @default - none besides `lifeboat:vault` */
  readonly tags?: PulumiTags;
}

/**
 * An S3 bucket fit to hold backups: versioned; encrypted with a customer managed KMS key and a bucket
 * key; all four public-access blocks; owner-enforced (no ACLs); a policy that refuses requests
 * without TLS and uploads encrypted with anything but the vault key; lifecycle rules per tier from
 * the declared retention; optional Object Lock and access logs; protected from deletion.
 *
 * Backup jobs tag each object `tier=daily|weekly|monthly`; the lifecycle does the pruning.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
 *
 * @example
 * const vault = new BackupVault("backups", {
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" },
 * });
 * export const writerPolicy = vault.writerPolicyDocument("postgres-main");
 */
export class BackupVault extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  /** The bucket's physical name. */
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The key the vault created, when it created one. */
  readonly vaultKey?: VaultKey;
  /** The ARN of the key that encrypts every object. */
  readonly keyArn: pulumi.Output<string>;
  readonly versioning: s3.BucketVersioning;
  readonly encryption: s3.BucketServerSideEncryptionConfiguration;
  readonly publicAccessBlock: s3.BucketPublicAccessBlock;
  readonly ownership: s3.BucketOwnershipControls;
  readonly policy: s3.BucketPolicy;
  readonly lifecycle: s3.BucketLifecycleConfiguration;
  readonly objectLockConfiguration?: s3.BucketObjectLockConfiguration;
  readonly logging?: s3.BucketLogging;
  /** Retention, lifecycle rules and Object Lock as validated and derived before creation. */
  readonly plan: VaultPlan;
  private readonly componentName: string;
  /** How many grants of each kind and prefix were attached, for unique policy names. */
  private readonly grants = new Map<string, number>();

  constructor(name: string, args: BackupVaultArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const design = designVaultBucket(name, args ?? {}, deploymentScope(), `BackupVault "${name}"`);
    super("lifeboat:aws:BackupVault", name, {}, opts);
    this.plan = design.plan;
    this.componentName = name;
    const a = args ?? {};

    if (design.key) {
      this.vaultKey = new VaultKey(`${name}-key`, { description: design.key.description, protect: design.key.retain, ...(a.tags ? { tags: a.tags } : {}) }, { parent: this });
      this.keyArn = this.vaultKey.arn;
    } else {
      this.keyArn = a.key instanceof VaultKey ? a.key.arn : pulumi.output(a.key as pulumi.Input<string>);
    }

    this.bucket = this.createBucket(name, design, a);
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    const bucket = this.bucket.id;
    const parent = { parent: this };

    this.versioning = new s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: design.versioning } }, parent);
    this.encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: design.encryption.sseAlgorithm, kmsMasterKeyId: this.keyArn },
            bucketKeyEnabled: design.encryption.bucketKeyEnabled,
            blockedEncryptionTypes: [...design.encryption.blockedEncryptionTypes],
          },
        ],
      },
      parent,
    );
    this.publicAccessBlock = new s3.BucketPublicAccessBlock(`${name}-public-access-block`, { bucket, ...design.publicAccessBlock }, parent);
    this.ownership = new s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: design.objectOwnership } }, parent);
    this.policy = new s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: policyJson({ bucketArn: this.bucketArn, keyArn: this.keyArn }, design.policyStatements) },
      { parent: this, dependsOn: [this.publicAccessBlock] },
    );
    this.lifecycle = new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket, rules: design.lifecycleRules.map(toPulumiLifecycleRule) },
      { parent: this, dependsOn: [this.versioning] },
    );
    if (design.objectLock) {
      this.objectLockConfiguration = new s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        { bucket, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: design.objectLock.mode, days: design.objectLock.days } } },
        { parent: this, dependsOn: [this.versioning] },
      );
    }
    if (a.accessLogs && design.accessLogs) {
      this.logging = new s3.BucketLogging(
        `${name}-access-logs`,
        { bucket, targetBucket: a.accessLogs.bucket, targetPrefix: pulumi.interpolate`${design.accessLogs.prefix}${this.bucketName}/` },
        parent,
      );
    }

    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, keyArn: this.keyArn });
  }

  /** The bucket itself: the design's flags, the user's tags with the design's (`lifeboat:vault`) over them. */
  private createBucket(name: string, design: VaultBucketDesign, args: BackupVaultArgs): s3.Bucket {
    return new s3.Bucket(
      `${name}-bucket`,
      {
        ...(args.bucketName !== undefined ? { bucket: args.bucketName } : {}),
        objectLockEnabled: design.bucket.objectLockEnabled,
        forceDestroy: design.bucket.forceDestroy,
        tags: pulumi.output(args.tags ?? {}).apply((tags) => ({ ...tags, ...design.bucket.tags })),
      },
      { parent: this, protect: design.bucket.retain },
    );
  }

  /**
   * An IAM policy document (JSON) for a backup job writing under `prefix`: put objects and tags,
   * abort its own uploads, list the prefix, use the vault key through S3. It can never delete.
   */
  writerPolicyDocument(prefix: string): pulumi.Output<string> {
    return this.grantDocument("write", prefix, "writerPolicyDocument(prefix)");
  }

  /** An IAM policy document (JSON) for verification and restore: read and list under `prefix`, decrypt. */
  readerPolicyDocument(prefix = ""): pulumi.Output<string> {
    return this.grantDocument("read", prefix, "readerPolicyDocument(prefix)");
  }

  /**
   * Lets `role` write backups under `prefix` (the writer policy document, attached as an inline
   * policy of the role), as aws-cdk-lib's grants do. A writer must name its source's prefix.
   *
   * @example
   * vault.grantWrite(jobRole, "postgres-main");
   */
  grantWrite(role: iam.Role, prefix: string): iam.RolePolicy {
    return this.attach(role, "write", this.grantDocument("write", prefix, "grantWrite(prefix)"), prefix);
  }

  /** Lets `role` read and list backups under `prefix` (the whole vault by default) and decrypt them. */
  grantRead(role: iam.Role, prefix = ""): iam.RolePolicy {
    return this.attach(role, "read", this.grantDocument("read", prefix, "grantRead(prefix)"), prefix);
  }

  private grantDocument(grant: VaultGrant, prefix: string, argument: string): pulumi.Output<string> {
    const normalized = checkVaultGrantPrefix(grant, prefix, argument, `BackupVault "${this.componentName}"`);
    return policyJson({ bucketArn: this.bucketArn, keyArn: this.keyArn }, (arns) => (grant === "write" ? vaultWriterStatements(arns, normalized) : vaultReaderStatements(arns, normalized)));
  }

  private attach(role: iam.Role, grant: VaultGrant, policy: pulumi.Output<string>, prefix: string): iam.RolePolicy {
    const slug = prefix.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "all";
    const base = `${this.componentName}-${grant}-${slug}`;
    const n = (this.grants.get(base) ?? 0) + 1;
    this.grants.set(base, n);
    return new iam.RolePolicy(n === 1 ? base : `${base}-${n}`, { role: role.name, policy }, { parent: this });
  }
}

/** Translates an engine-neutral lifecycle rule into the provider's shape. */
export function toPulumiLifecycleRule(rule: LifecycleRule): inputs.s3.BucketLifecycleConfigurationRule {
  return {
    id: rule.id,
    status: "Enabled",
    filter: rule.tag ? { tag: { key: rule.tag.key, value: rule.tag.value } } : { prefix: "" },
    ...(rule.expirationDays !== undefined || rule.expiredObjectDeleteMarker
      ? { expiration: rule.expirationDays !== undefined ? { days: rule.expirationDays } : { expiredObjectDeleteMarker: true } }
      : {}),
    ...(rule.transitions.length > 0 ? { transitions: rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) } : {}),
    ...(rule.noncurrentVersionExpirationDays !== undefined ? { noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentVersionExpirationDays } } : {}),
    ...(rule.abortIncompleteMultipartUploadDays !== undefined ? { abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortIncompleteMultipartUploadDays } } : {}),
  };
}
