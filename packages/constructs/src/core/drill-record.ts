import { Problems } from "./errors";
import { backupStamp, parseBackupStamp, SOURCE_KINDS, type SourceKind } from "./vault-layout";

/** The drill record's schema version; a reader refuses versions it does not know. */
export const DRILL_RECORD_SCHEMA_VERSION = 1;

/** The vault prefix under which drill records live: `drills/<source>/<stamp>.json`. */
export const DRILLS_PREFIX = "drills/";

/** One check a drill made after restoring. */
export interface DrillCheck {
  /** `restore` (the backup went in), `row-counts` (tables or keys against the manifest), `files` (every restored file's SHA-256 against the manifest), `smoke` (a configured query), `cleanup` (the scratch target is gone). */
  readonly check: "restore" | "row-counts" | "files" | "smoke" | "cleanup";
  /** The smoke query's name. @default - none (other checks) */
  readonly name?: string;
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
}

/**
 * The record of one restore drill, written to `drills/<source>/<stamp>.json` in the vault whatever
 * the outcome. The posture reads the newest per source: a measured restore time beats an estimate.
 */
export interface DrillRecord {
  readonly schemaVersion: typeof DRILL_RECORD_SCHEMA_VERSION;
  readonly source: string;
  readonly kind: SourceKind;
  /** ISO 8601 UTC: when the drill started and ended (cleanup included). */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: "succeeded" | "failed";
  /** The backup restored. @default - none (no complete backup was found) */
  readonly backup?: { readonly artifactKey: string; readonly startedAt: string; readonly sizeBytes: number; readonly sha256: string; readonly tier: string };
  /** The scratch target, as a URL without credentials. */
  readonly scratch: string;
  /** Wall time of the restore into the scratch target (checksum pass included). @default - none (the restore did not finish) */
  readonly restoreSeconds?: number;
  /** Minutes between the backup's point in time and the drill's start: what a restore now would lose. @default - none (no backup) */
  readonly dataLossMinutes?: number;
  /** Bytes per second the restore achieved (stored size over restore time). @default - none */
  readonly restoreBytesPerSecond?: number;
  readonly checks: readonly DrillCheck[];
  /** Why the drill failed, for people. @default - none (it succeeded) */
  readonly error?: string;
}

/** The key of a drill record: `drills/<source>/<YYYYMMDDTHHMMSSZ>.json`. */
export function drillRecordKey(source: string, startedAt: Date): string {
  return `${DRILLS_PREFIX}${source}/${backupStamp(startedAt)}.json`;
}

/** The prefix listing one source's drill records. */
export function drillRecordsPrefix(source: string): string {
  return `${DRILLS_PREFIX}${source}/`;
}

/** The source and time of a drill record's key; `undefined` for any other key. */
export function parseDrillRecordKey(key: string): { source: string; startedAt: Date } | undefined {
  const m = /^drills\/([a-z0-9][a-z0-9-]{0,62})\/(\d{8}T\d{6}Z)\.json$/.exec(key);
  const at = m ? parseBackupStamp(m[2]!) : undefined;
  return m && at ? { source: m[1]!, startedAt: at } : undefined;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Every way `value` (parsed JSON) is not a drill record this version understands; empty when it is one. */
export function drillRecordProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["the drill record is not a JSON object"];
  const problems = new Problems();
  const r = value as Record<string, unknown>;
  if (r.schemaVersion !== DRILL_RECORD_SCHEMA_VERSION) problems.add("schemaVersion", r.schemaVersion, `must be ${DRILL_RECORD_SCHEMA_VERSION}; this reader does not know other versions.`);
  if (typeof r.source !== "string") problems.add("source", r.source, "must be the source's name.");
  if (!SOURCE_KINDS.includes(r.kind as SourceKind)) problems.add("kind", r.kind, `must be one of ${SOURCE_KINDS.join(", ")}.`);
  for (const field of ["startedAt", "finishedAt"] as const) if (typeof r[field] !== "string" || !ISO.test(r[field] as string)) problems.add(field, r[field], "must be an ISO 8601 UTC time.");
  if (r.outcome !== "succeeded" && r.outcome !== "failed") problems.add("outcome", r.outcome, 'must be "succeeded" or "failed".');
  if (typeof r.scratch !== "string") problems.add("scratch", r.scratch, "must describe the scratch target.");
  for (const field of ["restoreSeconds", "dataLossMinutes", "restoreBytesPerSecond"] as const) {
    if (r[field] !== undefined && (typeof r[field] !== "number" || !Number.isFinite(r[field]) || (r[field] as number) < 0)) problems.add(field, r[field], "must be a number, 0 or more.");
  }
  if (r.outcome === "succeeded" && (r.restoreSeconds === undefined || r.backup === undefined)) problems.add("restoreSeconds", r.restoreSeconds, "must be set, with `backup`, when the drill succeeded.");
  if (!Array.isArray(r.checks)) problems.add("checks", r.checks, "must be a list.");
  else r.checks.forEach((c: any, i: number) => {
    if (!["restore", "row-counts", "files", "smoke", "cleanup"].includes(c?.check) || !["pass", "fail", "skip"].includes(c?.status) || typeof c?.detail !== "string") problems.add(`checks[${i}]`, c, "must be { check, status, detail }.");
  });
  return problems.all.map((p) => `\`${p.argument}\` (${p.value}) ${p.message}`);
}

/** A drill record as a source's posture shows it. */
export interface MeasuredRecovery {
  /** When the newest drill ran. */
  readonly drilledAt: string;
  readonly outcome: DrillRecord["outcome"];
  /** Minutes of the newest drill's restore. @default - none (it failed before the restore finished) */
  readonly restoreMinutes?: number;
  /** @default - none */
  readonly dataLossMinutes?: number;
  /** The newest drill that succeeded, when the newest one failed. @default - none */
  readonly lastSucceededAt?: string;
  /** Its restore time in minutes. @default - none */
  readonly lastSucceededRestoreMinutes?: number;
}

const minutes = (seconds: number) => Math.round((seconds / 60) * 10) / 10;

/**
 * The newest drill record per source, from records in any order; the newest successful one is kept
 * beside a newer failure so the posture can say both.
 */
export function newestDrills(records: readonly DrillRecord[]): Map<string, MeasuredRecovery> {
  const bySource = new Map<string, DrillRecord[]>();
  for (const r of records) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
  const result = new Map<string, MeasuredRecovery>();
  for (const [source, list] of bySource) {
    const sorted = [...list].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
    const newest = sorted[0]!;
    const succeeded = sorted.find((r) => r.outcome === "succeeded");
    result.set(source, {
      drilledAt: newest.startedAt,
      outcome: newest.outcome,
      ...(newest.restoreSeconds !== undefined ? { restoreMinutes: minutes(newest.restoreSeconds) } : {}),
      ...(newest.dataLossMinutes !== undefined ? { dataLossMinutes: newest.dataLossMinutes } : {}),
      ...(newest.outcome === "failed" && succeeded ? { lastSucceededAt: succeeded.startedAt, lastSucceededRestoreMinutes: minutes(succeeded.restoreSeconds!) } : {}),
    });
  }
  return result;
}
