import type { BackupManifest, ManifestTable } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { createInterface } from "node:readline";
import type { IndexEntry } from "../objects/source";
import { checkFilesArchive } from "../files/extract";
import { CustomArchiveInspector, type ArchiveSummary } from "../postgres/custom-format";
import { RdbInspector, redisTables } from "../redis/inspector";
import { JobError } from "../support/errors";
import { ToolProcess, toolEnvironment } from "../support/process";
import { discard, SoftTee } from "../support/tee";

/** What reading a decoded artifact found. */
export interface DecodedContents {
  readonly tables?: readonly ManifestTable[];
  /** A short description of what was proven readable. */
  readonly detail: string;
  readonly index?: IndexEntry[];
}


/**
 * Reads a decompressed pg_dump archive two ways at once: `pg_restore --list` on the stream (the
 * table of contents PostgreSQL itself reads) and Lifeboat's archive reader over every byte (the data
 * blocks are whole and each table's rows are counted).
 */
export async function readPostgresArchive(decoded: Readable, pgRestore: string): Promise<DecodedContents> {
  const list = new ToolProcess("pg_restore --list", pgRestore, ["--list"], { env: toolEnvironment(), stdin: "pipe", stdout: "pipe", hint: "Install the PostgreSQL client or set `tools.pgRestore`." });
  list.stdin.on("error", () => undefined);
  let entries = 0;
  list.stdout.setEncoding("utf8");
  const lines = createInterface({ input: list.stdout });
  lines.on("line", (line) => {
    if (/^\d+;/.test(line)) entries++;
  });
  const inspector = new CustomArchiveInspector();
  const inspected = new Promise<ArchiveSummary>((resolve, reject) => pipeline(inspector, discard(), (error) => (error ? reject(error) : resolve(inspector.summary))));
  // pg_restore may fail first and end this function; the reader's own failure must not go unheard then.
  inspected.catch(() => undefined);
  const tee = new SoftTee([inspector, list.stdin]);
  await Promise.all([new Promise<void>((resolve, reject) => pipeline(decoded, tee, (e) => (e ? reject(e) : resolve()))), list.exited.catch(() => undefined)]);
  await list.exited;
  const summary = await inspected;
  if (entries === 0) throw new JobError("pg_restore --list read no table of contents entries.");
  if (summary.notInspected) return { detail: `pg_restore --list read ${entries} entries; contents not inspected: ${summary.notInspected}` };
  return { tables: summary.tables, detail: `pg_restore --list read ${entries} entries; ${summary.tables.length} tables' data blocks are whole` };
}

/** Reads a decompressed RDB file to its end, checksum included. */
export async function readRedisSnapshot(decoded: Readable): Promise<DecodedContents> {
  const inspector = new RdbInspector("The stored snapshot");
  await new Promise<void>((resolve, reject) => pipeline(decoded, inspector, discard(), (e) => (e ? reject(e) : resolve())));
  const s = inspector.summary;
  if (s.notInspected) return { detail: `the RDB file's contents were not inspected (${s.notInspected})${s.checksummed ? "; its CRC-64 matches" : ""}` };
  return { tables: redisTables(s), detail: `the ${s.magic} RDB file (version ${s.rdbVersion}) reads to its end${s.checksummed ? " and its CRC-64 matches" : ""}` };
}

/** Reads an objects backup's index. */
export async function readObjectsIndex(decoded: Readable): Promise<DecodedContents> {
  const index: IndexEntry[] = [];
  const lines = createInterface({ input: decoded, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === "") continue;
    let entry: IndexEntry;
    try {
      entry = JSON.parse(line) as IndexEntry;
    } catch {
      throw new JobError(`Line ${n} of the index is not JSON.`);
    }
    if (typeof entry.key !== "string" || typeof entry.copy !== "string" || !Number.isInteger(entry.size)) throw new JobError(`Line ${n} of the index is not an index entry.`);
    index.push(entry);
  }
  return { index, detail: `the index lists ${index.length} objects` };
}

/** Reads a files archive to its end, checking every entry against the manifest's list. */
export async function readFilesArchive(manifest: BackupManifest, decoded: Readable): Promise<DecodedContents> {
  if (!manifest.files) throw new JobError("The manifest of a files backup lists no files.");
  const found = await checkFilesArchive(decoded, manifest.files);
  return { detail: `the archive's ${found.entries} entries match the manifest's list, and all ${found.files} files (${found.bytes} bytes) their SHA-256` };
}

/** Reads decoded bytes as the manifest's format says. */
export function readDecoded(manifest: BackupManifest, decoded: Readable, pgRestore: string): Promise<DecodedContents> {
  switch (manifest.kind) {
    case "postgres":
      return readPostgresArchive(decoded, pgRestore);
    case "redis":
      return readRedisSnapshot(decoded);
    case "objects":
      return readObjectsIndex(decoded);
    case "files":
      return readFilesArchive(manifest, decoded);
  }
}

/** Differences between two table lists, for messages; empty when they agree. */
export function tableDifferences(expected: readonly ManifestTable[], found: readonly ManifestTable[]): string[] {
  const key = (t: ManifestTable) => `${t.schema}.${t.name}`;
  const byKey = new Map(found.map((t) => [key(t), t.rows]));
  const out: string[] = [];
  for (const t of expected) {
    const rows = byKey.get(key(t));
    if (rows === undefined) out.push(`${key(t)} is missing`);
    else if (rows !== t.rows) out.push(`${key(t)} has ${rows} rows, the manifest says ${t.rows}`);
    byKey.delete(key(t));
  }
  for (const k of byKey.keys()) out.push(`${k} is not in the manifest`);
  return out;
}

