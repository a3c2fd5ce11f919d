import type { ManifestFile, ManifestFiles } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";
import { pack as tarPack, type Pack } from "tar-stream";
import { JobError } from "../support/errors";

/** A matcher for the source's `exclude` patterns, against paths relative to the source's root. */
export function excludeMatcher(patterns: readonly string[]): (relative: string) => boolean {
  if (patterns.length === 0) return () => false;
  // A pattern without a slash names an entry at any depth, as .gitignore does.
  return picomatch(
    patterns.map((p) => (p.includes("/") ? p.replace(/\/$/, "") : `**/${p}`)),
    { dot: true },
  );
}

interface Found {
  readonly path: string;
  readonly absolute: string;
  readonly type: ManifestFile["type"];
}

/** Every directory, file and symlink under `root`, parents before children, names sorted. */
async function walk(root: string, excluded: (relative: string) => boolean, skipped: string[]): Promise<Found[]> {
  const out: Found[] = [];
  const visit = async (relative: string) => {
    const names = (await readdir(relative ? join(root, relative) : root)).sort();
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      if (excluded(path)) continue;
      const absolute = join(root, path);
      let stat;
      try {
        stat = await lstat(absolute);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      if (stat.isDirectory()) {
        out.push({ path, absolute, type: "directory" });
        await visit(path);
      } else if (stat.isFile()) out.push({ path, absolute, type: "file" });
      else if (stat.isSymbolicLink()) out.push({ path, absolute, type: "symlink" });
      else skipped.push(path);
    }
  };
  await visit("");
  return out;
}

const toSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** Writes `bytes` into a tar entry, waiting when it is full. */
function writeEntry(entry: NodeJS.WritableStream, bytes: Buffer): Promise<void> {
  return entry.write(bytes) ? Promise.resolve() : new Promise((resolve) => entry.once("drain", () => resolve()));
}

/**
 * Streams the directory `root` as a tar archive (read by a kept library, `tar-stream`: ustar with
 * PAX headers for long names), leaving out what `exclude` matches. Each file's SHA-256 is computed
 * from the very bytes written into the archive. A file that changes while it is read (size or
 * mtime differ after) or vanishes is reported in `changedDuringBackup`; a file that shrank is
 * padded with zeros to the size its header promised, and its checksum is of what was stored.
 */
export function packDirectory(root: string, exclude: readonly string[]): { stream: Pack; result: Promise<ManifestFiles & { skipped: string[] }> } {
  const pack = tarPack();
  const run = async () => {
    const rootStat = await lstat(root).catch((error: NodeJS.ErrnoException) => {
      throw new JobError(`The files source's path ${root} cannot be read: ${error.code ?? error.message}.`, { hint: "Check `path` and that the job may read it." });
    });
    if (!rootStat.isDirectory()) throw new JobError(`The files source's path ${root} is not a directory.`);
    const skipped: string[] = [];
    const changed: string[] = [];
    const entries: ManifestFile[] = [];
    let bytes = 0;
    for (const found of await walk(root, excludeMatcher(exclude), skipped)) {
      let stat;
      try {
        stat = await lstat(found.absolute);
      } catch {
        changed.push(found.path);
        continue;
      }
      const mode = stat.mode & 0o7777;
      const mtime = toSeconds(stat.mtime);
      if (found.type === "directory" && stat.isDirectory()) {
        await new Promise<void>((resolve, reject) => pack.entry({ name: found.path, type: "directory", mode, mtime }, (e) => (e ? reject(e) : resolve())));
        entries.push({ path: found.path, type: "directory", mode, mtime: mtime.toISOString() });
      } else if (found.type === "symlink" && stat.isSymbolicLink()) {
        const target = await readlink(found.absolute);
        await new Promise<void>((resolve, reject) => pack.entry({ name: found.path, type: "symlink", linkname: target, mode, mtime }, (e) => (e ? reject(e) : resolve())));
        entries.push({ path: found.path, type: "symlink", mode, mtime: mtime.toISOString(), target });
      } else if (found.type === "file" && stat.isFile()) {
        const handle = await open(found.absolute, "r").catch(() => undefined);
        if (!handle) {
          changed.push(found.path);
          continue;
        }
        try {
          const size = stat.size;
          const hash = createHash("sha256");
          let finished!: Promise<void>;
          const entry = pack.entry({ name: found.path, type: "file", size, mode, mtime }, () => undefined);
          finished = new Promise<void>((resolve, reject) => {
            entry.once("finish", () => resolve());
            entry.once("close", () => resolve());
            entry.once("error", reject);
          });
          const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(size, 1)));
          let done = 0;
          let shrank = false;
          while (done < size) {
            const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - done), done);
            let chunk: Buffer;
            if (bytesRead === 0) {
              shrank = true;
              chunk = Buffer.alloc(Math.min(buffer.length, size - done));
            } else chunk = Buffer.from(buffer.subarray(0, bytesRead));
            hash.update(chunk);
            await writeEntry(entry as unknown as NodeJS.WritableStream, chunk);
            done += chunk.length;
          }
          (entry as unknown as NodeJS.WritableStream).end();
          await finished;
          const after = await handle.stat();
          if (shrank || after.size !== size || after.mtimeMs !== stat.mtimeMs) changed.push(found.path);
          bytes += size;
          entries.push({ path: found.path, type: "file", mode, mtime: mtime.toISOString(), size, sha256: hash.digest("hex") });
        } finally {
          await handle.close();
        }
      } else changed.push(found.path); // its type changed since the walk
    }
    pack.finalize();
    return { count: entries.length, bytes, entries, ...(changed.length ? { changedDuringBackup: changed } : {}), ...(exclude.length ? { exclude: [...exclude] } : {}), skipped };
  };
  const result = run();
  result.catch((error) => pack.destroy(error));
  return { stream: pack, result };
}
