import { toolPaths, type JobContext } from "../context";
import { readArtifact, type Pin } from "../s3/artifact";
import { jobAgeIdentities } from "../support/age";
import type { CompleteBackup } from "../s3/catalog";
import { describeError, JobError } from "../support/errors";
import { GateStream } from "../support/streams";
import { readDecoded } from "../verify/decoded-checks";
import { pipeline, type Readable } from "node:stream";

/** The checksum pass: the whole artifact, hashed and decoded, before the target is touched. */
export async function checkBeforeRestore(job: JobContext, backup: CompleteBackup, pgRestore = toolPaths(job.config).pgRestore): Promise<Pin> {
  const tools = toolPaths(job.config);
  const read = await readArtifact(job.vault, job.config.vault.bucket, backup, tools.zstd, (decoded) => readDecoded(backup.manifest, decoded, pgRestore), {}, await jobAgeIdentities(job));
  const key = backup.artifact.key;
  if (read.sizeBytes !== backup.manifest.sizeBytes || read.sha256 !== backup.manifest.sha256) {
    throw new JobError(`The backup ${key} is corrupt: ${read.sizeBytes} bytes with SHA-256 ${read.sha256}, but its manifest says ${backup.manifest.sizeBytes} bytes with ${backup.manifest.sha256}. The target was not touched.`, {
      hint: "Restore an earlier backup with --at, or from the replica vault.",
    });
  }
  if (!read.decoded.ok) throw new JobError(`The backup ${key} does not decode: ${describeError(read.decoded.error)}. The target was not touched.`, { hint: "Restore an earlier backup with --at." });
  return read.pin;
}

/**
 * The restore pass: reads the pinned artifact again, hashing it; the decoded bytes reach the
 * consumer through a gate that ends its input only when the hash matches the manifest, so a restore
 * in one transaction never commits bytes that differ from the ones checked.
 */
export async function readArtifactThroughGate(
  job: JobContext,
  backup: CompleteBackup,
  pin: Pin,
  consume: (decoded: Readable) => Promise<void>,
  stop: () => void,
): Promise<{ ok: true } | { ok: false; error: Error }> {
  const tools = toolPaths(job.config);
  let read;
  try {
    read = await readArtifact(job.vault, job.config.vault.bucket, backup, tools.zstd, (decoded, stored) => {
      const gate = new GateStream(async () => {
        const sha256 = await stored;
        if (sha256 !== backup.manifest.sha256) {
          stop();
          throw new JobError(`The backup ${backup.artifact.key} changed between the checksum pass and the restore (SHA-256 ${sha256}); the restore was stopped before it finished.`);
        }
      });
      pipeline(decoded, gate, () => undefined);
      return consume(gate);
    }, pin, await jobAgeIdentities(job));
  } catch (error) {
    stop();
    throw error;
  }
  if (!read.decoded.ok) stop();
  return read.decoded.ok ? { ok: true } : { ok: false, error: read.decoded.error };
}

