import { checkDays, Duration } from "./duration";
import type { Problems } from "./errors";
import type { CredentialsSource } from "./job-config";
import type { SourceKind } from "./vault-layout";

/**
 * A restore drill's settings for one source (`sources[].drill` of the job configuration): where the
 * drill restores, what it checks beyond row counts, and how often it runs.
 *
 * PostgreSQL drills restore into a new database `lifeboat_drill_<stamp>` on the source's own server
 * unless `scratch` names another; files drills into a new directory `lifeboat-drill-<source>-<stamp>`
 * under the machine's scratch space; Redis and object drills need a declared scratch target, because
 * a copy of production written next to production shares its memory (a cache that evicts would
 * evict production keys) or its bucket (the next backup would copy the drill's objects).
 */
export interface DrillSettings {
  /** Where the drill restores. @default - PostgreSQL: a new database on the source's server; files: a new directory under `restore.scratchDirectory` (else the machine's temporary directory); Redis and objects: none (required) */
  readonly scratch?: DrillScratch;
  /** PostgreSQL only: queries returning one number each, checked against bounds after the restore. @default - none */
  readonly smokeQueries?: readonly SmokeQuery[];
  /** How often the estate schedules the drill, as a duration such as `"30d"` or `"7d"`. @default "30d" (monthly) */
  readonly every?: string;
}

/** The scratch target of a drill; which fields apply depends on the source's kind. */
export interface DrillScratch {
  /** PostgreSQL or Redis: the scratch server's host. @default - the source's host (PostgreSQL), none (Redis: set `host` or `database`) */
  readonly host?: string;
  /** @default 5432 for PostgreSQL, 6379 for Redis */
  readonly port?: number;
  /** @default - the source's credentials when on the source's server, else none */
  readonly credentials?: CredentialsSource;
  /** PostgreSQL. @default as the source */
  readonly sslMode?: "disable" | "prefer" | "require" | "verify-full";
  /** Redis: the database index every key is restored into (it must be empty). @default - each key into its own database on the scratch server */
  readonly database?: number;
  /** Redis. @default false */
  readonly tls?: boolean;
  /** Objects: the scratch bucket (the source's endpoint and credentials). */
  readonly bucket?: string;
  /** Objects: the prefix under which each drill gets its own `<stamp>/`. @default "lifeboat-drill/" */
  readonly prefix?: string;
  /**
   * Files: the absolute path of the directory under which each drill creates (and removes) its own
   * `lifeboat-drill-<source>-<stamp>/`; it needs room for the whole restored tree.
   * @default - `restore.scratchDirectory`, else the machine's temporary directory
   */
  readonly directory?: string;
}

/** A smoke query: `SELECT count(*) FROM orders` with the bounds its one number must fall within. */
export interface SmokeQuery {
  /** A name for reports. @default - the SQL */
  readonly name?: string;
  /** SQL returning one row with one number. */
  readonly sql: string;
  /** @default - no lower bound */
  readonly min?: number;
  /** @default - no upper bound */
  readonly max?: number;
}

/** Drills run monthly unless a source says otherwise. */
export const DEFAULT_DRILL_EVERY = "30d";
/** The shortest drill interval in days: a drill restores a whole copy, so it is not a freshness check. */
export const MIN_DRILL_EVERY_DAYS = 1;
/** The longest: a drill older than a quarter proves little about today's data. */
export const MAX_DRILL_EVERY_DAYS = 92;
/** The prefix objects drills restore under, each drill in its own `<stamp>/`. */
export const DEFAULT_DRILL_OBJECTS_PREFIX = "lifeboat-drill/";

/** The name of the directory a files drill restores under (inside the scratch directory). */
export function drillDirectoryName(source: string, stamp: string): string {
  return `lifeboat-drill-${source}-${stamp.toLowerCase()}`;
}

/** The name of a PostgreSQL drill's scratch database: `lifeboat_drill_<stamp>` (lowercase). */
export function drillDatabaseName(stamp: string): string {
  return `lifeboat_drill_${stamp.toLowerCase()}`;
}

/** Minutes between scheduled drills of a source. */
export function drillEveryMinutes(settings: DrillSettings | undefined): number {
  return Duration.parse(settings?.every ?? DEFAULT_DRILL_EVERY, "drill.every").minutes;
}

