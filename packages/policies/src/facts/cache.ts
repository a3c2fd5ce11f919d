import type { FactBase } from "./fact";

/** An ElastiCache replication group, cluster or serverless cache. */
export interface CacheFact extends FactBase {
  readonly kind: "cache";
  readonly engine?: string;
  /** undefined when not set: ElastiCache then keeps no snapshots. */
  readonly snapshotRetentionDays?: number;
  /** `true` for a node of a replication group, whose snapshots the group manages. */
  readonly isMember: boolean;
}
