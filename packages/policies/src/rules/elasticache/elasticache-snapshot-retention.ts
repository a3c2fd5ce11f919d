import type { Rule } from "../../engine/rule";
import { days } from "../support/vaults";

/** Redis and Valkey caches keep snapshots. */
export const elasticacheSnapshotRetention: Rule = {
  id: "elasticache-snapshot-retention",
  area: "elasticache",
  description: "ElastiCache (Redis, Valkey) replication groups, clusters and serverless caches keep snapshots at least `elasticacheSnapshotRetentionDays`.",
  cause: "snapshotRetentionLimit (CloudFormation: SnapshotRetentionLimit) below `elasticacheSnapshotRetentionDays`; unset or 0 means no automatic snapshots. Memcached and nodes of a replication group are skipped.",
  explanation: "A cache that holds state (sessions, queues, counters) loses it all on a failure or a bad flush unless there is a snapshot to restore from.",
  enforcement: "mandatory",
  settings: ["elasticacheSnapshotRetentionDays"],
  scope: "resource",
  appliesTo: "aws:elasticache/replicationGroup:ReplicationGroup, aws:elasticache/cluster:Cluster, aws:elasticache/serverlessCache:ServerlessCache, AWS::ElastiCache::ReplicationGroup, AWS::ElastiCache::CacheCluster, AWS::ElastiCache::ServerlessCache",
  check(facts, settings) {
    return facts.caches
      .filter((c) => !c.isMember && (c.snapshotRetentionDays ?? 0) < settings.elasticacheSnapshotRetentionDays)
      .map((c) => ({
        subject: c,
        property: "snapshotRetentionDays",
        message: (c.snapshotRetentionDays ?? 0) === 0 ? "Automatic snapshots are disabled." : `Snapshots are kept ${days(c.snapshotRetentionDays as number)}, less than the required ${days(settings.elasticacheSnapshotRetentionDays)}.`,
        actual: c.snapshotRetentionDays ?? null,
        fix: `Set snapshotRetentionLimit to between ${settings.elasticacheSnapshotRetentionDays} and 35, and a snapshotWindow.`,
      }));
  },
};
