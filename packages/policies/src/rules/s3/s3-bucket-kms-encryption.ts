import { isAwsManagedKey } from "../../adapters/keys";
import type { Rule, Violation } from "../../engine/rule";

/** Every bucket encrypts with a customer managed KMS key and a bucket key. */
export const s3BucketKmsEncryption: Rule = {
  id: "s3-bucket-kms-encryption",
  area: "s3",
  description: "Buckets encrypt by default with SSE-KMS under a customer managed key, with an S3 bucket key.",
  cause: "No default encryption, SSE-S3 (AES256), SSE-KMS without a key or with the AWS managed aws/s3 key, or SSE-KMS without a bucket key. Buckets that receive server access logs are skipped: log delivery cannot use KMS.",
  explanation:
    "With a customer managed key you decide who can decrypt (the key policy) and you can audit every use; the AWS managed aws/s3 key lets anyone with S3 read access decrypt, and SSE-S3 gives no separate control at all. A bucket key cuts KMS requests (cost and throttling) by about 99%.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketServerSideEncryptionConfiguration), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts) {
    const out: Violation[] = [];
    for (const b of facts.buckets) {
      if (b.isAccessLogTarget) continue;
      const e = b.encryption;
      const fixKey = "Set applyServerSideEncryptionByDefault { sseAlgorithm: \"aws:kms\", kmsMasterKeyId: <your key's ARN> } and bucketKeyEnabled: true (CloudFormation: BucketEncryption with SSEAlgorithm aws:kms, KMSMasterKeyID and BucketKeyEnabled).";
      if (!e || !e.algorithm || e.algorithm === "AES256") {
        out.push({ subject: b, property: "encryption.algorithm", message: e?.algorithm ? "The bucket encrypts with SSE-S3 (AES256), not a customer managed KMS key." : "The bucket has no default encryption configured (S3 applies SSE-S3).", actual: e?.algorithm ?? null, fix: fixKey });
        continue;
      }
      if (!e.algorithm.startsWith("aws:kms")) {
        out.push({ subject: b, property: "encryption.algorithm", message: `The bucket encrypts with "${e.algorithm}", not SSE-KMS.`, actual: e.algorithm, fix: fixKey });
        continue;
      }
      if (!e.kmsKeyId) {
        out.push({ subject: b, property: "encryption.kmsKeyId", message: "SSE-KMS names no key, so S3 uses the AWS managed aws/s3 key.", actual: null, fix: fixKey });
      } else if (isAwsManagedKey(e.kmsKeyId)) {
        out.push({ subject: b, property: "encryption.kmsKeyId", message: `SSE-KMS uses the AWS managed key ${e.kmsKeyId}.`, actual: e.kmsKeyId, fix: fixKey });
      }
      // DSSE-KMS does not support bucket keys.
      if (e.algorithm === "aws:kms" && !e.bucketKeyEnabled) {
        out.push({ subject: b, property: "encryption.bucketKeyEnabled", message: "SSE-KMS is on without an S3 bucket key: every object operation calls KMS.", actual: false, fix: "Set bucketKeyEnabled: true on the encryption rule (CloudFormation: BucketKeyEnabled: true)." });
      }
    }
    return out;
  },
};
