import type { BackupManifest, CompanionRole, Compression, ManifestRoles, ManifestTable } from "@lifeboat/constructs/core";
import type { Readable } from "node:stream";
import { compressionExtension } from "../support/compression";
import { JobError } from "../support/errors";

/** What a backup of one kind hands the shared backup path: a stream of the bytes to store. */
export interface ArtifactProducer {
  /** Extension of the artifact's key, without the leading dot: `dump.zst`, `rdb.gz`. */
  readonly extension: string;
  readonly format: string;
  readonly compression: Compression;
  readonly contentType: string;
  /** The bytes to store. Ends only after every tool has exited cleanly; errors otherwise. */
  readonly stream: Readable;
  /** Stops every tool (after a failure elsewhere). */
  stop(): void;
  /** What the manifest records about the contents; call once `stream` has ended. */
  details(): Promise<ProducedDetails>;
}

export interface ProducedDetails {
  readonly tool: { readonly name: string; readonly version: string };
  readonly server?: { readonly version: string };
  readonly tables?: readonly ManifestTable[];
  readonly contentsNotInspected?: { readonly reason: string };
  readonly objects?: { readonly count: number; readonly bytes: number; readonly copied: number; readonly skipped: number };
  readonly roles?: ManifestRoles;
  /** Bytes of the artifact before compression. */
  readonly contentBytes?: number;
  /** SHA-256 (hex) of the artifact before compression. */
  readonly contentSha256?: string;
  /** Small objects stored next to the artifact, before the manifest. */
  readonly companions?: readonly ProducedCompanion[];
  readonly capture?: BackupManifest["capture"];
  readonly files?: BackupManifest["files"];
}

/** A companion of the artifact, whole in memory (they are small: the roles of a database). */
export interface ProducedCompanion {
  readonly role: CompanionRole;
  readonly format: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The producer of a compressed stream: `<base>.zst` or `<base>.gz`. `stop` is called with the reason
 * the backup is stopped.
 */
export function compressedArtifact(
  base: string,
  format: string,
  compression: Exclude<Compression, "none">,
  stream: Readable,
  stop: (reason: Error) => void,
  details: () => Promise<ProducedDetails>,
): ArtifactProducer {
  return {
    extension: `${base}${compressionExtension(compression)}`,
    format,
    compression,
    contentType: compression === "zstd" ? "application/zstd" : "application/gzip",
    stream,
    stop: () => stop(new JobError("The backup was stopped.")),
    details,
  };
}