/** Records every problem of one source's drill settings (`at` is `sources[i].drill`). */
export function checkDrillSettings(value: unknown, kind: SourceKind | undefined, at: string, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(at, value, "must be an object with `scratch`, `smokeQueries` and `every`, each optional.");
    return;
  }
  const d = value as Record<string, unknown>;
  for (const field of Object.keys(d)) if (!["scratch", "smokeQueries", "every"].includes(field)) problems.add(`${at}.${field}`, d[field], "is not a drill setting; the settings are scratch, smokeQueries and every.");
  if (d.every !== undefined) checkDays(d.every, `${at}.every`, problems, { min: MIN_DRILL_EVERY_DAYS, max: MAX_DRILL_EVERY_DAYS, why: 'a drill restores a whole copy, and one older than a quarter proves little about today\'s data; write "30d" for monthly' });
  checkScratch(d.scratch, kind, `${at}.scratch`, problems);
  if (d.smokeQueries !== undefined) {
    if (kind !== undefined && kind !== "postgres") problems.add(`${at}.smokeQueries`, d.smokeQueries, `apply to PostgreSQL sources only; this source is ${kind}. Remove them.`);
    else if (!Array.isArray(d.smokeQueries)) problems.add(`${at}.smokeQueries`, d.smokeQueries, 'must be a list such as [{ "sql": "SELECT count(*) FROM orders", "min": 1 }].');
    else d.smokeQueries.forEach((q: Record<string, unknown>, i: number) => checkSmokeQuery(q, `${at}.smokeQueries[${i}]`, problems));
  }
}

function checkSmokeQuery(q: Record<string, unknown> | undefined, at: string, problems: Problems): void {
  if (typeof q !== "object" || q === null) {
    problems.add(at, q, 'must be { "sql": "SELECT count(*) FROM orders", "min": 1, "max": 1000000 }.');
    return;
  }
  if (typeof q.sql !== "string" || !/^\s*(select|with|table|values)\b/i.test(q.sql)) problems.add(`${at}.sql`, q.sql, "must be a query (SELECT, WITH, TABLE or VALUES) returning one number; the drill never runs statements that change data.");
  if (q.name !== undefined && (typeof q.name !== "string" || q.name === "")) problems.add(`${at}.name`, q.name, "must be a non-empty name for reports.");
  for (const bound of ["min", "max"] as const) if (q[bound] !== undefined && (typeof q[bound] !== "number" || !Number.isFinite(q[bound]))) problems.add(`${at}.${bound}`, q[bound], "must be a number.");
  if (q.min === undefined && q.max === undefined) problems.add(at, q.sql ?? q, "needs `min`, `max` or both: a smoke query without bounds checks nothing.");
  if (typeof q.min === "number" && typeof q.max === "number" && q.min > q.max) problems.add(`${at}.min`, q.min, `must not exceed \`max\` (${q.max}). Swap them.`);
}

function checkScratch(value: unknown, kind: SourceKind | undefined, at: string, problems: Problems): void {
  if (value === undefined) {
    if (kind === "redis") problems.add(at, value, "is required for a Redis drill: set `database` (an empty database index on the source's server) or `host` (a scratch server). A copy restored next to production shares its memory.");
    if (kind === "objects") problems.add(at, value, 'is required for an objects drill: set `bucket` (and optionally `prefix`), a bucket the drill may write and delete in, such as { "bucket": "app-uploads-drill" }.');
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(at, value, "must be an object describing the scratch target.");
    return;
  }
  const s = value as Record<string, unknown>;
  const allowed: Record<SourceKind, string[]> = {
    postgres: ["host", "port", "credentials", "sslMode"],
    redis: ["host", "port", "credentials", "tls", "database"],
    objects: ["bucket", "prefix"],
    files: ["directory"],
  };
  if (kind !== undefined && allowed[kind]) {
    for (const field of Object.keys(s)) if (!allowed[kind].includes(field)) problems.add(`${at}.${field}`, s[field], `does not apply to a ${kind} drill; its scratch settings are ${allowed[kind].join(", ")}.`);
  }
  if (s.host !== undefined && (typeof s.host !== "string" || s.host === "")) problems.add(`${at}.host`, s.host, "must name the scratch server's host.");
  if (s.port !== undefined && (typeof s.port !== "number" || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) problems.add(`${at}.port`, s.port, "must be a whole number from 1 to 65535.");
  if (s.database !== undefined && (typeof s.database !== "number" || !Number.isInteger(s.database) || s.database < 0 || s.database > 15)) problems.add(`${at}.database`, s.database, "must be a Redis database index from 0 to 15.");
  if (kind === "redis" && s.host === undefined && s.database === undefined) problems.add(at, value, "must set `database` (an empty database index on the source's server) or `host` (a scratch server).");
  if (s.directory !== undefined && (typeof s.directory !== "string" || !s.directory.startsWith("/") || s.directory.split("/").includes(".."))) {
    problems.add(`${at}.directory`, s.directory, 'must be an absolute directory path without "..", such as "/var/tmp" or "/mnt/scratch".');
  }
  if (kind === "objects") {
    if (typeof s.bucket !== "string" || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s.bucket)) problems.add(`${at}.bucket`, s.bucket, "must name a bucket the drill may write and delete in (3 to 63 lowercase letters, digits, dots and hyphens).");
    if (s.prefix !== undefined && (typeof s.prefix !== "string" || s.prefix.startsWith("/"))) problems.add(`${at}.prefix`, s.prefix, 'must be a key prefix such as "lifeboat-drill/", without a leading slash.');
  }
}
