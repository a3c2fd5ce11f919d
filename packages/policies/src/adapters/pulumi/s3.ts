import type { BucketEncryptionFact, LifecycleRuleFact, ReplicationRuleFact } from "../../facts";
import { normalizeStorageClass } from "../../facts";
import type { Bag, Reader } from "../values";

/** Bucket type tokens: @pulumi/aws v7's `Bucket` and v6's `BucketV2` (the legacy v6 `Bucket` has the same token). */
export const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

/** The separate resources that configure a bucket, by what they configure. */
export const BUCKET_PART_TYPES: Readonly<Record<string, string>> = {
  "aws:s3/bucketVersioning:BucketVersioning": "versioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2": "versioning",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "encryption",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "encryption",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "lifecycle",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "lifecycle",
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "replication",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "publicAccessBlock",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "objectLock",
  "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": "objectLock",
  "aws:s3/bucketAcl:BucketAcl": "acl",
  "aws:s3/bucketAclV2:BucketAclV2": "acl",
  "aws:s3/bucketLogging:BucketLogging": "logging",
  "aws:s3/bucketLoggingV2:BucketLoggingV2": "logging",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "ownership",
};

/** A versioning status from `{ status }` (separate resource) or `{ enabled }` (legacy inline). */
export function readVersioning(r: Reader, block: Bag | undefined, path: string): string | undefined {
  if (!block) return undefined;
  const status = r.str(block.status, path);
  if (status !== undefined) return status;
  const enabled = r.bool(block.enabled, path);
  return enabled === undefined ? undefined : enabled ? "Enabled" : "Disabled";
}

/** Default encryption from the rules of a configuration (`rules: [...]`, or legacy `rule: {...}`). */
export function readEncryption(r: Reader, config: Bag | undefined, keyInStack: (keyId: string | undefined) => boolean): BucketEncryptionFact | undefined {
  if (!config) return undefined;
  const rules = config.rules !== undefined ? r.arr(config.rules, "encryption") : r.arr(config.rule, "encryption");
  for (const raw of rules) {
    const rule = r.obj(raw, "encryption");
    const byDefault = r.obj(rule?.applyServerSideEncryptionByDefault ?? rule?.applyServerSideEncryptionByDefaults, "encryption");
    if (!rule || !byDefault) continue;
    const kmsKeyId = r.str(byDefault.kmsMasterKeyId, "encryption.kmsKeyId") || undefined;
    return {
      ...(r.str(byDefault.sseAlgorithm, "encryption.algorithm") !== undefined ? { algorithm: r.str(byDefault.sseAlgorithm, "encryption.algorithm") as string } : {}),
      ...(kmsKeyId ? { kmsKeyId } : {}),
      keyInStack: keyInStack(kmsKeyId),
      bucketKeyEnabled: r.bool(rule.bucketKeyEnabled, "encryption.bucketKeyEnabled") === true,
    };
  }
  return rules.length > 0 ? { keyInStack: false, bucketKeyEnabled: false } : undefined;
}

/** Describes a lifecycle or replication filter and says whether it selects every object. */
export function readFilter(r: Reader, rule: Bag): { coversEveryObject: boolean; filter: string } {
  const parts: string[] = [];
  const filter = r.obj(rule.filter ?? rule.filters, "lifecycle");
  const prefixes = [rule.prefix, filter?.prefix];
  const and = r.obj(filter?.and, "lifecycle");
  if (and) prefixes.push(and.prefix);
  for (const p of prefixes) {
    const prefix = r.str(p, "lifecycle");
    if (prefix) parts.push(`prefix ${prefix}`);
  }
  const tagBlocks = [filter?.tag, ...(and ? [and.tags] : []), rule.tags];
  for (const block of tagBlocks) {
    const tag = r.obj(block, "lifecycle");
    if (!tag) continue;
    if (typeof tag.key === "string") parts.push(`tag ${tag.key}=${String(tag.value ?? "")}`);
    else for (const [k, v] of Object.entries(tag)) parts.push(`tag ${k}=${String(v)}`);
  }
  for (const key of ["objectSizeGreaterThan", "objectSizeLessThan"]) {
    for (const source of [filter, and]) {
      const size = source ? r.num(source[key], "lifecycle") : undefined;
      if (size !== undefined && size > 0) parts.push(`${key} ${size}`);
    }
  }
  return { coversEveryObject: parts.length === 0, filter: parts.length === 0 ? "every object" : parts.join(", ") };
}

