import { checkDays, describeDays, type DurationInput } from "../duration";
import { Problems } from "../errors";
import { type Retention, shortestTierDays } from "../retention";

/**
 * `GOVERNANCE`: users with `s3:BypassGovernanceRetention` can still delete a locked version.
 * `COMPLIANCE`: nobody can, not even the account root, until the retention ends.
 */
export type ObjectLockMode = "GOVERNANCE" | "COMPLIANCE";

/**
 * S3 Object Lock for a vault: every new version is write-once for a default retention period.
 *
 * Object Lock can only be enabled when a bucket is created and can never be turned off.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
export interface ObjectLockArgs {
  readonly mode: ObjectLockMode;
  /**
   * How long each new version is locked. No longer than the shortest tier, so lifecycle rules can
   * remove a backup when its tier ends.
   * @default - the shortest tier's retention
   */
  readonly retention?: DurationInput;
}

/** Object Lock after validation. */
export interface ObjectLock {
  readonly mode: ObjectLockMode;
  readonly days: number;
}

const MODES: readonly ObjectLockMode[] = ["GOVERNANCE", "COMPLIANCE"];

/** Validates Object Lock arguments against the vault's retention, recording problems under `argument`. */
export function checkObjectLock(args: ObjectLockArgs | undefined, retention: Retention | undefined, argument: string, problems: Problems): ObjectLock | undefined {
  if (args === undefined) return undefined;
  const before = problems.all.length;
  if (!MODES.includes(args.mode)) {
    problems.add(`${argument}.mode`, args.mode, `must be "GOVERNANCE" or "COMPLIANCE".`);
  }
  if (!retention) return undefined;
  const shortest = shortestTierDays(retention);
  const days = args.retention === undefined
    ? shortest
    : checkDays(args.retention, `${argument}.retention`, problems, {
        min: 1,
        max: shortest,
        why: `a locked version cannot be deleted, and the shortest tier ends after ${describeDays(shortest)}; lock for no longer than that`,
      });
  if (problems.all.length > before || days === undefined) return undefined;
  return { mode: args.mode, days };
}
