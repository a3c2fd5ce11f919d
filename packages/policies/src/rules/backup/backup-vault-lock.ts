import type { Rule, Violation } from "../../engine/rule";

/** Backup vaults are locked when required, and every lock is one AWS accepts. */
export const backupVaultLock: Rule = {
  id: "backup-vault-lock",
  area: "backup",
  description: "With `requireVaultLock`, every AWS Backup vault has a Vault Lock with a minimum retention; any Vault Lock leaves at least 3 days (72 hours) before it becomes immutable.",
  cause: "With `requireVaultLock`: no VaultLockConfiguration (CloudFormation: LockConfiguration) or no minRetentionDays. Always: changeableForDays below 3.",
  explanation:
    "A Vault Lock stops anyone, including an attacker with administrator credentials, from deleting recovery points early or shortening their retention. AWS requires a cooling-off period of at least 72 hours before a compliance lock becomes permanent.",
  enforcement: "mandatory",
  settings: ["requireVaultLock"],
  scope: "stack",
  appliesTo: "aws:backup/vault:Vault (+ VaultLockConfiguration), AWS::Backup::BackupVault",
  check(facts, settings) {
    const out: Violation[] = [];
    for (const v of facts.backupVaults) {
      if (settings.requireVaultLock && (!v.lock || v.lock.minRetentionDays === undefined)) {
        out.push({ subject: v, property: "lock", message: v.lock ? "The Vault Lock sets no minimum retention." : "The backup vault has no Vault Lock.", actual: v.lock ?? null, fix: "Add an aws.backup.VaultLockConfiguration with minRetentionDays (and changeableForDays ≥ 3 for compliance mode)." });
      }
      if (v.lock?.changeableForDays !== undefined && v.lock.changeableForDays < 3) {
        out.push({ subject: v, property: "lock", message: `The Vault Lock is changeable for ${v.lock.changeableForDays} day(s); AWS requires at least 3.`, actual: v.lock.changeableForDays, fix: "Set changeableForDays to 3 or more." });
      }
    }
    return out;
  },
};
