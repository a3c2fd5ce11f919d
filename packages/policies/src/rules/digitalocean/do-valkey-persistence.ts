import type { Rule } from "../../engine/rule";

/** Managed Valkey and Redis keep persistence on. */
export const doValkeyPersistence: Rule = {
  id: "do-valkey-persistence",
  area: "digitalocean",
  description: "DigitalOcean managed Valkey (and Redis) clusters keep persistence on: no DatabaseValkeyConfig or DatabaseRedisConfig sets `persistence` to `off`.",
  cause: 'persistence "off" on a DatabaseValkeyConfig or DatabaseRedisConfig.',
  explanation: "With persistence off, a restart or failover of the cluster loses every key, and DigitalOcean takes no backups of it either.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "digitalocean:index/databaseCluster:DatabaseCluster (+ DatabaseValkeyConfig, DatabaseRedisConfig)",
  check(facts) {
    return facts.doDatabases
      .filter((d) => d.persistence === "off")
      .map((d) => ({ subject: d, property: "persistence", message: "Persistence is off on this cluster: a restart loses every key.", actual: "off", fix: 'Set persistence: "rdb" (or remove the setting; rdb is the default).' }));
  },
};
