import { isAwsManagedKey } from "../../adapters/keys";
import type { Rule, Violation } from "../../engine/rule";

/** Database storage (and so its snapshots) is encrypted with a customer managed key. */
export const rdsStorageEncrypted: Rule = {
  id: "rds-storage-encrypted",
  area: "rds",
  description: "RDS instances and clusters encrypt storage with a customer managed KMS key.",
  cause: "storageEncrypted not true, or no kmsKeyId (RDS then uses the AWS managed aws/rds key), or an alias/aws/* key. Read replicas and cluster members are skipped: they follow their source.",
  explanation:
    "Snapshots inherit the key of the database. A snapshot encrypted with the AWS managed key cannot be shared with another account, so it cannot be copied into an isolated backup account, and its use cannot be restricted by a key policy.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:rds/instance:Instance, aws:rds/cluster:Cluster, AWS::RDS::DBInstance, AWS::RDS::DBCluster",
  check(facts) {
    const out: Violation[] = [];
    for (const d of facts.databases) {
      if (d.isReplicaOrMember) continue;
      if (d.storageEncrypted !== true && !d.kmsKeyId) {
        out.push({ subject: d, property: "storageEncrypted", message: "Storage is not encrypted.", actual: d.storageEncrypted ?? null, fix: "Set storageEncrypted: true and kmsKeyId to a customer managed key (encryption can only be chosen at creation: restore from an encrypted snapshot copy)." });
      } else if (!d.kmsKeyId) {
        out.push({ subject: d, property: "kmsKeyId", message: "Storage is encrypted with the AWS managed aws/rds key.", actual: null, fix: "Set kmsKeyId to the ARN of a customer managed key." });
      } else if (isAwsManagedKey(d.kmsKeyId)) {
        out.push({ subject: d, property: "kmsKeyId", message: `Storage is encrypted with the AWS managed key ${d.kmsKeyId}.`, actual: d.kmsKeyId, fix: "Set kmsKeyId to the ARN of a customer managed key." });
      }
    }
    return out;
  },
};
