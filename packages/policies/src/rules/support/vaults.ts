import type { BucketFact, SpacesBucketFact } from "../../facts";
import { matchesPattern } from "../../engine/patterns";
import type { Settings } from "../../engine/settings";

/** The tag that marks a bucket as a backup vault, whatever its name. */
export const VAULT_TAG = "lifeboat:vault";

/**
 * Whether a bucket is judged as a backup vault (retention, versioning, replication, TLS rules):
 * - every bucket when `vaultBuckets` is `all`;
 * - a bucket that replicates, is a replication destination, or uses Object Lock: only backups get that care;
 * - a bucket tagged `lifeboat:vault` (any value but `false`; `false` takes a bucket the name patterns caught out);
 * - a bucket whose name matches `vaultNamePatterns` (`*backup*`, `*vault*`), unless it receives access logs.
 */
export function isVault(bucket: BucketFact | SpacesBucketFact, settings: Settings): boolean {
  if (settings.vaultBuckets === "all") return true;
  // Nine rules ask about every bucket; the answer depends only on the bucket and the patterns.
  const key = settings.vaultNamePatterns.join("\n");
  let answers = decided.get(bucket);
  if (!answers) decided.set(bucket, (answers = new Map()));
  let answer = answers.get(key);
  if (answer === undefined) answers.set(key, (answer = decide(bucket, settings)));
  return answer;
}

const decided = new WeakMap<BucketFact | SpacesBucketFact, Map<string, boolean>>();

function decide(bucket: BucketFact | SpacesBucketFact, settings: Settings): boolean {
  // Replication and Object Lock are only set up for data worth keeping: no tag takes them out.
  if (bucket.kind === "bucket" && ((bucket.replication?.length ?? 0) > 0 || bucket.replicatedFrom.length > 0 || bucket.objectLock?.enabled)) return true;
  const tag = bucket.tags[VAULT_TAG];
  if (tag !== undefined) return tag.toLowerCase() !== "false";
  if (bucket.kind === "bucket" && bucket.isAccessLogTarget) return false;
  const names = [bucket.name, bucket.bucketName].filter((n): n is string => !!n);
  return settings.vaultNamePatterns.some((pattern) => names.some((n) => matchesPattern(pattern, n, true)));
}

/** The vaults among a stack's buckets. */
export function vaults(buckets: readonly BucketFact[], settings: Settings): BucketFact[] {
  return buckets.filter((b) => isVault(b, settings));
}

/** `days` as text: `1 day`, `35 days`. */
export function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}
