// The synthetic stacks the policy benchmarks judge. Each stack is 20% buckets, each with its separate
// versioning, encryption and public access block (80% of the resources together), 10% KMS keys, 6% RDS
// instances, 4% log groups; every 10th bucket replicates to the next. The vaults have no TLS policy and
// most no replication, so every run also builds findings (about two per bucket), as a real, imperfect
// stack would.
import type { PulumiResource } from "@lifeboat/policies";

/** A synthetic stack of `size` resources. */
export function syntheticStack(size: number): PulumiResource[] {
  const out: PulumiResource[] = [];
  const urn = (type: string, name: string) => `urn:pulumi:bench::estate::${type}::${name}`;
  const add = (type: string, name: string, properties: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
    out.push({ urn: urn(type, name), type, name, dependencies: Object.values(deps).flat(), propertyDependencies: deps, properties });
  const buckets = size / 5;
  for (let i = 0; i < buckets; i++) {
    const name = `vault-${i}`;
    const physical = `${name}-backups-0a1b2c3`;
    const bucketUrn = urn("aws:s3/bucket:Bucket", name);
    const keyArn = `arn:aws:kms:us-east-1:123456789012:key/${String(i).padStart(8, "0")}-0000-0000-0000-000000000000`;
    add("aws:s3/bucket:Bucket", name, { bucket: physical, arn: `arn:aws:s3:::${physical}`, region: i % 10 === 9 ? "us-west-2" : "us-east-1" });
    add("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`, { bucket: physical, versioningConfiguration: { status: "Enabled" } }, { bucket: [bucketUrn] });
    add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-encryption`, { bucket: physical, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }] }, { bucket: [bucketUrn] });
    add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-pab`, { bucket: physical, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { bucket: [bucketUrn] });
    if (i % 10 === 8) {
      add("aws:s3/bucketReplicationConfig:BucketReplicationConfig", `${name}-replication`, {
        bucket: physical,
        rules: [{ id: "all", status: "Enabled", filter: { prefix: "" }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } }, destination: { bucket: `arn:aws:s3:::vault-${i + 1}-backups-0a1b2c3`, encryptionConfiguration: { replicaKmsKeyId: keyArn } } }],
      }, { bucket: [bucketUrn], rules: [urn("aws:s3/bucket:Bucket", `vault-${i + 1}`)] });
    }
  }
  for (let i = 0; i < size / 10; i++) add("aws:kms/key:Key", `key-${i}`, { arn: `arn:aws:kms:us-east-1:123456789012:key/k${i}`, enableKeyRotation: true, deletionWindowInDays: 30 });
  for (let i = 0; i < (size * 6) / 100; i++) add("aws:rds/instance:Instance", `db-${i}`, { backupRetentionPeriod: 14, storageEncrypted: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k0", deletionProtection: true });
  while (out.length < size) add("aws:cloudwatch/logGroup:LogGroup", `logs-${out.length}`, { retentionInDays: 30 });
  return out.slice(0, size);
}
