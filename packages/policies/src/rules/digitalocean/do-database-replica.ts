import type { Rule } from "../../engine/rule";

/** Engines whose clusters can have a read-only replica. */
const REPLICABLE = new Set(["pg", "mysql"]);

/** When required, PostgreSQL and MySQL clusters keep a read-only replica in another region. */
export const doDatabaseReplica: Rule = {
  id: "do-database-replica",
  area: "digitalocean",
  description: "With `requireCrossRegionBackups`, every DigitalOcean PostgreSQL and MySQL cluster has a read-only DatabaseReplica in another region.",
  cause: "A pg or mysql DatabaseCluster with no DatabaseReplica pointing at it, or only replicas in its own region.",
  explanation: "DigitalOcean keeps a cluster's backups in its own region: a regional outage takes them with the cluster. A replica elsewhere can be promoted instead.",
  enforcement: "mandatory",
  settings: ["requireCrossRegionBackups"],
  scope: "stack",
  appliesTo: "digitalocean:index/databaseCluster:DatabaseCluster (+ DatabaseReplica)",
  check(facts, settings) {
    if (!settings.requireCrossRegionBackups) return [];
    return facts.doDatabases
      .filter((d) => !d.isReplica && d.engine !== undefined && REPLICABLE.has(d.engine) && !d.replicaRegions.some((r) => r !== d.region))
      .map((d) => ({
        subject: d,
        property: "replica",
        message: d.replicaRegions.length === 0 ? "No read-only replica of this cluster exists in another region." : `Its replicas are all in its own region (${d.region}).`,
        actual: d.replicaRegions,
        fix: "Add a digitalocean.DatabaseReplica with clusterId pointing at it and region set to the DR region.",
      }));
  },
};
