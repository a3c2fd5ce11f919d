import type { Compression } from "@lifeboat/constructs/core";
import { PassThrough, type Readable, type Transform, type Writable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { JobError } from "./errors";
import { runTool, toolEnvironment, ToolProcess } from "./process";

/** A compressor or decompressor: write to `input`, read from `output`; `done` settles when it has finished. */
export interface Codec {
  readonly input: Writable;
  readonly output: Readable;
  readonly done: () => Promise<void>;
  readonly stop: () => void;
}

const zstdAvailable = new Map<string, Promise<boolean>>();

/** Whether the `zstd` binary at `path` runs (cached per path). */
export function hasZstd(path: string): Promise<boolean> {
  let known = zstdAvailable.get(path);
  if (!known) {
    known = runTool("zstd", path, ["--version"], toolEnvironment()).then(() => true, () => false);
    zstdAvailable.set(path, known);
  }
  return known;
}

/** The compression a backup uses: zstd when the binary runs, else gzip level 1. */
export async function chooseCompression(zstdPath: string): Promise<Exclude<Compression, "none">> {
  return (await hasZstd(zstdPath)) ? "zstd" : "gzip";
}

/** The file extension for a compression: `zst`, `gz`, or none. */
export function compressionExtension(compression: Compression): string {
  return compression === "zstd" ? ".zst" : compression === "gzip" ? ".gz" : "";
}

function inProcessCodec(stream: Transform): Codec {
  const done = new Promise<void>((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  done.catch(() => undefined);
  return { input: stream, output: stream, done: () => done, stop: () => stream.destroy() };
}

function zstdCodec(args: string[], zstdPath: string): Codec {
  const tool = new ToolProcess("zstd", zstdPath, args, { env: toolEnvironment(), stdin: "pipe", stdout: "pipe" });
  // EPIPE on stdin when zstd dies is reported through its exit status, not as a stray error.
  tool.stdin.on("error", () => undefined);
  return { input: tool.stdin, output: tool.stdout, done: () => tool.exited, stop: () => tool.kill() };
}

/**
 * Starts a compressor: zstd level 1 in its own process, or gzip level 1 in this one. zstd runs with
 * a thread per core (`-T0`): its I/O then overlaps its compression, which shortens a backup even
 * on two cores, and the bytes it writes decompress the same as single-threaded zstd's.
 */
export function startCompressor(compression: Exclude<Compression, "none">, zstdPath: string): Codec {
  if (compression === "zstd") return zstdCodec(["-1", "-T0", "-c", "-q"], zstdPath);
  return inProcessCodec(createGzip({ level: 1, chunkSize: 256 * 1024 }));
}

/** Starts a decompressor for a stored artifact. */
export async function startDecompressor(compression: Compression, zstdPath: string): Promise<Codec> {
  if (compression === "zstd") {
    if (!(await hasZstd(zstdPath))) throw new JobError(`This backup is compressed with zstd, but zstd could not be started from "${zstdPath}".`, { hint: "Install zstd or set `tools.zstd` to its path." });
    return zstdCodec(["-d", "-c", "-q"], zstdPath);
  }
  // Gunzip's default final flush fails on a truncated stream, which is what a restore must notice.
  if (compression === "gzip") return inProcessCodec(createGunzip({ chunkSize: 256 * 1024 }));
  return inProcessCodec(new PassThrough());
}
