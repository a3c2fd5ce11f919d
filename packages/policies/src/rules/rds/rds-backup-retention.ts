import type { Rule } from "../../engine/rule";
import { days } from "../support/vaults";

/** Databases keep automated backups long enough; 0 (no backups) always fails. */
export const rdsBackupRetention: Rule = {
  id: "rds-backup-retention",
  area: "rds",
  description: "RDS instances and clusters keep automated backups at least `rdsBackupRetentionDays` (0, which disables backups, always fails).",
  cause: "backupRetentionPeriod (CloudFormation: BackupRetentionPeriod) below `rdsBackupRetentionDays`; unset means RDS's 1 day. Read replicas and cluster members are skipped: their source or cluster keeps the backups.",
  explanation: "Automated backups give point-in-time recovery; their retention is how far back you can restore after corruption that went unnoticed for days.",
  enforcement: "mandatory",
  settings: ["rdsBackupRetentionDays"],
  scope: "resource",
  appliesTo: "aws:rds/instance:Instance, aws:rds/cluster:Cluster, AWS::RDS::DBInstance, AWS::RDS::DBCluster",
  check(facts, settings) {
    return facts.databases
      .filter((d) => !d.isReplicaOrMember && (d.backupRetentionDays ?? 1) < settings.rdsBackupRetentionDays)
      .map((d) => {
        const actual = d.backupRetentionDays ?? 1;
        return {
          subject: d,
          property: "backupRetentionDays",
          message: actual === 0 ? "Automated backups are disabled (retention 0)." : `Automated backups are kept ${days(actual)}${d.backupRetentionDays === undefined ? " (the default)" : ""}, less than the required ${days(settings.rdsBackupRetentionDays)}.`,
          actual: d.backupRetentionDays ?? null,
          fix: `Set backupRetentionPeriod to between ${settings.rdsBackupRetentionDays} and 35 days.`,
        };
      });
  },
};