/** Lifecycle rules from a separate configuration or the legacy inline `lifecycleRules`. */
export function readLifecycle(r: Reader, rules: unknown): LifecycleRuleFact[] {
  return r.arr(rules, "lifecycle").flatMap((raw) => {
    const rule = r.obj(raw, "lifecycle");
    if (!rule) return [];
    const status = r.str(rule.status, "lifecycle");
    const enabled = status !== undefined ? status === "Enabled" : r.bool(rule.enabled, "lifecycle") === true;
    const expiration = r.obj(rule.expiration ?? rule.expirations, "lifecycle");
    const noncurrent = r.obj(rule.noncurrentVersionExpiration ?? rule.noncurrentVersionExpirations, "lifecycle");
    const expirationDays = positive(r.num(expiration?.days, "lifecycle"));
    const expirationDate = r.known(expiration?.date) || undefined;
    const noncurrentDays = positive(r.num(noncurrent?.noncurrentDays ?? noncurrent?.days, "lifecycle"));
    const id = r.known(rule.id);
    return [
      {
        ...(id ? { id } : {}),
        enabled,
        ...readFilter(r, rule),
        ...(expirationDays !== undefined ? { expirationDays } : {}),
        ...(expirationDate ? { expirationDate } : {}),
        ...(noncurrentDays !== undefined ? { noncurrentExpirationDays: noncurrentDays } : {}),
        transitions: r.arr(rule.transitions, "lifecycle").flatMap((t) => {
          const b = r.obj(t, "lifecycle");
          const storageClass = r.known(b?.storageClass);
          if (!b || !storageClass) return [];
          const days = r.num(b.days, "lifecycle");
          const date = r.known(b.date) || undefined;
          return [{ storageClass: normalizeStorageClass(storageClass), ...(days !== undefined ? { days } : {}), ...(date ? { date } : {}) }];
        }),
        noncurrentTransitions: r.arr(rule.noncurrentVersionTransitions, "lifecycle").flatMap((t) => {
          const b = r.obj(t, "lifecycle");
          const storageClass = r.known(b?.storageClass);
          if (!b || !storageClass) return [];
          const days = r.num(b.noncurrentDays ?? b.days, "lifecycle");
          return [{ storageClass: normalizeStorageClass(storageClass), ...(days !== undefined ? { days } : {}) }];
        }),
      },
    ];
  });
}

/**
 * Replication rules from a `BucketReplicationConfig` or the legacy inline configuration.
 * `destination` resolves a destination bucket reference to the fact it names, when in the stack.
 */
export function readReplication(
  r: Reader,
  config: Bag,
  destination: (bucketRef: string | undefined) => { id?: string; region?: string; sameRegion?: boolean },
): ReplicationRuleFact[] {
  return r.arr(config.rules, "replication").flatMap((raw) => {
    const rule = r.obj(raw, "replication");
    if (!rule) return [];
    const status = r.str(rule.status, "replication");
    const dest = r.obj(rule.destination ?? rule.destinations, "replication");
    const bucketRef = r.str(dest?.bucket, "replication.destination");
    const resolved = destination(bucketRef);
    const criteria = r.obj(rule.sourceSelectionCriteria ?? rule.sourceSelectionCriterias, "replication");
    const kms = r.obj(criteria?.sseKmsEncryptedObjects, "replication");
    const kmsStatus = kms ? (r.str(kms.status, "replication") ?? (r.bool(kms.enabled, "replication") ? "Enabled" : "Disabled")) : undefined;
    const encryption = r.obj(dest?.encryptionConfiguration ?? dest?.encryptionConfigurations, "replication");
    const replicaKmsKeyId = r.str(encryption?.replicaKmsKeyId ?? dest?.replicaKmsKeyId, "replication.replicaKmsKeyId") || undefined;
    const id = r.known(rule.id);
    return [
      {
        ...(id ? { id } : {}),
        enabled: status === "Enabled",
        coversEveryObject: readFilter(r, rule).coversEveryObject,
        ...(bucketRef ? { destinationBucket: bucketRef } : {}),
        ...(resolved.id ? { destinationId: resolved.id } : {}),
        ...(resolved.region ? { destinationRegion: resolved.region } : {}),
        ...(resolved.sameRegion !== undefined ? { destinationInSameRegion: resolved.sameRegion } : {}),
        replicatesKmsObjects: kmsStatus === "Enabled",
        ...(replicaKmsKeyId ? { replicaKmsKeyId } : {}),
      },
    ];
  });
}

/** Object Lock from the bucket's flag and a configuration (`rule.defaultRetention`). */
export function readObjectLock(r: Reader, enabledFlag: unknown, config: Bag | undefined): { enabled: boolean; mode?: string; days?: number } | undefined {
  const flag = r.bool(enabledFlag, "objectLock");
  const configEnabled = config ? r.str(config.objectLockEnabled, "objectLock") === "Enabled" : false;
  if (!flag && !configEnabled) return flag === false || config ? { enabled: false } : undefined;
  const rule = r.obj(config?.rule ?? config?.rules, "objectLock");
  const retention = r.obj(rule?.defaultRetention ?? rule?.defaultRetentions, "objectLock");
  const mode = r.known(retention?.mode);
  const days = r.num(retention?.days, "objectLock");
  const years = r.num(retention?.years, "objectLock");
  const totalDays = days ?? (years !== undefined ? years * 365 : undefined);
  return { enabled: true, ...(mode ? { mode } : {}), ...(totalDays !== undefined ? { days: totalDays } : {}) };
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}
