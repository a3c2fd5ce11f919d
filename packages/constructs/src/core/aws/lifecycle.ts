import { type ArchiveStorageClass, type Retention, TIER_TAG_KEY, TIERS } from "../retention";

/**
 * One S3 lifecycle rule, independent of any engine. The Pulumi and CDK layers translate it
 * field by field.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 */
export interface LifecycleRule {
  readonly id: string;
  /** The objects the rule applies to; every object in the bucket when absent. */
  readonly tag?: { readonly key: string; readonly value: string };
  /** Age in days at which the current version expires (becomes noncurrent behind a delete marker). */
  readonly expirationDays?: number;
  /** Removes delete markers that no longer hide any version. */
  readonly expiredObjectDeleteMarker?: boolean;
  readonly transitions: readonly { readonly days: number; readonly storageClass: ArchiveStorageClass }[];
  /** Days after becoming noncurrent at which a version is permanently deleted. */
  readonly noncurrentVersionExpirationDays?: number;
  readonly abortIncompleteMultipartUploadDays?: number;
}

/**
 * Turns validated retention into S3 lifecycle rules:
 * - one rule per tier, filtered by the object tag `tier`, expiring the tier and archiving it when
 *   configured;
 * - one rule for every object that expires noncurrent versions, removes expired delete markers and
 *   aborts incomplete multipart uploads (S3 forbids the last two in a rule filtered by tag);
 * - with `maxRetention`, one rule for every object, tagged or not, that expires it early enough for
 *   its noncurrent version to be gone by that age.
 */
export function lifecycleRules(retention: Retention): LifecycleRule[] {
  const rules: LifecycleRule[] = TIERS.map((tier) => {
    const archived = retention.archive?.tiers.includes(tier);
    return {
      id: `tier-${tier}`,
      tag: { key: TIER_TAG_KEY, value: tier },
      expirationDays: retention.tiers[tier],
      transitions: archived && retention.archive ? [{ days: retention.archive.afterDays, storageClass: retention.archive.storageClass }] : [],
    };
  });
  rules.push({
    id: "noncurrent-versions-and-uploads",
    expiredObjectDeleteMarker: true,
    transitions: [],
    noncurrentVersionExpirationDays: retention.noncurrentDays,
    abortIncompleteMultipartUploadDays: retention.abortIncompleteUploadDays,
  });
  if (retention.maxDays !== undefined) {
    rules.push({ id: "max-retention", expirationDays: retention.maxDays - retention.noncurrentDays, transitions: [] });
  }
  return rules;
}
