import type { Fact } from "../../facts";
import type { Rule } from "../../engine/rule";

/** When configured, data lives only in the allowed regions. */
export const dataStoreAllowedRegions: Rule = {
  id: "data-store-allowed-regions",
  area: "regions",
  description: "With `allowedRegions`, every data store (buckets, RDS, ElastiCache, DynamoDB, AWS Backup vaults, Spaces, DigitalOcean databases) is in an allowed region.",
  cause: "A data store whose region (its own `region`, its provider's, or its ARN's) is not in `allowedRegions`. A data store whose region cannot be told is not judged.",
  explanation: "Data residency rules (GDPR, contracts) cover backups and replicas as much as the primary data; a replica in a forbidden region is a breach however well it is encrypted.",
  enforcement: "mandatory",
  settings: ["allowedRegions"],
  scope: "resource",
  appliesTo: "buckets, databases, caches, tables, backup vaults (AWS and DigitalOcean)",
  check(facts, settings) {
    const allowed = settings.allowedRegions;
    if (!allowed) return [];
    const stores: Fact[] = [...facts.buckets, ...facts.databases, ...facts.caches, ...facts.tables, ...facts.backupVaults, ...facts.spacesBuckets, ...facts.doDatabases, ...facts.backupReplications];
    return stores
      .filter((f) => f.region !== undefined && !allowed.includes(f.region))
      .map((f) => ({ subject: f, property: "region", message: `The data store is in ${f.region}, which is not an allowed region (${allowed.join(", ")}).`, actual: f.region ?? null, fix: `Create it with a provider for one of ${allowed.join(", ")}, or add ${f.region} to allowedRegions.` }));
  },
};
