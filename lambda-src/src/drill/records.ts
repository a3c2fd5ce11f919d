import { GetObjectCommand } from "@aws-sdk/client-s3";
import { drillRecordProblems, drillRecordsPrefix, parseDrillRecordKey, type BackupManifest, type DrillRecord } from "@lifeboat/constructs/core";
import { findSources, type JobContext } from "../context";
import { listObjects, newestBackup } from "../s3/catalog";

/** Records read from the newest back, at most: a source whose last 20 drills failed is told so by age alone. */
const MAX_RECORDS_READ = 20;

/** A source's drill records as read from the vault: the newest (and whether it parsed), the newest success, and the first key's time. */
export interface DrillHistory {
  /** The newest record's time and content (`undefined` content: it does not parse). @default - none (never drilled) */
  readonly newest?: { readonly at: Date; readonly record?: DrillRecord };
  /** The newest successful record among the newest {@link MAX_RECORDS_READ}. @default - none */
  readonly lastSucceeded?: DrillRecord;
  /** When the oldest drill record was written. @default - none (never drilled) */
  readonly firstAt?: Date;
}

/** Lists `drills/<source>/` and reads records from the newest back until one succeeded (at most {@link MAX_RECORDS_READ}). */
export async function drillHistory(job: JobContext, source: string): Promise<DrillHistory> {
  const keys: { key: string; at: Date }[] = [];
  for await (const o of listObjects(job.vault, job.config.vault.bucket, drillRecordsPrefix(source))) {
    const parsed = parseDrillRecordKey(o.key);
    if (parsed?.source === source) keys.push({ key: o.key, at: parsed.startedAt });
  }
  if (keys.length === 0) return {};
  keys.sort((a, b) => a.at.getTime() - b.at.getTime());
  let newest: DrillHistory["newest"];
  for (const { key, at } of keys.slice(-MAX_RECORDS_READ).reverse()) {
    const record = await readDrillRecord(job, key);
    newest ??= { at, ...(record ? { record } : {}) };
    if (record?.outcome === "succeeded") return { newest, lastSucceeded: record, firstAt: keys[0]!.at };
  }
  return { ...(newest ? { newest } : {}), firstAt: keys[0]!.at };
}

/**
 * Minutes since the newest successful drill of `source`, or since its first drill while none has
 * succeeded (among the newest {@link MAX_RECORDS_READ}); `undefined` when it has never been drilled.
 * Records that do not parse are skipped: a drill record proves nothing unless it reads.
 */
export async function drillAgeMinutes(job: JobContext, source: string): Promise<number | undefined> {
  const history = await drillHistory(job, source);
  const since = history.lastSucceeded ? new Date(history.lastSucceeded.startedAt) : history.firstAt;
  return since ? Math.max(0, Math.round((job.now().getTime() - since.getTime()) / 60_000)) : undefined;
}

/** One drill record, or `undefined` when it does not parse as one. */
export async function readDrillRecord(job: JobContext, key: string): Promise<DrillRecord | undefined> {
  const got = await job.vault.send(new GetObjectCommand({ Bucket: job.config.vault.bucket, Key: key }));
  try {
    const value = JSON.parse(await got.Body!.transformToString("utf8")) as unknown;
    return drillRecordProblems(value).length === 0 ? (value as DrillRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** What an estate's `records` argument takes: the records that give the posture measured restore times and place jobs. */
export interface EstateRecords {
  readonly drills: DrillRecord[];
  readonly backups: BackupManifest[];
}

/**
 * Per source (every configured one, or `names`): the newest drill record, the newest successful one
 * when that is another, and the manifest of the newest complete backup. Printed by `lifeboat records`
 * for a program to pass as `DisasterRecoveryEstate`'s `records`.
 */
export async function estateRecords(job: JobContext, names: readonly string[] = []): Promise<EstateRecords> {
  const sources = names.length ? findSources(job.config, names) : job.config.sources;
  const drills: DrillRecord[] = [];
  const backups: BackupManifest[] = [];
  for (const source of sources) {
    const history = await drillHistory(job, source.name);
    if (history.newest?.record) drills.push(history.newest.record);
    if (history.lastSucceeded && history.lastSucceeded !== history.newest?.record) drills.push(history.lastSucceeded);
    const { newest } = await newestBackup(job.vault, job.config.vault.bucket, source.name, job.config.vault.tiers);
    if (newest) backups.push(newest.manifest);
  }
  return { drills, backups };
}
