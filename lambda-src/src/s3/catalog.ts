import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from "@aws-sdk/client-s3";
import { manifestProblems, parseBackupKey, sourcePrefixes, type BackupManifest, type TierPlacement } from "@lifeboat/constructs/core";
import { describeError, JobError } from "../support/errors";

/** An object in a listing. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly lastModified?: Date;
}

/** Lists every object under `prefix`, page by page. */
export async function* listObjects(client: S3Client, bucket: string, prefix: string): AsyncGenerator<StoredObject> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
    for (const o of page.Contents ?? []) yield toStored(o);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function toStored(o: _Object): StoredObject {
  return { key: o.Key!, size: o.Size ?? 0, ...(o.ETag ? { etag: o.ETag } : {}), ...(o.LastModified ? { lastModified: o.LastModified } : {}) };
}

/** One backup of the layout: its artifact, its manifest, or both. */
export interface BackupEntry {
  readonly source: string;
  readonly stem: string;
  readonly startedAt: Date;
  readonly artifact?: StoredObject;
  readonly manifestObject?: StoredObject;
  /** Companions stored next to the artifact (the roles of a PostgreSQL backup). */
  readonly companions?: readonly StoredObject[];
}

/** Every backup of `source` in the vault (listing only, no reads), oldest first. */
export async function listBackups(client: S3Client, bucket: string, source: string, prefix = `${source}/`): Promise<BackupEntry[]> {
  const byStem = new Map<string, { startedAt: Date; artifact?: StoredObject; manifestObject?: StoredObject; companions?: StoredObject[] }>();
  try {
    for await (const object of listObjects(client, bucket, prefix)) {
      const parsed = parseBackupKey(object.key);
      if (!parsed || parsed.source !== source) continue;
      const entry = byStem.get(parsed.stem) ?? { startedAt: parsed.startedAt };
      if (parsed.isManifest) entry.manifestObject = object;
      else if (parsed.companion) (entry.companions ??= []).push(object);
      else entry.artifact = object;
      byStem.set(parsed.stem, entry);
    }
  } catch (error) {
    throw new JobError(`Listing s3://${bucket}/${prefix} failed: ${describeError(error)}.`, { cause: error });
  }
  return [...byStem.entries()]
    .map(([stem, e]) => ({ source, stem, ...e }))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** Reads a small object whole (a manifest, an index line count). */
export async function readSmallObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** A manifest read from the vault, or why it cannot be trusted. */
export type ManifestRead = { readonly manifest: BackupManifest; readonly problems: readonly [] } | { readonly manifest?: undefined; readonly problems: readonly string[] };

/** Reads and checks the manifest at `key`. */
export async function readManifest(client: S3Client, bucket: string, key: string): Promise<ManifestRead> {
  let value: unknown;
  try {
    value = JSON.parse((await readSmallObject(client, bucket, key)).toString("utf8"));
  } catch (error) {
    return { problems: [`the manifest could not be read as JSON: ${describeError(error)}`] };
  }
  const problems = manifestProblems(value);
  return problems.length === 0 ? { manifest: value as BackupManifest, problems: [] } : { problems };
}

/** A complete backup: a valid manifest whose artifact is in the vault. */
export interface CompleteBackup {
  readonly entry: BackupEntry;
  readonly manifest: BackupManifest;
  readonly artifact: StoredObject;
}

/** What a vault holds for a source, sorted: complete backups (oldest first) and everything else. */
export interface SourceCatalog {
  readonly complete: CompleteBackup[];
  /** Artifacts without a manifest, manifests without an artifact, manifests that cannot be trusted. */
  readonly incomplete: { readonly entry: BackupEntry; readonly reason: string }[];
}

/**
 * Lists a source's backups and reads their manifests (a reader's view: needs GetObject). In a vault
 * that carries tiers in keys (`placement` "prefix", Spaces), the backups are under each tier's prefix.
 */
export async function catalogSource(client: S3Client, bucket: string, source: string, placement: TierPlacement = "tag"): Promise<SourceCatalog> {
  const entries = await listSourceEntries(client, bucket, source, placement);
  const complete: CompleteBackup[] = [];
  const incomplete: SourceCatalog["incomplete"] = [];
  for (const entry of entries) {
    const judged = await judgeEntry(client, bucket, entry);
    if ("reason" in judged) incomplete.push(judged);
    else complete.push(judged);
  }
  return { complete, incomplete };
}

/** A backup newer than the newest complete one: unfinished, or finished but broken (`broken`: its manifest was written, so its run is over). */
export type NewerIncomplete = SourceCatalog["incomplete"][number] & { readonly broken?: true };

/**
 * A source's newest complete backup and the incomplete entries newer than it, reading manifests from
 * the newest down and stopping at the first complete one: one listing and a few reads, however long
 * the history (the health endpoint asks this every minute). A backup whose stored artifact differs in
 * size from its manifest is broken, not newest: it is listed with the incomplete ones.
 */
export async function newestBackup(client: S3Client, bucket: string, source: string, placement: TierPlacement = "tag"): Promise<{ newest?: CompleteBackup; newerIncomplete: NewerIncomplete[] }> {
  const entries = (await listSourceEntries(client, bucket, source, placement)).reverse();
  const newerIncomplete: NewerIncomplete[] = [];
  for (const entry of entries) {
    const judged = await judgeEntry(client, bucket, entry);
    const broken = "reason" in judged ? undefined : sizeMismatch(judged);
    if (!("reason" in judged) && broken === undefined) return { newest: judged, newerIncomplete };
    newerIncomplete.push("reason" in judged ? judged : { entry, reason: `artifact ${judged.artifact.key} is broken: ${broken}`, broken: true });
  }
  return { newerIncomplete };
}

/** Every listed entry of a source, under each tier's prefix where tiers are in keys, oldest first. */
async function listSourceEntries(client: S3Client, bucket: string, source: string, placement: TierPlacement): Promise<BackupEntry[]> {
  return (await Promise.all(sourcePrefixes(source, placement).map((prefix) => listBackups(client, bucket, source, prefix)))).flat().sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** A listed entry as a complete backup, or why it is not one. */
async function judgeEntry(client: S3Client, bucket: string, entry: BackupEntry): Promise<CompleteBackup | { readonly entry: BackupEntry; readonly reason: string }> {
  if (!entry.manifestObject) {
    const key = entry.artifact?.key ?? entry.companions![0]!.key;
    return { entry, reason: `${entry.artifact ? "artifact" : "companion"} ${key} has no manifest: the backup never finished, so it is not a backup` };
  }
  const read = await readManifest(client, bucket, entry.manifestObject.key);
  if (!read.manifest) return { entry, reason: `manifest ${entry.manifestObject.key} cannot be trusted: ${read.problems.join("; ")}` };
  if (!entry.artifact) return { entry, reason: `manifest ${entry.manifestObject.key} names ${read.manifest.artifactKey}, which is not in the vault` };
  if (read.manifest.artifactKey !== entry.artifact.key) return { entry, reason: `manifest ${entry.manifestObject.key} names ${read.manifest.artifactKey}, but the artifact stored is ${entry.artifact.key}` };
  const companion = companionProblem(read.manifest, entry);
  if (companion) return { entry, reason: `manifest ${entry.manifestObject.key}: ${companion}` };
  return { entry, manifest: read.manifest, artifact: entry.artifact };
}

/**
 * Why a complete backup's artifact is broken, if its stored size differs from its manifest's: the
 * bytes cannot be the ones the manifest's SHA-256 was taken of (verify fails it, restore refuses it).
 */
export function sizeMismatch(backup: CompleteBackup): string | undefined {
  if (backup.artifact.size === backup.manifest.sizeBytes) return undefined;
  return `stored size is ${backup.artifact.size} bytes, the manifest says ${backup.manifest.sizeBytes}`;
}

/** Why the companions stored for a backup are not the ones its manifest lists, if they are not. */
function companionProblem(manifest: BackupManifest, entry: BackupEntry): string | undefined {
  for (const companion of manifest.companions ?? []) {
    const stored = entry.companions?.find((o) => o.key === companion.key);
    if (!stored) return `its ${companion.role} companion ${companion.key} is not in the vault`;
    if (stored.size !== companion.sizeBytes) return `its ${companion.role} companion ${companion.key} is ${stored.size} bytes, the manifest says ${companion.sizeBytes}`;
  }
  return undefined;
}
