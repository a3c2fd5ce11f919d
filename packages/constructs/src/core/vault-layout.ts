import { Problems } from "./errors";
import { TIERS, type Tier } from "./retention";

/**
 * The vault layout: the contract between the jobs that write backups and the constructs that keep
 * them.
 *
 * ```
 * <source>/<YYYY>/<MM>/<DD>/<source>-<YYYYMMDDTHHMMSSZ>.<ext>             the artifact
 * <source>/<YYYY>/<MM>/<DD>/<source>-<YYYYMMDDTHHMMSSZ>.manifest.json     written last
 * ```
 *
 * An artifact without a manifest is an incomplete backup: never counted, never restored.
 *
 * Where the tier goes depends on the store ({@link TierPlacement}): S3 tags each object `tier=<tier>`
 * and its lifecycle rules filter by tag; DigitalOcean Spaces filters lifecycle rules by prefix only,
 * so a Spaces vault puts the tier first in the key: `<tier>/<source>/<YYYY>/<MM>/<DD>/...`.
 */

/**
 * Where a vault keeps each backup's tier: `tag` (the object tag `tier`, S3) or `prefix` (the key's
 * first segment, `daily/`, `weekly/`, `monthly/`: stores whose lifecycle filters by prefix only).
 */
export type TierPlacement = "tag" | "prefix";
export const TIER_PLACEMENTS: readonly TierPlacement[] = ["tag", "prefix"];

/** The key prefix of a tier in a prefix-tiered vault: `daily/`. */
export function tierPrefix(tier: Tier): string {
  return `${tier}/`;
}

/** A key of the layout placed in a vault: under its tier's prefix when the vault carries tiers in keys. */
export function placeKey(key: string, tier: Tier, placement: TierPlacement): string {
  return placement === "prefix" ? `${tierPrefix(tier)}${key}` : key;
}

/** The prefixes that hold a source's backups (not its shared object copies) in a vault. */
export function sourcePrefixes(source: string, placement: TierPlacement): string[] {
  return placement === "prefix" ? TIERS.map((tier) => `${tierPrefix(tier)}${source}/`) : [`${source}/`];
}

/** What a source is. */
export type SourceKind = "postgres" | "redis" | "objects" | "files";
export const SOURCE_KINDS: readonly SourceKind[] = ["postgres", "redis", "objects", "files"];

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Records a problem unless `name` can name a source: it becomes the first segment of every key, a
 * metric dimension and part of resource names, so it is kept to lowercase letters, digits and hyphens.
 */
export function checkSourceName(name: unknown, argument: string, problems: Problems): name is string {
  if (typeof name === "string" && SOURCE_NAME.test(name)) return true;
  problems.add(argument, name, 'must be 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit, like "postgres-main".');
  return false;
}

