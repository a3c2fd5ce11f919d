import type { Rule } from "../../engine/rule";
import { isVault } from "../support/vaults";

/** Spaces vaults keep every version. */
export const doSpacesVersioning: Rule = {
  id: "do-spaces-versioning",
  area: "digitalocean",
  description: "DigitalOcean Spaces buckets used as backup vaults have versioning enabled.",
  cause: "versioning.enabled not true on a Spaces bucket judged as a vault (see Vaults in RULES.md).",
  explanation: "Without versioning an overwrite or a delete destroys the backup at once, with no window to undo it.",
  enforcement: "mandatory",
  settings: ["vaultBuckets", "vaultNamePatterns"],
  scope: "resource",
  appliesTo: "digitalocean:index/spacesBucket:SpacesBucket",
  check(facts, settings) {
    return facts.spacesBuckets
      .filter((b) => isVault(b, settings) && !b.versioning)
      .map((b) => ({ subject: b, property: "versioning", message: "Versioning is off on this Spaces vault.", actual: false, fix: "Set versioning: { enabled: true }." }));
  },
};
