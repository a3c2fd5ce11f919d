import { checkDays, describeDays, Duration, type DurationInput } from "./duration";
import { Problems } from "./errors";

/**
 * The grandfather-father-son tier of a backup. The backup job tags each artifact with one of these
 * (the first backup of an ISO week is `weekly`, of a month `monthly`, the rest `daily`), and the
 * vault's lifecycle rules expire and archive by that tag, so retention needs no pruning code.
 */
export type Tier = "daily" | "weekly" | "monthly";

/** Every tier, shortest-lived first. */
export const TIERS: readonly Tier[] = ["daily", "weekly", "monthly"];

/** The object tag that carries the tier. */
export const TIER_TAG_KEY = "tier";

/**
 * Storage classes a vault may archive into. `ONEZONE_IA` is deliberately absent: it keeps one copy
 * in one Availability Zone, which is not a place for the last copy of a database.
 */
export type ArchiveStorageClass = "STANDARD_IA" | "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";

/**
 * What S3 imposes on each archive class.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 */
export const ARCHIVE_CLASSES: Readonly<
  Record<ArchiveStorageClass, { readonly minimumStorageDays: number; readonly minimumAgeDays: number; readonly label: string }>
> = {
  STANDARD_IA: { minimumStorageDays: 30, minimumAgeDays: 30, label: "S3 Standard-IA" },
  GLACIER_IR: { minimumStorageDays: 90, minimumAgeDays: 1, label: "S3 Glacier Instant Retrieval" },
  GLACIER: { minimumStorageDays: 90, minimumAgeDays: 1, label: "S3 Glacier Flexible Retrieval" },
  DEEP_ARCHIVE: { minimumStorageDays: 180, minimumAgeDays: 1, label: "S3 Glacier Deep Archive" },
};

/**
 * How long backups are kept, per tier, and where old ones are archived.
 *
 * @example
 * const retention: RetentionArgs = {
 *   daily: "35d",
 *   weekly: "90d",
 *   monthly: "1y",
 *   archiveAfter: "30d",
 *   archiveClass: "GLACIER_IR",
 * };
 */
export interface RetentionArgs {
  /** How long backups tagged `tier=daily` are kept. */
  readonly daily: DurationInput;
  /**
   * How long backups tagged `tier=weekly` are kept. Must be at least `daily`.
   * @default - the same as `daily`
   */
  readonly weekly?: DurationInput;
  /**
   * How long backups tagged `tier=monthly` are kept. Must be at least `weekly`.
   * @default - the same as `weekly`
   */
  readonly monthly?: DurationInput;
  /**
   * Age at which backups move to `archiveClass`. Only tiers kept at least this long plus the class's
   * minimum storage duration are archived (see `archiveTiers`).
   * @default - backups are never archived
   */
  readonly archiveAfter?: DurationInput;
  /**
   * The storage class archived backups move to.
   * @default "GLACIER_IR"
   */
  readonly archiveClass?: ArchiveStorageClass;
  /**
   * The tiers that are archived.
   * @default - every tier kept at least `archiveAfter` + the class's minimum storage duration
   */
  readonly archiveTiers?: readonly Tier[];
  /**
   * How long a version is kept after it is overwritten or deleted. This is the window in which an
   * accidental or malicious deletion can be undone.
   * @default 30 days
   */
  readonly noncurrentVersions?: DurationInput;
  /**
   * The longest any object may stay in the vault, noncurrent versions included (data minimization).
   * Every object, tagged or not, expires at this age minus `noncurrentVersions`, and is gone for good
   * by this age. Must be at least the longest tier plus `noncurrentVersions`.
   * @default - no upper bound
   */
  readonly maxRetention?: DurationInput;
  /**
   * Age at which unfinished multipart uploads (a backup killed mid-upload) are removed.
   * @default 7 days
   */
  readonly abortIncompleteUploadsAfter?: DurationInput;
}

/** Retention after validation: every duration in whole days. */
export interface Retention {
  readonly tiers: Readonly<Record<Tier, number>>;
  readonly archive?: {
    readonly afterDays: number;
    readonly storageClass: ArchiveStorageClass;
    readonly tiers: readonly Tier[];
  };
  readonly noncurrentDays: number;
  readonly maxDays?: number;
  readonly abortIncompleteUploadDays: number;
}

/** Dailies for five weeks, weeklies for a quarter, monthlies for a year, no archive. */
export const DEFAULT_RETENTION: RetentionArgs = { daily: "35d", weekly: "90d", monthly: "365d" };

const DEFAULT_NONCURRENT = "30d";
const DEFAULT_ABORT_UPLOADS = "7d";
const DEFAULT_ARCHIVE_CLASS: ArchiveStorageClass = "GLACIER_IR";
/** S3 accepts lifecycle days up to this; a hundred years is far beyond any retention law. */
const MAX_LIFECYCLE_DAYS = 36_500;

