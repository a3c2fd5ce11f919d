import type { ManifestFile, ManifestFiles } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { chmod, lutimes, mkdir, open, readdir, rename, rm, rmdir, stat, symlink, utimes } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pipeline, type Readable } from "node:stream";
import { extract as tarExtract } from "tar-stream";
import { JobError } from "../support/errors";

/** What reading (and perhaps writing) a files archive found. */
export interface FilesArchiveCheck {
  readonly entries: number;
  readonly files: number;
  readonly bytes: number;
}

const short = (list: readonly string[]) => `${list.slice(0, 10).join("; ")}${list.length > 10 ? `; and ${list.length - 10} more` : ""}`;

/** Refuses names that would land outside the directory they are restored into. */
function safeName(name: string): string {
  const path = name.replace(/\/+$/, "");
  if (path === "" || isAbsolute(path) || path.split("/").some((part) => part === ".." || part === "")) throw new JobError(`The archive holds an entry named ${JSON.stringify(name)}, which would land outside the target directory.`);
  return path;
}

/**
 * Reads a files archive entry by entry and checks it against the manifest's list: every entry is
 * listed with the same type (and link target), every file's content has the listed size and
 * SHA-256, and nothing listed is missing. `write`, when given, receives each entry and its content
 * as it is read; the content is checked while it flows, so a writer sees a mismatch as an error
 * before the entry is finished.
 */
export async function checkFilesArchive(
  decoded: Readable,
  listed: ManifestFiles,
  write?: (entry: ManifestFile, content: AsyncIterable<Buffer> | undefined) => Promise<void>,
): Promise<FilesArchiveCheck> {
  const expected = new Map(listed.entries.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const problems: string[] = [];
  const extract = tarExtract();
  const fed = new Promise<void>((resolvePipe, reject) => pipeline(decoded, extract, (e) => (e ? reject(e) : resolvePipe())));
  fed.catch(() => undefined);
  let files = 0;
  let bytes = 0;
  for await (const entry of extract) {
    const header = entry.header;
    const path = safeName(header.name);
    const listedEntry = expected.get(path);
    const type = header.type === "file" ? "file" : header.type === "directory" ? "directory" : header.type === "symlink" ? "symlink" : header.type;
    if (!listedEntry) problems.push(`${path} is in the archive but not in the manifest`);
    else if (listedEntry.type !== type) problems.push(`${path} is a ${type} in the archive, a ${listedEntry.type} in the manifest`);
    else if (type === "symlink" && listedEntry.target !== header.linkname) problems.push(`${path} points to ${header.linkname} in the archive, to ${listedEntry.target} in the manifest`);
    seen.add(path);
    if (type === "file" && listedEntry?.type === "file") {
      const hash = createHash("sha256");
      let size = 0;
      const checked = async function* (): AsyncGenerator<Buffer> {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
        const sha256 = hash.digest("hex");
        if (size !== listedEntry.size || sha256 !== listedEntry.sha256) throw new JobError(`${path} in the archive has ${size} bytes with SHA-256 ${sha256}; the manifest says ${listedEntry.size} bytes with ${listedEntry.sha256}.`);
      };
      if (write) await write(listedEntry, checked());
      else for await (const _ of checked()) void _;
      files++;
      bytes += size;
    } else {
      entry.resume();
      if (write && listedEntry && !problems.length) await write(listedEntry, undefined);
    }
    if (problems.length && write) break;
  }
  await fed;
  for (const path of expected.keys()) if (!seen.has(path)) problems.push(`${path} is in the manifest but not in the archive`);
  if (problems.length) throw new JobError(`The archive does not match its manifest: ${short(problems)}.`);
  return { entries: seen.size, files, bytes };
}

/** Whether `dir` is missing or an empty directory; throws when it is anything else. */
async function checkEmptyTarget(dir: string): Promise<boolean> {
  let exists = true;
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new JobError(`The target ${dir} exists and is not a directory.`, { hint: "Restore into a new or empty directory." });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    exists = false;
  }
  if (exists && (await readdir(dir)).length > 0) throw new JobError(`The target directory ${dir} is not empty.`, { hint: "Restore into a new or empty directory; Lifeboat never mixes a backup into existing files." });
  return exists;
}

/** Checks, before anything is read, that `--target` is a directory a files backup can be restored into. */
export async function prepareFilesTarget(target: string): Promise<string> {
  const dir = resolve(target.startsWith("file://") ? new URL(target).pathname : target);
  await checkEmptyTarget(dir);
  return dir;
}

/**
 * Restores a files archive into the empty (or missing) directory `target`: entries are written into
 * a staging directory beside it, every file's SHA-256 checked against the manifest as it is
 * written, modes and modification times set (directories' last, deepest first), and only when
 * every entry matched and `decoded` ended cleanly (restore ends it only once the artifact's SHA-256
 * matched again) is the staging directory renamed into place. On any failure the staging directory
 * is removed and the target is left as it was.
 */
export async function extractFilesArchive(decoded: Readable, listed: ManifestFiles, target: string): Promise<FilesArchiveCheck> {
  const existed = await checkEmptyTarget(target);
  const staging = `${target}.lifeboat-restore-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: false, mode: 0o700 }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    await mkdir(dirname(staging), { recursive: true });
    await mkdir(staging, { mode: 0o700 });
  });
  const links = new Set<string>();
  const directories: ManifestFile[] = [];
  try {
    const result = await checkFilesArchive(decoded, listed, async (entry, content) => {
      // A link restored earlier must not redirect a later entry outside the target.
      const parts = entry.path.split("/");
      for (let i = 1; i < parts.length; i++) if (links.has(parts.slice(0, i).join("/"))) throw new JobError(`The archive's entry ${entry.path} lies under the symlink ${parts.slice(0, i).join("/")}.`);
      const at = join(staging, entry.path);
      if (entry.type === "directory") {
        await mkdir(at, { recursive: true });
        directories.push(entry);
      } else if (entry.type === "symlink") {
        await mkdir(dirname(at), { recursive: true });
        await symlink(entry.target!, at);
        links.add(entry.path);
        await lutimes(at, new Date(entry.mtime), new Date(entry.mtime)).catch(() => undefined);
      } else {
        await mkdir(dirname(at), { recursive: true });
        const handle = await open(at, "wx", 0o600);
        try {
          for await (const chunk of content!) await handle.write(chunk);
        } finally {
          await handle.close();
        }
        await chmod(at, entry.mode);
        await utimes(at, new Date(entry.mtime), new Date(entry.mtime));
      }
    });
    for (const d of directories.sort((a, b) => b.path.split("/").length - a.path.split("/").length)) {
      const at = join(staging, d.path);
      await chmod(at, d.mode);
      await utimes(at, new Date(d.mtime), new Date(d.mtime));
    }
    if (existed) await rmdir(target);
    await rename(staging, target);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
