import type { FilesSourceConfig, ManifestFiles } from "@lifeboat/constructs/core";
import { pipeline } from "node:stream";
import { toolPaths, type JobContext } from "../context";
import { packDirectory } from "../files/pack";
import { chooseCompression, startCompressor } from "../support/compression";
import { GateStream } from "../support/streams";
import { compressedArtifact, type ArtifactProducer } from "./producer";

/**
 * Streams a directory as tar into zstd or gzip, every file's SHA-256 recorded for the manifest;
 * files that changed while they were read are reported (log and manifest).
 */
export async function filesProducer(job: JobContext, source: FilesSourceConfig): Promise<ArtifactProducer> {
  const zstd = toolPaths(job.config).zstd;
  const compression = await chooseCompression(zstd);
  const packed = packDirectory(source.path, source.exclude ?? []);
  const compressor = startCompressor(compression, zstd);
  const gate = new GateStream(() => Promise.all([packed.result, compressor.done()]).then(() => undefined));
  let failed = false;
  const fail = (error: Error | null | undefined) => {
    if (!error || failed) return;
    failed = true;
    packed.stream.destroy();
    compressor.stop();
    gate.destroy(error);
  };
  packed.result.catch(fail);
  pipeline(packed.stream, compressor.input, fail);
  pipeline(compressor.output, gate, fail);
  return compressedArtifact("tar", "tar", compression, gate, fail, async () => {
    const { skipped, ...files } = await packed.result;
    if (skipped.length) job.output.log({ level: "warn", event: "backup.files-skipped", message: `${source.name}: ${skipped.length} entries are neither files, directories nor symlinks (sockets, pipes, devices) and were left out: ${skipped.slice(0, 20).join(", ")}.`, source: source.name, paths: skipped });
    if (files.changedDuringBackup) job.output.log({ level: "warn", event: "backup.files-changed", message: `${source.name}: ${files.changedDuringBackup.length} files changed or vanished while they were read; the archive may hold a mix for them: ${files.changedDuringBackup.slice(0, 20).join(", ")}.`, source: source.name, paths: files.changedDuringBackup });
    return {
      tool: { name: "lifeboat-files", version: "tar" },
      files: files satisfies ManifestFiles,
      capture: { method: "tar", pointInTime: false, note: "files were read one after another while the directory stayed in use; `files.changedDuringBackup` lists those that changed meanwhile" },
    };
  });
}
