import type { Rule } from "../engine/rule";
import { backupPlanCrossRegionCopy } from "./backup/backup-plan-cross-region-copy";
import { backupPlanLifecycle } from "./backup/backup-plan-lifecycle";
import { backupVaultCustomerKey } from "./backup/backup-vault-customer-key";
import { backupVaultLock } from "./backup/backup-vault-lock";
import { cloudwatchAlarmActions } from "./cloudwatch/cloudwatch-alarm-actions";
import { doDatabaseFirewall } from "./digitalocean/do-database-firewall";
import { doDatabaseReplica } from "./digitalocean/do-database-replica";
import { doSpacesPrivate } from "./digitalocean/do-spaces-private";
import { doSpacesRetention } from "./digitalocean/do-spaces-retention";
import { doSpacesVersioning } from "./digitalocean/do-spaces-versioning";
import { doValkeyPersistence } from "./digitalocean/do-valkey-persistence";
import { dynamodbPointInTimeRecovery } from "./dynamodb/dynamodb-point-in-time-recovery";
import { elasticacheSnapshotRetention } from "./elasticache/elasticache-snapshot-retention";
import { exemptionReasonRequired } from "./exemptions/exemption-reason-required";
import { resourceReadable } from "./general/resource-readable";
import { kmsKeyDeletionWindow } from "./kms/kms-key-deletion-window";
import { kmsKeyRotation } from "./kms/kms-key-rotation";
import { logGroupRetention } from "./logs/log-group-retention";
import { rdsBackupRetention } from "./rds/rds-backup-retention";
import { rdsCrossRegionBackup } from "./rds/rds-cross-region-backup";
import { rdsDeletionProtection } from "./rds/rds-deletion-protection";
import { rdsFinalSnapshot } from "./rds/rds-final-snapshot";
import { rdsStorageEncrypted } from "./rds/rds-storage-encrypted";
import { dataStoreAllowedRegions } from "./regions/data-store-allowed-regions";
import { s3BucketKmsEncryption } from "./s3/s3-bucket-kms-encryption";
import { s3BucketPublicAccessBlock } from "./s3/s3-bucket-public-access-block";
import { s3LifecycleStorageClassMinimums } from "./s3/s3-lifecycle-storage-class-minimums";
import { s3VaultArchiveTiering } from "./s3/s3-vault-archive-tiering";
import { s3VaultMaximumRetention } from "./s3/s3-vault-maximum-retention";
import { s3VaultMinimumRetention } from "./s3/s3-vault-minimum-retention";
import { s3VaultObjectLock } from "./s3/s3-vault-object-lock";
import { s3VaultReplication } from "./s3/s3-vault-replication";
import { s3VaultTlsOnly } from "./s3/s3-vault-tls-only";
import { s3VaultVersioning } from "./s3/s3-vault-versioning";
import { snsTopicEncrypted } from "./sns/sns-topic-encrypted";

/** Every rule, in the order RULES.md lists them. The pack and the CDK plugin judge with these. */
export const RULES: readonly Rule[] = [
  s3VaultVersioning,
  s3BucketKmsEncryption,
  s3BucketPublicAccessBlock,
  s3VaultTlsOnly,
  s3VaultMinimumRetention,
  s3VaultMaximumRetention,
  s3VaultArchiveTiering,
  s3LifecycleStorageClassMinimums,
  s3VaultReplication,
  s3VaultObjectLock,
  kmsKeyRotation,
  kmsKeyDeletionWindow,
  rdsBackupRetention,
  rdsStorageEncrypted,
  rdsDeletionProtection,
  rdsFinalSnapshot,
  rdsCrossRegionBackup,
  elasticacheSnapshotRetention,
  dynamodbPointInTimeRecovery,
  snsTopicEncrypted,
  logGroupRetention,
  cloudwatchAlarmActions,
  backupPlanLifecycle,
  backupPlanCrossRegionCopy,
  backupVaultLock,
  backupVaultCustomerKey,
  dataStoreAllowedRegions,
  doSpacesVersioning,
  doSpacesPrivate,
  doSpacesRetention,
  doDatabaseFirewall,
  doDatabaseReplica,
  doValkeyPersistence,
  exemptionReasonRequired,
  resourceReadable,
];

export {
  doDatabaseFirewall,
  doDatabaseReplica,
  doValkeyPersistence,
  backupPlanCrossRegionCopy,
  backupPlanLifecycle,
  backupVaultCustomerKey,
  backupVaultLock,
  cloudwatchAlarmActions,
  dataStoreAllowedRegions,
  doSpacesPrivate,
  doSpacesRetention,
  doSpacesVersioning,
  dynamodbPointInTimeRecovery,
  elasticacheSnapshotRetention,
  exemptionReasonRequired,
  kmsKeyDeletionWindow,
  kmsKeyRotation,
  logGroupRetention,
  rdsBackupRetention,
  rdsCrossRegionBackup,
  rdsDeletionProtection,
  rdsFinalSnapshot,
  rdsStorageEncrypted,
  resourceReadable,
  s3BucketKmsEncryption,
  s3BucketPublicAccessBlock,
  s3LifecycleStorageClassMinimums,
  s3VaultArchiveTiering,
  s3VaultMaximumRetention,
  s3VaultMinimumRetention,
  s3VaultObjectLock,
  s3VaultReplication,
  s3VaultTlsOnly,
  s3VaultVersioning,
  snsTopicEncrypted,
};
