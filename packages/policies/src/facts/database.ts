import type { FactBase } from "./fact";

/** An RDS DB instance or an Aurora/Multi-AZ DB cluster. */
export interface DatabaseFact extends FactBase {
  readonly kind: "database";
  readonly engineKind: "instance" | "cluster";
  readonly arn?: string;
  /** The DB identifier, when known. */
  readonly identifier?: string;
  /** undefined when not set: RDS then keeps 1 day. */
  readonly backupRetentionDays?: number;
  readonly storageEncrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly keyInStack: boolean;
  readonly deletionProtection?: boolean;
  /**
   * Whether a final snapshot is taken when the database is deleted: Pulumi's `skipFinalSnapshot`
   * negated, or CloudFormation's `DeletionPolicy` (`Snapshot` by default for RDS).
   */
  readonly finalSnapshot: boolean;
  /** A read replica (or a member of a cluster): backups and deletion are the source's concern. */
  readonly isReplicaOrMember: boolean;
}

/** Automated backups of an RDS instance replicated to another region. */
export interface BackupReplicationFact extends FactBase {
  readonly kind: "backup-replication";
  /** The source instance's ARN as written. */
  readonly sourceArn?: string;
  /** The fact id of the source database when it is in the stack. */
  readonly sourceId?: string;
  /**
   * `true` when the copies are known to stay in the source's region (created through the same
   * provider, or naming the template's own region), `false` when known to leave it.
   */
  readonly inSourceRegion?: boolean;
}
