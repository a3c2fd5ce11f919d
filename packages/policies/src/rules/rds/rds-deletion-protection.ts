import type { Rule } from "../../engine/rule";

/** Databases cannot be deleted by a single mistaken call. */
export const rdsDeletionProtection: Rule = {
  id: "rds-deletion-protection",
  area: "rds",
  description: "RDS instances and clusters have deletion protection on.",
  cause: "deletionProtection (CloudFormation: DeletionProtection) not true. Read replicas and cluster members are skipped.",
  explanation: "Deleting a database also deletes its automated backups unless they are retained: deletion protection makes a mistaken destroy or replacement fail instead.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:rds/instance:Instance, aws:rds/cluster:Cluster, AWS::RDS::DBInstance, AWS::RDS::DBCluster",
  check(facts) {
    return facts.databases
      .filter((d) => !d.isReplicaOrMember && d.deletionProtection !== true)
      .map((d) => ({ subject: d, property: "deletionProtection", message: "Deletion protection is off.", actual: d.deletionProtection ?? null, fix: "Set deletionProtection: true (CloudFormation: DeletionProtection: true)." }));
  },
};
