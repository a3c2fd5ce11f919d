import type { S3Client } from "@aws-sdk/client-s3";
import { objectCopyKey, type ObjectsSourceConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { resolveCredentials } from "../credentials";
import { s3Client } from "../s3/client";

/** The S3 client for an objects source: its own endpoint and keys, or the job's AWS credentials. */
export async function sourceClient(source: ObjectsSourceConfig, index: number, env: NodeJS.ProcessEnv, maxAttempts?: number): Promise<S3Client> {
  const credentials = await resolveCredentials(source.credentials, `sources[${index}].credentials`, env);
  return s3Client({
    region: source.region,
    endpoint: source.endpoint,
    forcePathStyle: source.forcePathStyle,
    checksums: source.checksums,
    maxAttempts,
    ...(credentials?.username && credentials.password ? { credentials: { accessKeyId: credentials.username, secretAccessKey: credentials.password } } : {}),
  });
}

/** One line of an objects backup's index (the artifact): a source object and where its copy is. */
export interface IndexEntry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified?: string;
  /** The copy's key in the vault. */
  readonly copy: string;
  /** SHA-256 of the content, when this backup copied it. */
  readonly sha256?: string;
}

/**
 * The vault key of the copy of a source object's version. A copy encrypted to age recipients is
 * named by the recipients too (and ends in `.age`): copies are shared between backups, and one
 * made for other recipients, or in the clear, is never taken for it.
 */
export function objectCopyKeyFor(source: string, o: { key: string; etag: string; size: number }, recipients?: readonly string[]): string {
  const digest = objectVersionDigest(o.key, o.etag, o.size);
  if (!recipients?.length) return objectCopyKey(source, digest);
  return `${objectCopyKey(source, createHash("sha256").update(`${digest}\nage\n${[...recipients].sort().join("\n")}`).digest("hex"))}.age`;
}

/** The digest naming a version of a source object: same key, ETag and size, same copy. */
export function objectVersionDigest(key: string, etag: string, size: number): string {
  return createHash("sha256").update(`${key}\n${etag}\n${size}`).digest("hex");
}
