import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { VaultLocation } from "@lifeboat/constructs/core";

/** Where an S3 client points and how it behaves; every field optional, production defaults otherwise. */
export interface S3Endpoint {
  readonly region?: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly checksums?: VaultLocation["checksums"];
  readonly maxAttempts?: number;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Default attempts per request: the SDK's standard retry mode backs off exponentially with jitter. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * An S3 client for the vault, its replica or a source bucket. Nothing is weakened by default: the
 * SDK's own checksums, TLS and endpoint resolution stay as they are unless the configuration names
 * an endpoint, path-style addressing or `checksums: "when-required"`.
 */
export function s3Client(where: S3Endpoint): S3Client {
  const config: S3ClientConfig = {
    region: where.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    maxAttempts: where.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: "standard",
    // Fail a dead connection in seconds and a stalled transfer in minutes instead of never.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
  };
  if (where.endpoint !== undefined) config.endpoint = where.endpoint;
  if (where.forcePathStyle !== undefined) config.forcePathStyle = where.forcePathStyle;
  if (where.checksums === "when-required") {
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (where.credentials) config.credentials = { ...where.credentials };
  return new S3Client(config);
}

/** The vault's client. */
export function vaultClient(vault: VaultLocation): S3Client {
  return s3Client(vault);
}

/** The replica vault's client; it inherits the primary's client settings but not its region. */
export function replicaClient(vault: VaultLocation): S3Client | undefined {
  const replica = vault.replica;
  if (!replica) return undefined;
  return s3Client({
    region: replica.region,
    endpoint: replica.endpoint,
    forcePathStyle: replica.forcePathStyle ?? vault.forcePathStyle,
    checksums: vault.checksums,
    maxAttempts: vault.maxAttempts,
  });
}
