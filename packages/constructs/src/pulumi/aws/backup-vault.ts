import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import type * as inputs from "@pulumi/aws/types/input";
import * as iam from "@pulumi/aws/iam";
import {
  checkVaultGrantPrefix,
  type LifecycleRule,
  type ObjectLockArgs,
  planVault,
  type RetentionArgs,
  type VaultPlan,
  vaultBucketPolicyStatements,
  type VaultGrant,
  vaultReaderStatements,
  VAULT_TAG_KEY,
  vaultWriterStatements,
} from "../../core";
import { policyJson } from "./account";
import { VaultKey } from "./vault-key";

export { VAULT_TAG_KEY } from "../../core";

/** Arguments of a {@link BackupVault}. */
export interface BackupVaultArgs {
  /**
   * The bucket's physical name: 3 to 63 lowercase letters, digits and hyphens.
   * @default - a unique name derived from the component's name
   */
  readonly bucketName?: pulumi.Input<string>;
  /**
   * The key that encrypts every object: a {@link VaultKey}, or the ARN of an existing customer
   * managed key (whose policy must let the account's IAM policies grant its use).
   * @default - a new VaultKey named `<name>-key`
   */
  readonly key?: VaultKey | pulumi.Input<string>;
  /**
   * How long backups are kept per tier, and when they are archived.
   * @default - dailies 35 days, weeklies 90 days, monthlies 365 days, noncurrent versions 30 days, no archive
   */
  readonly retention?: RetentionArgs;
  /**
   * Make every new version write-once for a period (S3 Object Lock). Can only be chosen when the
   * bucket is created and can never be turned off.
   * @default - no Object Lock
   */
  readonly objectLock?: ObjectLockArgs;
  /**
   * Deliver S3 server access logs to another bucket (which must allow the S3 logging service to
   * write, and use SSE-S3: log delivery cannot use a KMS key).
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucket: pulumi.Input<string>; readonly prefix?: string };
  /**
   * Refuse `pulumi destroy` and replacements of the bucket (and of its own key).
   * @default true
   */
  readonly protect?: boolean;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
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
    const plan = planVault(
      {
        retention: args.retention,
        objectLock: args.objectLock,
        bucketName: args.bucketName,
        keyArn: args.key instanceof VaultKey ? undefined : args.key,
        accessLogs: args.accessLogs,
      },
      `BackupVault "${name}"`,
    );
    super("lifeboat:aws:BackupVault", name, {}, opts);
    this.plan = plan;
    this.componentName = name;
    const protect = args.protect ?? true;
    const parent = { parent: this };

    if (args.key instanceof VaultKey) {
      this.keyArn = args.key.arn;
    } else if (args.key !== undefined) {
      this.keyArn = pulumi.output(args.key);
    } else {
      this.vaultKey = new VaultKey(`${name}-key`, { description: `Lifeboat backup vault ${name}`, protect, ...(args.tags ? { tags: args.tags } : {}) }, parent);
      this.keyArn = this.vaultKey.arn;
    }

    this.bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        ...(args.bucketName !== undefined ? { bucket: args.bucketName } : {}),
        objectLockEnabled: plan.objectLock !== undefined,
        forceDestroy: false,
        // Marks the bucket as a backup vault for policy packs (Lifeboat's judges vaults by it), whatever its name.
        tags: pulumi.output(args.tags ?? {}).apply((tags) => ({ ...tags, [VAULT_TAG_KEY]: "true" })),
      },
      { parent: this, protect },
    );
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    const bucket = this.bucket.id;

    this.versioning = new s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, parent);
    this.encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.keyArn },
            bucketKeyEnabled: true,
            blockedEncryptionTypes: ["SSE-C"],
          },
        ],
      },
      parent,
    );
    this.publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    this.ownership = new s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    this.policy = new s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: policyJson({ bucketArn: this.bucketArn, keyArn: this.keyArn }, vaultBucketPolicyStatements) },
      { parent: this, dependsOn: [this.publicAccessBlock] },
    );
    this.lifecycle = new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket, rules: plan.lifecycleRules.map(toPulumiLifecycleRule) },
      { parent: this, dependsOn: [this.versioning] },
    );
    if (plan.objectLock) {
      this.objectLockConfiguration = new s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        { bucket, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: plan.objectLock.mode, days: plan.objectLock.days } } },
        { parent: this, dependsOn: [this.versioning] },
      );
    }
    if (args.accessLogs) {
      this.logging = new s3.BucketLogging(
        `${name}-access-logs`,
        { bucket, targetBucket: args.accessLogs.bucket, targetPrefix: pulumi.interpolate`${plan.accessLogPrefix ?? ""}${this.bucketName}/` },
        parent,
      );
    }

    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, keyArn: this.keyArn });
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
