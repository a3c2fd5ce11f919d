import type { PolicyStatement } from "../aws/iam";
import type { VaultArns } from "../aws/vault-policies";
import type { JobConfig } from "../job-config";

/**
 * The permissions of the AWS credentials the runner uses for the off-site copy: write and read its
 * sources' prefixes only (backup, verify), list only those prefixes, use the vault key through S3.
 * No delete, no other prefix, nothing else in the account. An IAM user's access key is used because a
 * droplet cannot assume an IAM role without a certificate authority (IAM Roles Anywhere); the key
 * reaches the runner like every other secret.
 */
export function offsiteCopyStatements({ bucketArn, keyArn }: VaultArns, sources: readonly string[]): PolicyStatement[] {
  const prefixes = sources.map((s) => `${s}/`);
  return [
    { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
    { Sid: "ReadBackups", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectAttributes"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
    { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } } },
    { Sid: "UseVaultKeyThroughS3", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [keyArn], Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } },
  ];
}

/** A source's name as an environment variable stem: `postgres-main` → `POSTGRES_MAIN`. */
export function envStem(source: string): string {
  return source.toUpperCase().replace(/-/g, "_");
}

/**
 * The off-site copy's job configuration (`offsite.json` on the runner): the primary configuration's
 * sources and tools, pointed at the AWS vault (its bucket, region and key), encrypted to the same age
 * recipients. Holds no credential: the runner's off-site environment file carries the AWS keys.
 */
export function offsiteJobConfig(primary: JobConfig, vault: { readonly bucket: string; readonly region: string; readonly kmsKeyArn: string }, ageRecipients: readonly string[]): JobConfig {
  return { ...primary, vault: { bucket: vault.bucket, region: vault.region, kmsKeyArn: vault.kmsKeyArn, encryption: { ageRecipients: [...ageRecipients] } } };
}
