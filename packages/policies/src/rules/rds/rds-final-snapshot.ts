import type { Rule } from "../../engine/rule";

/** Deleting a database leaves a final snapshot. */
export const rdsFinalSnapshot: Rule = {
  id: "rds-final-snapshot",
  area: "rds",
  description: "RDS instances and clusters take a final snapshot when deleted.",
  cause: "skipFinalSnapshot: true (Pulumi), or DeletionPolicy Delete (CloudFormation, whose default for RDS is Snapshot). Read replicas and cluster members are skipped.",
  explanation: "Without a final snapshot, deleting the database (or a replacement the plan did not make obvious) loses everything written since the last backup that survives it.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:rds/instance:Instance, aws:rds/cluster:Cluster, AWS::RDS::DBInstance, AWS::RDS::DBCluster",
  check(facts) {
    return facts.databases
      .filter((d) => !d.isReplicaOrMember && !d.finalSnapshot)
      .map((d) => ({
        subject: d,
        property: "finalSnapshot",
        message: d.source === "pulumi" ? "skipFinalSnapshot is true: deleting the database leaves no snapshot." : "DeletionPolicy is Delete: deleting the stack leaves no snapshot.",
        actual: d.source === "pulumi" ? { skipFinalSnapshot: true } : { DeletionPolicy: "Delete" },
        fix: d.source === "pulumi" ? "Set skipFinalSnapshot: false and a finalSnapshotIdentifier." : "Set DeletionPolicy: Snapshot (CDK: removalPolicy RemovalPolicy.SNAPSHOT).",
      }));
  },
};
