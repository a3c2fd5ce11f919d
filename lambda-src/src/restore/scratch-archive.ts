import type { BackupManifest } from "@lifeboat/constructs/core";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CustomArchiveInspector } from "../postgres/custom-format";
import { describeError, JobError } from "../support/errors";
import { DigestStream } from "../support/streams";

/** What {@link checkScratchArchive} found and did. */
export interface ScratchArchive {
  /** Table of contents entries given the position of their data (0 when the archive already had them, or was not inspected). */
  readonly offsetsWritten: number;
}

/**
 * Reads the archive a restore wrote to scratch space back from the disk, before the target is
 * touched: it must be as long as the manifest says, have the SHA-256 it records (`contentSha256`, when
 * the backup recorded one), be a complete custom-format archive, and hold data for exactly the tables
 * the manifest lists. Then writes the position of every entry's data into the
 * table of contents (what pg_dump writes when its output can seek; a dump streamed to the vault has
 * none), so `pg_restore -j` workers seek to their table's data instead of scanning the archive for it.
 * Throws a {@link JobError} naming what is wrong; changes nothing in the file then.
 */
export async function checkScratchArchive(file: string, manifest: BackupManifest): Promise<ScratchArchive> {
  const key = manifest.artifactKey;
  const refuse = (what: string) =>
    new JobError(`The archive of ${key} written to scratch space (${file}) ${what}. The target was not touched.`, { hint: "Check the scratch directory's disk (restore.scratchDirectory), or restore with restore.parallelJobs 1 to stream instead." });
  const size = (await stat(file)).size;
  if (manifest.contentBytes !== undefined && size !== manifest.contentBytes) throw refuse(`is ${size} bytes, but the manifest says the archive is ${manifest.contentBytes}`);
  // Rows are not counted again: the archive's SHA-256 (backups since it is recorded), else the stored
  // bytes' SHA-256 and zstd's frame checksums, tie it to the one the backup counted.
  const inspector = new CustomArchiveInspector({ countRows: false });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const digest = new DigestStream();
  await pipeline(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }), digest, inspector, sink).catch((error: unknown) => {
    throw refuse(`does not read back as a complete archive: ${describeError(error)}`);
  });
  if (manifest.contentSha256 !== undefined && digest.sha256 !== manifest.contentSha256) throw refuse(`has SHA-256 ${digest.sha256}, but the manifest says the archive has ${manifest.contentSha256}`);
  const summary = inspector.summary;
  if (summary.notInspected) return { offsetsWritten: 0 };
  if (manifest.tables && !manifest.contentsNotInspected) {
    const name = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
    const held = new Set(summary.tables.map(name));
    const absent = manifest.tables.map(name).filter((t) => !held.has(t));
    const extra = [...held].filter((t) => !manifest.tables!.some((m) => name(m) === t));
    if (absent.length > 0 || extra.length > 0) {
      throw refuse(`does not hold the tables the backup stored: ${[absent.length ? `no data for ${absent.slice(0, 5).join(", ")}` : "", extra.length ? `data for ${extra.slice(0, 5).join(", ")}, which the manifest does not list` : ""].filter(Boolean).join("; ")}`);
    }
  }
  const patches = inspector.offsetPatches;
  if (patches.length === 0) return { offsetsWritten: 0 };
  const handle = await open(file, "r+");
  try {
    for (const patch of patches) await handle.write(patch.bytes, 0, patch.bytes.length, patch.at);
  } finally {
    await handle.close();
  }
  return { offsetsWritten: patches.length };
}
