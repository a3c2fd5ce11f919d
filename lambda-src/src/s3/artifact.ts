import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Compression } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { identitiesFor, startDecryptor, chainCodecs, type AgeIdentities } from "../support/age";
import { startDecompressor } from "../support/compression";
import { describeError, JobError } from "../support/errors";
import { DigestStream } from "../support/streams";
import { SoftTee } from "../support/tee";
import type { CompleteBackup } from "./catalog";

/** Which stored bytes a second read must see: the same version, or failing that the same ETag. */
export interface Pin {
  readonly versionId?: string;
  readonly etag?: string;
}

/** The outcome of streaming an artifact: what was read, and what the decoded bytes' consumer found. */
export interface ArtifactRead<T> {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly pin: Pin;
  /** The consumer's result, or why decoding or consuming failed (the checksum is still complete). */
  readonly decoded: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };
}

/**
 * Streams a backup's artifact from the vault once: every byte is counted and hashed, and the
 * decrypted (with `keys`, when the manifest says it is encrypted) and decompressed bytes go to
 * `consume`, with a promise of the stored bytes' SHA-256 that settles before the decoded stream
 * ends. A decrypting, decoding or consuming failure (no identity, say) does not stop the checksum.
 */
export async function readArtifact<T>(
  client: S3Client,
  bucket: string,
  backup: CompleteBackup,
  zstdPath: string,
  consume: (decoded: Readable, stored: Promise<string>) => Promise<T>,
  pin: Pin = {},
  keys?: AgeIdentities,
): Promise<ArtifactRead<T>> {
  const key = backup.artifact.key;
  let response;
  try {
    response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(pin.versionId ? { VersionId: pin.versionId } : pin.etag ? { IfMatch: pin.etag } : {}) }));
  } catch (error) {
    throw new JobError(`Reading s3://${bucket}/${key} failed: ${describeError(error)}.`, { cause: error });
  }
  const body = response.Body as Readable;
  const digest = new DigestStream();
  const stored = new Promise<string>((resolve, reject) => {
    digest.once("finish", () => resolve(digest.sha256));
    digest.once("error", reject);
  });
  stored.catch(() => undefined);
  let decoded: ArtifactRead<T>["decoded"];
  let codecInput;
  let consumed: Promise<T>;
  let codecDone: Promise<void>;
  try {
    const decrypt = backup.manifest.encryption ? startDecryptor(identitiesFor(backup.manifest, keys), `The backup ${key}`) : undefined;
    const decompress = await startDecompressor(backup.manifest.compression as Compression, zstdPath).catch((error: unknown) => {
      decrypt?.stop();
      throw error;
    });
    const codec = decrypt ? chainCodecs(decrypt, decompress) : decompress;
    codecInput = codec.input;
    codecDone = codec.done();
    consumed = consume(codec.output, stored);
  } catch (error) {
    codecDone = Promise.reject(error);
    consumed = Promise.reject(error);
  }
  codecDone.catch(() => undefined);
  consumed.catch(() => undefined);
  const tee = new SoftTee(codecInput ? [codecInput] : []);
  await new Promise<void>((resolve, reject) =>
    pipeline(body, digest, tee, (error) => (error ? reject(new JobError(`Reading s3://${bucket}/${key} failed: ${describeError(error)}.`, { cause: error })) : resolve())),
  );
  try {
    const [value] = await Promise.all([consumed, codecDone]);
    decoded = { ok: true, value };
  } catch (error) {
    decoded = { ok: false, error: error as Error };
  }
  const newPin: Pin = { ...(response.VersionId ? { versionId: response.VersionId } : {}), ...(response.ETag ? { etag: response.ETag } : {}) };
  return { sizeBytes: digest.bytes, sha256: digest.sha256, pin: newPin, decoded };
}
