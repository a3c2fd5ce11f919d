import { isDeployTimeValue } from "../deploy-time";
import { Problems } from "../errors";
import { checkRetention, DEFAULT_RETENTION, type Retention, type RetentionArgs, TIERS } from "../retention";
import { tierPrefix } from "../vault-layout";
import { checkDoRegion, SPACES_REGIONS } from "./regions";

/**
 * One Spaces lifecycle rule. Spaces filters rules by key prefix only (no tags) and has no
 * storage-class transitions.
 *
 * @see https://docs.digitalocean.com/products/spaces/how-to/configure-lifecycle-rules/
 */
export interface SpacesLifecycleRule {
  readonly id: string;
  /** The keys the rule applies to; every key when absent. */
  readonly prefix?: string;
  readonly enabled: true;
  /** Age in days at which the current version expires (becomes noncurrent behind a delete marker). */
  readonly expirationDays?: number;
  /** Removes delete markers that no longer hide any version. */
  readonly expiredObjectDeleteMarker?: boolean;
  /** Days after becoming noncurrent at which a version is deleted for good. */
  readonly noncurrentVersionExpirationDays?: number;
  readonly abortIncompleteMultipartUploadDays?: number;
}

/** The settings of a Spaces vault, as every front end accepts them. */
export interface SpacesVaultSettings {
  /** The Spaces region, such as `"nyc3"`. */
  readonly region: string;
  /**
   * How long backups are kept, per tier. Spaces has no transitions, so `archiveAfter`,
   * `archiveClass` and `archiveTiers` are refused.
   * @default - dailies 35 days, weeklies 90 days, monthlies 365 days
   */
  readonly retention?: RetentionArgs;
  /** @default - a unique name derived from the component's name */
  readonly bucketName?: unknown;
  /**
   * Let `pulumi destroy` delete the bucket with every backup in it. Off: a vault outlives the stack.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/** Everything decided for a Spaces vault. */
export interface SpacesVaultDesign {
  readonly bucket: {
    readonly region: string;
    readonly acl: "private";
    readonly versioning: { readonly enabled: true };
    readonly forceDestroy: boolean;
    readonly lifecycleRules: readonly SpacesLifecycleRule[];
  };
  readonly retention: Retention;
  /** Where jobs put each backup's tier: the key's first segment. */
  readonly tiers: "prefix";
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Turns validated retention into Spaces lifecycle rules:
 * - one rule per tier prefix (`daily/`, `weekly/`, `monthly/`) expiring the tier, deleting its
 *   noncurrent versions and aborting its unfinished uploads;
 * - one rule for every key that removes expired delete markers, deletes noncurrent versions (the
 *   shared object copies of `objects` sources included) and aborts unfinished uploads;
 * - with `maxRetention`, one rule for every key that expires it early enough for its noncurrent
 *   version to be gone by that age.
 */
export function spacesLifecycleRules(retention: Retention): SpacesLifecycleRule[] {
  const shared = { enabled: true as const, noncurrentVersionExpirationDays: retention.noncurrentDays, abortIncompleteMultipartUploadDays: retention.abortIncompleteUploadDays };
  const rules: SpacesLifecycleRule[] = TIERS.map((tier) => ({ id: `tier-${tier}`, prefix: tierPrefix(tier), expirationDays: retention.tiers[tier], ...shared }));
  rules.push({ id: "delete-markers-and-uploads", expiredObjectDeleteMarker: true, ...shared });
  if (retention.maxDays !== undefined) rules.push({ id: "max-retention", enabled: true, expirationDays: retention.maxDays - retention.noncurrentDays });
  return rules;
}

/** Validates a Spaces vault's settings, recording every problem under `path`. */
export function checkSpacesVault(settings: SpacesVaultSettings, problems: Problems, path = ""): SpacesVaultDesign | undefined {
  const before = problems.all.length;
  checkDoRegion(settings?.region, `${path}region`, problems, SPACES_REGIONS, "a region with Spaces");
  const retentionArgs = settings?.retention ?? DEFAULT_RETENTION;
  for (const key of ["archiveAfter", "archiveClass", "archiveTiers"] as const) {
    if (retentionArgs[key] !== undefined) {
      problems.add(`${path}retention.${key}`, retentionArgs[key], "is not possible on Spaces, which has no storage-class transitions; remove it (an off-site AWS vault can archive).");
    }
  }
  const { archiveAfter: _a, archiveClass: _c, archiveTiers: _t, ...withoutArchive } = retentionArgs;
  const retention = checkRetention(withoutArchive, `${path}retention`, problems);
  const name = settings?.bucketName;
  if (name !== undefined && !isDeployTimeValue(name) && (typeof name !== "string" || !BUCKET_NAME.test(name))) {
    problems.add(`${path}bucketName`, name, "must be 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.");
  }
  if (settings?.forceDestroy !== undefined && typeof settings.forceDestroy !== "boolean") problems.add(`${path}forceDestroy`, settings.forceDestroy, "must be true or false.");
  if (problems.all.length > before || !retention) return undefined;
  return {
    bucket: { region: settings.region, acl: "private", versioning: { enabled: true }, forceDestroy: settings.forceDestroy ?? false, lifecycleRules: spacesLifecycleRules(retention) },
    retention,
    tiers: "prefix",
  };
}

/** {@link checkSpacesVault}, throwing every problem at once. */
export function designSpacesVault(settings: SpacesVaultSettings, subject: string): SpacesVaultDesign {
  const problems = new Problems();
  const design = checkSpacesVault(settings, problems);
  problems.throwIfAny(subject);
  return design as SpacesVaultDesign;
}

/** What a Spaces key may do in one bucket: read (verify, restore) or read and write (backup). */
export type SpacesAccess = "read" | "readwrite";

/** One grant of a Spaces key, in the provider's shape. */
export interface SpacesKeyGrant<T> {
  readonly bucket: T;
  readonly permission: SpacesAccess;
}

/**
 * The grants of a key scoped to one bucket. `fullaccess` is refused: it reaches every bucket of the
 * team, so a leaked backup key could delete the uploads it protects.
 */
export function spacesKeyGrants<T>(bucket: T, access: SpacesAccess, subject: string): SpacesKeyGrant<T>[] {
  const problems = new Problems();
  if (access !== "read" && access !== "readwrite") {
    problems.add("access", access, '"read" (verification, restore) or "readwrite" (backup) are allowed; a full-access key reaches every bucket of the team.');
  }
  problems.throwIfAny(subject);
  return [{ bucket, permission: access }];
}
