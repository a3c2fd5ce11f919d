import type { PolicyStatement } from "./iam";

/** ARNs a vault's policies are written against. Strings here may be CDK tokens. */
export interface VaultArns {
  readonly bucketArn: string;
  readonly keyArn: string;
}

/**
 * The vault's bucket policy: refuse every request not sent over TLS, and refuse uploads that ask
 * for another encryption than the vault key. Uploads that name no encryption get the bucket default
 * (the vault key), so they are allowed; the `Null` conditions make each deny apply only when the
 * header is present.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
 */
export function vaultBucketPolicyStatements({ bucketArn, keyArn }: VaultArns): PolicyStatement[] {
  return [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyEncryptionOtherThanKms",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [`${bucketArn}/*`],
      Condition: {
        Null: { "s3:x-amz-server-side-encryption": "false" },
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
      },
    },
    {
      Sid: "DenyKeysOtherThanVaultKey",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [`${bucketArn}/*`],
      Condition: {
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
      },
    },
  ];
}

/**
 * What a backup job needs to write under `prefix` (already normalized to end in `/`): put objects
 * and their tags, abort its own unfinished uploads, list its prefix (to pick the tier), and use the
 * vault key through S3. No delete, no overwrite of another prefix.
 */
export function vaultWriterStatements({ bucketArn, keyArn }: VaultArns, prefix: string): PolicyStatement[] {
  return [
    {
      Sid: "WriteBackups",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
      Resource: [`${bucketArn}/${prefix}*`],
    },
    listStatement(bucketArn, prefix),
    keyStatement(keyArn, ["kms:GenerateDataKey", "kms:Decrypt"]),
  ];
}

/** What verification and restore need under `prefix`: read objects, versions and tags, list, decrypt. */
export function vaultReaderStatements({ bucketArn, keyArn }: VaultArns, prefix: string): PolicyStatement[] {
  return [
    {
      Sid: "ReadBackups",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectAttributes"],
      Resource: [`${bucketArn}/${prefix}*`],
    },
    listStatement(bucketArn, prefix),
    keyStatement(keyArn, ["kms:Decrypt"]),
  ];
}

function listStatement(bucketArn: string, prefix: string): PolicyStatement {
  return {
    Sid: "ListBackups",
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [bucketArn],
    ...(prefix === "" ? {} : { Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } }),
  };
}

function keyStatement(keyArn: string, actions: string[]): PolicyStatement {
  return {
    Sid: "UseVaultKeyThroughS3",
    Effect: "Allow",
    Action: actions,
    Resource: [keyArn],
    Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
  };
}