/** `2026-11-21T09:05:03.123Z` → `20261121T090503Z` (UTC, to the second). */
export function backupStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** The inverse of {@link backupStamp}; `undefined` when the text is not a stamp. */
export function parseBackupStamp(stamp: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return backupStamp(date) === stamp ? date : undefined;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The key prefix of a source's backups on one UTC day: `<source>/<YYYY>/<MM>/<DD>/`. */
export function dayPrefix(source: string, at: Date): string {
  return `${source}/${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/`;
}

/** The common stem of a backup's artifact and manifest keys: `<source>/<YYYY>/<MM>/<DD>/<source>-<stamp>`. */
export function backupStem(source: string, startedAt: Date): string {
  return `${dayPrefix(source, startedAt)}${source}-${backupStamp(startedAt)}`;
}

/** The artifact's key; `extension` without the leading dot, such as `dump.zst`. */
export function artifactKey(source: string, startedAt: Date, extension: string): string {
  return `${backupStem(source, startedAt)}.${extension}`;
}

export const MANIFEST_SUFFIX = ".manifest.json";

/** The manifest's key for a backup started at `startedAt`. */
export function manifestKey(source: string, startedAt: Date): string {
  return `${backupStem(source, startedAt)}${MANIFEST_SUFFIX}`;
}

/**
 * The companions a backup's artifact set may hold next to its artifact, by role, with their
 * extensions: `roles`, the roles a PostgreSQL database references (`<stem>.roles.sql`).
 */
export const COMPANIONS = { roles: "roles.sql" } as const;
export type CompanionRole = keyof typeof COMPANIONS;

/** A companion's key, next to the artifact of the backup started at `startedAt`. */
export function companionKey(source: string, startedAt: Date, role: CompanionRole): string {
  return `${backupStem(source, startedAt)}.${COMPANIONS[role]}`;
}

/** A key of the layout, taken apart. */
export interface ParsedBackupKey {
  readonly source: string;
  readonly startedAt: Date;
  readonly stamp: string;
  /** The stem shared by the artifact and its manifest. */
  readonly stem: string;
  readonly isManifest: boolean;
  /** The artifact's extension (`dump.zst`); absent for a manifest. */
  readonly extension?: string;
  /** Set when the key is a companion's (`roles`) rather than the artifact's. */
  readonly companion?: CompanionRole;
  /** The tier its key carries, in a prefix-tiered vault; absent in a tag-tiered one. */
  readonly tier?: Tier;
}

const KEY = /^(?:(daily|weekly|monthly)\/)?([a-z0-9][a-z0-9-]{0,62})\/(\d{4})\/(\d{2})\/(\d{2})\/\2-(\d{8}T\d{6}Z)\.(.+)$/;

/** Takes a key of the layout apart (with or without a tier prefix); `undefined` for any other key. */
export function parseBackupKey(key: string): ParsedBackupKey | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, tier, source, year, month, day, stamp, rest] = m as unknown as [string, string | undefined, string, string, string, string, string, string];
  const startedAt = parseBackupStamp(stamp);
  if (!startedAt || dayPrefix(source, startedAt) !== `${source}/${year}/${month}/${day}/`) return undefined;
  const stem = `${tier ? tierPrefix(tier as Tier) : ""}${source}/${year}/${month}/${day}/${source}-${stamp}`;
  const isManifest = `.${rest}` === MANIFEST_SUFFIX;
  const companion = (Object.keys(COMPANIONS) as CompanionRole[]).find((role) => COMPANIONS[role] === rest);
  return { source, startedAt, stamp, stem, isManifest, ...(isManifest ? {} : { extension: rest }), ...(companion ? { companion } : {}), ...(tier ? { tier: tier as Tier } : {}) };
}

/** Monday 00:00 UTC of the ISO week containing `at`. */
function isoWeekStart(at: Date): number {
  const day = (at.getUTCDay() + 6) % 7; // Monday = 0
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - day);
}

/**
 * The tier of a backup started at `startedAt`, given when earlier complete backups of the same
 * source started: the first of a UTC month is `monthly`, else the first of an ISO week (Monday to
 * Sunday, UTC) is `weekly`, else `daily`. Later backups only ever look backwards, so a re-run never
 * changes an earlier backup's tier.
 */
export function tierFor(startedAt: Date, earlier: readonly Date[]): Tier {
  const before = earlier.filter((d) => d.getTime() < startedAt.getTime());
  const sameMonth = before.some((d) => d.getUTCFullYear() === startedAt.getUTCFullYear() && d.getUTCMonth() === startedAt.getUTCMonth());
  if (!sameMonth) return "monthly";
  const week = isoWeekStart(startedAt);
  return before.some((d) => isoWeekStart(d) === week) ? "daily" : "weekly";
}

/**
 * The folder where an `objects` source keeps its copied objects: `<source>/objects/`. Each object of
 * the source bucket is stored there once per version (content and ETag) and referenced by the
 * index (the artifact) of every backup that found it unchanged. These copies carry no tier tag: a
 * copy is shared by backups of every tier, so a tier rule must not expire it.
 */
export function objectCopiesPrefix(source: string): string {
  return `${source}/objects/`;
}

/** The key of one copied object, from a hex digest naming the source object's version. */
export function objectCopyKey(source: string, digest: string): string {
  return `${objectCopiesPrefix(source)}${digest.slice(0, 2)}/${digest}`;
}