const KNOWN_KEYS: readonly (keyof RetentionArgs)[] = [
  "daily",
  "weekly",
  "monthly",
  "archiveAfter",
  "archiveClass",
  "archiveTiers",
  "noncurrentVersions",
  "maxRetention",
  "abortIncompleteUploadsAfter",
];

/**
 * Validates retention arguments and resolves them to whole days, recording every problem under
 * `argument` (for example `"retention"`). Returns `undefined` when any problem was found.
 */
export function checkRetention(args: RetentionArgs | undefined, argument: string, problems: Problems): Retention | undefined {
  const input = args ?? DEFAULT_RETENTION;
  const before = problems.all.length;
  if (typeof input !== "object" || input === null) {
    problems.add(argument, input, 'must be an object such as { daily: "35d", weekly: "90d", monthly: "1y" }.');
    return undefined;
  }
  for (const key of Object.keys(input)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      problems.add(`${argument}.${key}`, (input as unknown as Record<string, unknown>)[key], `is not a retention setting; the settings are ${KNOWN_KEYS.join(", ")}.`);
    }
  }

  const range = { min: 1, max: MAX_LIFECYCLE_DAYS, why: "S3 lifecycle rules count whole days" };
  const tiers = checkTierDays(input, argument, problems, range);

  const noncurrentDays = checkDays(input.noncurrentVersions ?? DEFAULT_NONCURRENT, `${argument}.noncurrentVersions`, problems, range);
  const abortIncompleteUploadDays = checkDays(input.abortIncompleteUploadsAfter ?? DEFAULT_ABORT_UPLOADS, `${argument}.abortIncompleteUploadsAfter`, problems, range);
  const archive = checkArchive(input, argument, tiers, problems);

  let maxDays: number | undefined;
  if (input.maxRetention !== undefined) {
    maxDays = checkDays(input.maxRetention, `${argument}.maxRetention`, problems, range);
    if (maxDays !== undefined && tiers && noncurrentDays !== undefined) {
      // An expired backup stays recoverable as a noncurrent version for noncurrentDays: that is part of its life.
      const longest = TIERS.reduce((a, b) => (tiers[b] > tiers[a] ? b : a));
      if (tiers[longest] + noncurrentDays > maxDays) {
        problems.add(
          `${argument}.maxRetention`,
          Duration.days(maxDays),
          `must be at least \`${argument}.${longest}\` + \`${argument}.noncurrentVersions\` (${describeDays(tiers[longest])} + ${describeDays(noncurrentDays)} = ${describeDays(tiers[longest] + noncurrentDays)}): an expired backup stays recoverable as a noncurrent version that long. Raise maxRetention, or shorten ${longest} or noncurrentVersions.`,
        );
      }
    }
  }

  if (problems.all.length > before || !tiers || noncurrentDays === undefined || abortIncompleteUploadDays === undefined) return undefined;
  return {
    tiers,
    ...(archive ? { archive } : {}),
    noncurrentDays,
    ...(maxDays !== undefined ? { maxDays } : {}),
    abortIncompleteUploadDays,
  };
}

/**
 * Checks how long each tier is kept, in whole days within `range`, and that a weekly backup is kept at
 * least as long as a daily one and a monthly at least as long as a weekly one. A missing weekly
 * takes the daily's days, a missing monthly the weekly's. Records problems under `argument`; returns
 * the days of every tier that parsed (also when their order is wrong, which is recorded), else
 * `undefined`. Shared by S3 vault retention and AWS Backup plan rules.
 */
export function checkTierDays(
  input: { readonly daily?: unknown; readonly weekly?: unknown; readonly monthly?: unknown },
  argument: string,
  problems: Problems,
  range: { min: number; max?: number; why?: string },
): Record<Tier, number> | undefined {
  const daily = input.daily === undefined
    ? (problems.add(`${argument}.daily`, undefined, 'is required: say how long daily backups are kept, for example "35d".'), undefined)
    : checkDays(input.daily, `${argument}.daily`, problems, range);
  const weekly = input.weekly === undefined ? daily : checkDays(input.weekly, `${argument}.weekly`, problems, range);
  const monthly = input.monthly === undefined ? weekly : checkDays(input.monthly, `${argument}.monthly`, problems, range);

  if (daily !== undefined && weekly !== undefined && weekly < daily) {
    problems.add(`${argument}.weekly`, Duration.days(weekly), `must be at least \`${argument}.daily\` (${describeDays(daily)}): a weekly backup is kept at least as long as a daily one. Raise weekly or lower daily.`);
  }
  if (weekly !== undefined && monthly !== undefined && monthly < weekly) {
    problems.add(`${argument}.monthly`, Duration.days(monthly), `must be at least \`${argument}.weekly\` (${describeDays(weekly)}): a monthly backup is kept at least as long as a weekly one. Raise monthly or lower weekly.`);
  }

  return daily !== undefined && weekly !== undefined && monthly !== undefined ? { daily, weekly, monthly } : undefined;
}

