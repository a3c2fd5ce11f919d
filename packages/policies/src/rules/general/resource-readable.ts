import type { Rule } from "../../engine/rule";

/** Every resource the rules judge could be read. */
export const resourceReadable: Rule = {
  id: "resource-readable",
  area: "general",
  description: "Every resource of a judged type has properties the adapters can read.",
  cause: "A resource whose properties have a shape the adapter did not expect, so no rule could judge it.",
  explanation: "A resource that cannot be read cannot be proven compliant; passing it silently would hide exactly the unusual configuration that needs a look.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "every resource type the adapters read",
  check(facts) {
    return facts.unreadable.map((u) => ({
      subject: { id: u.id, type: u.type, name: u.name, tags: {}, unknown: new Set<string>() },
      message: `The resource could not be read: ${u.error}.`,
      actual: u.error,
      fix: "Check the resource's properties; if they are valid, report the shape to the Lifeboat maintainers and exempt the resource meanwhile.",
    }));
  },
};
