import type { FactBase } from "./fact";
import type { PolicyStatement } from "./policy-document";

/** What an expiring lifecycle rule says, in S3 and in DigitalOcean Spaces alike. */
export interface ExpiringRule {
  readonly id?: string;
  readonly enabled: boolean;
  /** `true` when the rule applies to every object: no prefix, tag or size filter. */
  readonly coversEveryObject: boolean;
  /** A short description of the filter, for messages: `tag tier=daily`, `prefix logs/`. */
  readonly filter: string;
  readonly expirationDays?: number;
  /** An expiration on a fixed date (ISO text) rather than an age. */
  readonly expirationDate?: string;
  readonly noncurrentExpirationDays?: number;
}

/** One S3 lifecycle rule, normalized from the provider's, the legacy inline or CloudFormation's shape. */
export interface LifecycleRuleFact extends ExpiringRule {
  readonly transitions: readonly { readonly days?: number; readonly date?: string; readonly storageClass: string }[];
  readonly noncurrentTransitions: readonly { readonly days?: number; readonly storageClass: string }[];
}

/** One S3 replication rule. */
export interface ReplicationRuleFact {
  readonly id?: string;
  readonly enabled: boolean;
  readonly coversEveryObject: boolean;
  /** The destination bucket's ARN as written (it may be a CloudFormation reference). */
  readonly destinationBucket?: string;
  /** Region of the destination, when the destination bucket is in the same stack or its ARN says. */
  readonly destinationRegion?: string;
  /** The fact id of the destination bucket when it is in the same stack. */
  readonly destinationId?: string;
  /** `true` when the destination is known to be in the source's region (a bucket of the same template, say). */
  readonly destinationInSameRegion?: boolean;
  /** `true` when SSE-KMS encrypted objects are selected for replication. */
  readonly replicatesKmsObjects: boolean;
  readonly replicaKmsKeyId?: string;
}

/** Server-side encryption by default. */
export interface BucketEncryptionFact {
  /** `AES256`, `aws:kms`, `aws:kms:dsse`. */
  readonly algorithm?: string;
  readonly kmsKeyId?: string;
  /** `true` when the key is a KMS key created in the same stack. */
  readonly keyInStack: boolean;
  readonly bucketKeyEnabled: boolean;
}

/**
 * An S3 bucket with everything that decides whether it can hold backups merged onto it, whether
 * written inline (legacy `aws.s3.Bucket`, CloudFormation) or as separate resources that point at
 * the bucket (`BucketVersioning`, `BucketServerSideEncryptionConfiguration`, ... in @pulumi/aws v7).
 */
export interface BucketFact extends FactBase {
  readonly kind: "bucket";
  /** The physical name, when known. */
  readonly bucketName?: string;
  /** Every way the stack writes this bucket's ARN (`arn:aws:s3:::name`, `${Logical.Arn}`): policies name it so. */
  readonly arns: readonly string[];
  /** `Enabled`, `Suspended`, or undefined when versioning was never configured. */
  readonly versioning?: string;
  /** undefined when no default encryption is configured (S3 then applies SSE-S3). */
  readonly encryption?: BucketEncryptionFact;
  /** The four public access block flags; undefined when there is no block at all. */
  readonly publicAccessBlock?: {
    readonly blockPublicAcls: boolean;
    readonly blockPublicPolicy: boolean;
    readonly ignorePublicAcls: boolean;
    readonly restrictPublicBuckets: boolean;
  };
  /** A canned ACL, when one is set (`private`, `public-read`, ...). */
  readonly acl?: string;
  /** The bucket policy's statements; undefined when the bucket has no policy. */
  readonly policy?: readonly PolicyStatement[];
  /** Set when a policy exists but could not be read as JSON. */
  readonly policyUnreadable?: string;
  /** undefined when the bucket has no lifecycle configuration. */
  readonly lifecycle?: readonly LifecycleRuleFact[];
  /** undefined when the bucket replicates nowhere. */
  readonly replication?: readonly ReplicationRuleFact[];
  readonly objectLock?: { readonly enabled: boolean; readonly mode?: string; readonly days?: number };
  /** Buckets (fact ids) that replicate into this one. */
  readonly replicatedFrom: readonly string[];
  /** `true` when another bucket delivers server access logs here (such a bucket cannot use SSE-KMS). */
  readonly isAccessLogTarget: boolean;
  /** The separate resources merged onto this bucket, by what they configure: for messages. */
  readonly parts: Readonly<Record<string, string>>;
}

/**
 * The versioning status S3 gives a bucket. A bucket with Object Lock is versioned whatever its
 * configuration says: S3 turns versioning on when Object Lock is enabled (at creation, or on a
 * bucket already versioned) and refuses to suspend it afterwards. An explicit status is kept, so a
 * contradictory `Suspended` is still reported.
 */
export function effectiveVersioning(configured: string | undefined, objectLock: BucketFact["objectLock"]): string | undefined {
  return configured === undefined && objectLock?.enabled === true ? "Enabled" : configured;
}