function checkArchive(input: RetentionArgs, argument: string, tiers: Record<Tier, number> | undefined, problems: Problems): Retention["archive"] {
  if (input.archiveAfter === undefined) {
    if (input.archiveClass !== undefined) {
      problems.add(`${argument}.archiveClass`, input.archiveClass, `has no effect without \`${argument}.archiveAfter\`: set archiveAfter (for example "30d") or remove archiveClass.`);
    }
    if (input.archiveTiers !== undefined) {
      problems.add(`${argument}.archiveTiers`, input.archiveTiers, `has no effect without \`${argument}.archiveAfter\`: set archiveAfter (for example "30d") or remove archiveTiers.`);
    }
    return undefined;
  }
  const storageClass = input.archiveClass ?? DEFAULT_ARCHIVE_CLASS;
  const facts = ARCHIVE_CLASSES[storageClass];
  if (!facts) {
    problems.add(`${argument}.archiveClass`, storageClass, `is not an archive class; use one of ${Object.keys(ARCHIVE_CLASSES).join(", ")}.`);
    return undefined;
  }
  const afterDays = checkDays(input.archiveAfter, `${argument}.archiveAfter`, problems, {
    min: facts.minimumAgeDays,
    max: MAX_LIFECYCLE_DAYS,
    why: facts.minimumAgeDays > 1 ? `S3 moves objects to ${facts.label} only once they are ${facts.minimumAgeDays} days old` : "S3 lifecycle rules count whole days",
  });
  if (afterDays === undefined || !tiers) return undefined;

  const neededDays = afterDays + facts.minimumStorageDays;
  const why = `${facts.label} bills ${facts.minimumStorageDays} days minimum, so a tier archived at ${describeDays(afterDays)} must be kept at least ${describeDays(neededDays)}`;
  let archived: Tier[];
  if (input.archiveTiers !== undefined) {
    archived = [];
    for (const tier of input.archiveTiers) {
      if (!TIERS.includes(tier)) {
        problems.add(`${argument}.archiveTiers`, tier, `is not a tier; use ${TIERS.join(", ")}.`);
      } else if (tiers[tier] < neededDays) {
        problems.add(`${argument}.${tier}`, Duration.days(tiers[tier]), `is too short to archive: ${why}. Keep ${tier} at least ${describeDays(neededDays)}, archive sooner, or remove ${tier} from archiveTiers.`);
      } else {
        archived.push(tier);
      }
    }
    if (input.archiveTiers.length === 0) {
      problems.add(`${argument}.archiveTiers`, input.archiveTiers, "is empty: list the tiers to archive, or remove archiveAfter.");
    }
  } else {
    archived = TIERS.filter((tier) => tiers[tier] >= neededDays);
    if (archived.length === 0) {
      problems.add(`${argument}.archiveAfter`, Duration.days(afterDays), `applies to no tier: ${why}, and the longest tier, monthly, is kept ${describeDays(tiers.monthly)}. Keep monthly at least ${describeDays(neededDays)}, archive sooner, or remove archiveAfter.`);
    }
  }
  return archived.length > 0 ? { afterDays, storageClass, tiers: archived } : undefined;
}

/** Validates retention and returns it in whole days, or throws every problem at once. */
export function resolveRetention(args: RetentionArgs | undefined, subject: string, argument = "retention"): Retention {
  const problems = new Problems();
  const retention = checkRetention(args, argument, problems);
  problems.throwIfAny(subject);
  return retention as Retention;
}

/**
 * Checks that a replica keeps everything at least as long as its primary, so the off-site copy
 * never disappears first. Records problems under `argument`.
 */
export function checkReplicaRetention(primary: Retention, replica: Retention, argument: string, problems: Problems): void {
  for (const tier of TIERS) {
    if (replica.tiers[tier] < primary.tiers[tier]) {
      problems.add(`${argument}.${tier}`, Duration.days(replica.tiers[tier]), `must be at least the primary's ${tier} retention (${describeDays(primary.tiers[tier])}): the replica is the copy that survives the loss of the primary region.`);
    }
  }
  if (replica.noncurrentDays < primary.noncurrentDays) {
    problems.add(`${argument}.noncurrentVersions`, Duration.days(replica.noncurrentDays), `must be at least the primary's (${describeDays(primary.noncurrentDays)}).`);
  }
  if (primary.maxDays !== undefined && replica.maxDays === undefined) {
    problems.add(`${argument}.maxRetention`, undefined, `must be set because the primary's is (${describeDays(primary.maxDays)}): without it the replica keeps data the primary promises to delete.`);
  }
}

/** The shortest time any tier is kept: the ceiling for an Object Lock default retention. */
export function shortestTierDays(retention: Retention): number {
  return Math.min(...TIERS.map((tier) => retention.tiers[tier]));
}
