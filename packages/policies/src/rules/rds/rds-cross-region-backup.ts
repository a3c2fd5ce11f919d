import { type BackupPlanFact, type BackupReplicationFact, copyLeavesRegion, type DatabaseFact, type StackFacts } from "../../facts";
import { matchesPattern } from "../../engine/patterns";
import type { Rule } from "../../engine/rule";

/** `true` when some plan rule copies to a region other than `region` (or to a vault whose region cannot be told). */
function copiesElsewhere(plan: BackupPlanFact, region: string | undefined): boolean {
  return plan.rules.some((r) => r.copies.some((c) => copyLeavesRegion(c, region)));
}

/** `true` unless the replication is known to stay in the database's region. */
function replicatesElsewhere(b: BackupReplicationFact, d: DatabaseFact): boolean {
  if (b.inSourceRegion !== undefined) return !b.inSourceRegion;
  return b.region === undefined || b.region !== d.region;
}

/** How a database's backups leave its region, if they do. */
export function crossRegionBackupOf(d: DatabaseFact, facts: StackFacts): string | undefined {
  const replication = facts.backupReplications.find((b) => (b.sourceId === d.id || (d.arn !== undefined && b.sourceArn === d.arn)) && replicatesElsewhere(b, d));
  if (replication) return `automated backups replicated by ${replication.name}`;
  for (const s of facts.backupSelections) {
    const named = s.resourceIds.includes(d.id) || (d.arn !== undefined && s.resources.some((p) => matchesPattern(p, d.arn as string)));
    const tagged = s.tagConditions.some((t) => d.tags[t.key] === t.value);
    const excluded = d.arn !== undefined && s.notResources.some((p) => matchesPattern(p, d.arn as string));
    const plan = facts.backupPlans.find((p) => p.id === s.planId);
    if ((named || tagged) && !excluded && plan && copiesElsewhere(plan, d.region)) return `AWS Backup plan ${plan.name} (selection ${s.name}) copies to another region`;
  }
  return undefined;
}

/** When required, database backups also exist outside the database's region. */
export const rdsCrossRegionBackup: Rule = {
  id: "rds-cross-region-backup",
  area: "rds",
  description: "With `requireCrossRegionBackups`, every RDS instance and cluster has backups in another region: replicated automated backups, or an AWS Backup plan that selects it and copies to another region.",
  cause:
    "No InstanceAutomatedBackupsReplication for the instance from another region, and no AWS Backup selection (by ARN, reference or tag) whose plan has a copy action to another region.",
  explanation: "Automated backups and snapshots live in the database's region: a regional outage, or an attacker in that region, takes them with the database.",
  enforcement: "mandatory",
  settings: ["requireCrossRegionBackups"],
  scope: "stack",
  appliesTo: "aws:rds/instance:Instance, aws:rds/cluster:Cluster (+ InstanceAutomatedBackupsReplication, aws:backup Plan/Selection), AWS::RDS::DBInstance, AWS::RDS::DBCluster",
  check(facts, settings) {
    if (!settings.requireCrossRegionBackups) return [];
    return facts.databases
      .filter((d) => !d.isReplicaOrMember && crossRegionBackupOf(d, facts) === undefined)
      .map((d) => ({
        subject: d,
        message: "No backup of this database is kept outside its region.",
        actual: null,
        fix:
          d.engineKind === "instance"
            ? "Add an aws.rds.InstanceAutomatedBackupsReplication created with a provider for the DR region (with a KMS key there), or select the database in an AWS Backup plan that copies to a vault in another region."
            : "Select the cluster in an AWS Backup plan whose rule copies to a vault in another region.",
      }));
  },
};
