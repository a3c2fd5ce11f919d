import { isAwsManagedKey } from "../../adapters/keys";
import type { Rule, Violation } from "../../engine/rule";

/** AWS Backup vaults encrypt recovery points with a key the estate controls. */
export const backupVaultCustomerKey: Rule = {
  id: "backup-vault-customer-key",
  area: "backup",
  description: "AWS Backup vaults encrypt recovery points with a customer managed KMS key.",
  cause: "No kmsKeyArn (CloudFormation: EncryptionKeyArn), or the AWS managed alias/aws/backup key.",
  explanation:
    "Without a key of your own, AWS Backup encrypts with the AWS managed aws/backup key, whose policy you cannot change: you cannot restrict who may decrypt the recovery points, cannot share or copy them to another account for an isolated copy, and lose the key-policy audit trail an auditor asks for.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:backup/vault:Vault, AWS::Backup::BackupVault",
  check(facts) {
    return facts.backupVaults.flatMap((v): Violation[] => {
      if (!v.kmsKeyId) return [{ subject: v, property: "kmsKeyId", message: "The backup vault encrypts with AWS Backup's default AWS managed key.", actual: null, fix: "Set kmsKeyArn to a customer managed key (CloudFormation: EncryptionKeyArn); Lifeboat's AwsBackupPlan creates one per vault." }];
      if (isAwsManagedKey(v.kmsKeyId)) return [{ subject: v, property: "kmsKeyId", message: `The backup vault uses the AWS managed key ${v.kmsKeyId}, whose policy cannot be changed.`, actual: v.kmsKeyId, fix: "Use a customer managed key whose policy you control." }];
      return [];
    });
  },
};
