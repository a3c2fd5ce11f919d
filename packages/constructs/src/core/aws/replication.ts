import type { PolicyStatement } from "./iam";
import type { ArchiveStorageClass } from "../retention";

/**
 * S3 Replication Time Control replicates 99.99% of objects within this many minutes. It is the only
 * value S3 accepts for both the time and the metrics threshold.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html
 */
export const REPLICATION_TIME_MINUTES = 15;

/** The one replication rule of a replicated vault, independent of any engine. */
export interface ReplicationRule {
  readonly id: string;
  readonly priority: number;
  /** Whether a delete marker in the primary is copied; off by default so a deletion never erases the copy. */
  readonly deleteMarkerReplication: boolean;
  /** Objects encrypted with SSE-KMS are replicated (and re-encrypted with the replica key). */
  readonly sseKmsEncryptedObjects: true;
  readonly replicationTimeMinutes: number;
  readonly metricsEventThresholdMinutes: number;
  /** Storage class of the copies; `STANDARD` unless an archive class is asked for. */
  readonly storageClass: "STANDARD" | ArchiveStorageClass;
}

/** The replication rule for a vault: everything, KMS objects included, with time control and metrics. */
export function vaultReplicationRule(args: { replicateDeleteMarkers: boolean; storageClass?: "STANDARD" | ArchiveStorageClass }): ReplicationRule {
  return {
    id: "replicate-everything",
    priority: 0,
    deleteMarkerReplication: args.replicateDeleteMarkers,
    sseKmsEncryptedObjects: true,
    replicationTimeMinutes: REPLICATION_TIME_MINUTES,
    metricsEventThresholdMinutes: REPLICATION_TIME_MINUTES,
    storageClass: args.storageClass ?? "STANDARD",
  };
}

/** ARNs the replication role is scoped to. Strings here may be CDK tokens. */
export interface ReplicationArns {
  readonly sourceBucketArn: string;
  readonly sourceKeyArn: string;
  readonly replicaBucketArn: string;
  readonly replicaKeyArn: string;
}

/**
 * The replication role's permissions: exactly the two buckets and the two keys, each action named.
 * KMS use is limited to S3 acting for the matching bucket (`kms:ViaService` and the S3 encryption
 * context, which is the bucket ARN when a bucket key is on and the object ARN otherwise).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export function replicationRoleStatements(arns: ReplicationArns, options: { replicateDeleteMarkers: boolean; objectLock: boolean }): PolicyStatement[] {
  const { sourceBucketArn, sourceKeyArn, replicaBucketArn, replicaKeyArn } = arns;
  const readVersions = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"];
  if (options.objectLock) readVersions.push("s3:GetObjectRetention", "s3:GetObjectLegalHold");
  const replicate = ["s3:ReplicateObject", "s3:ReplicateTags"];
  if (options.replicateDeleteMarkers) replicate.push("s3:ReplicateDelete");
  return [
    {
      Sid: "ReadSourceConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: [sourceBucketArn],
    },
    { Sid: "ReadSourceVersions", Effect: "Allow", Action: readVersions, Resource: [`${sourceBucketArn}/*`] },
    { Sid: "WriteReplicas", Effect: "Allow", Action: replicate, Resource: [`${replicaBucketArn}/*`] },
    {
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [sourceKeyArn],
      Condition: {
        StringLike: {
          "kms:ViaService": "s3.*.amazonaws.com",
          "kms:EncryptionContext:aws:s3:arn": [sourceBucketArn, `${sourceBucketArn}/*`],
        },
      },
    },
    {
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: [replicaKeyArn],
      Condition: {
        StringLike: {
          "kms:ViaService": "s3.*.amazonaws.com",
          "kms:EncryptionContext:aws:s3:arn": [replicaBucketArn, `${replicaBucketArn}/*`],
        },
      },
    },
  ];
}
