import type { Rule } from "../../engine/rule";

/** Managed database clusters admit only named sources. */
export const doDatabaseFirewall: Rule = {
  id: "do-database-firewall",
  area: "digitalocean",
  description: "DigitalOcean managed database clusters have a DatabaseFirewall with at least one trusted source (app, droplet, tag or address).",
  cause: "A DatabaseCluster with no DatabaseFirewall pointing at it, or only firewalls with no rules. A firewall whose cluster cannot be told (no dependency, an id not known yet) leaves clusters without one unjudged.",
  explanation: "A managed database with no trusted sources accepts connections from any address on the internet; its password is then the only thing between anyone and the data.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "digitalocean:index/databaseCluster:DatabaseCluster (+ DatabaseFirewall)",
  check(facts) {
    return facts.doDatabases
      .filter((d) => !d.isReplica && d.firewallRules === 0 && !d.unknown.has("firewall"))
      .map((d) => ({
        subject: d,
        property: "firewall",
        message: "No database firewall admits named sources to this cluster, so it accepts connections from any address.",
        actual: 0,
        fix: 'Add a digitalocean.DatabaseFirewall with clusterId pointing at it and rules for the application and the backup runner (type "app", "droplet" or "tag").',
      }));
  },
};
