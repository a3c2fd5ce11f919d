import type { PulumiResource } from "../adapters/pulumi/resource";

/** A resource state as `pulumi preview --json` (a step's `newState`) and `pulumi stack export` write it. */
interface ResourceState {
  readonly urn?: unknown;
  readonly type?: unknown;
  readonly parent?: unknown;
  readonly provider?: unknown;
  readonly dependencies?: unknown;
  readonly propertyDependencies?: unknown;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
}

/** `true` for the output of `pulumi preview --json`: an object with a `steps` array. */
export function isPreviewJson(document: unknown): document is { steps: readonly unknown[] } {
  return isObject(document) && Array.isArray(document.steps);
}

/** `true` for the output of `pulumi stack export`: `{ deployment: { resources: [...] } }`. */
export function isStackExport(document: unknown): document is { deployment: { resources: readonly unknown[] } } {
  return isObject(document) && isObject(document.deployment) && Array.isArray(document.deployment.resources);
}

/**
 * The resources a `pulumi preview --json` would leave in the stack (every step but deletes), in the
 * shape the Pulumi adapter reads: the new state's inputs, with the outputs an existing resource
 * already has over them, as the engine hands the policy pack.
 */
export function resourcesFromPreview(preview: { steps: readonly unknown[] }): PulumiResource[] {
  const states: ResourceState[] = [];
  for (const step of preview.steps) {
    if (!isObject(step) || step.op === "delete" || step.op === "discard" || !isObject(step.newState)) continue;
    states.push(step.newState as ResourceState);
  }
  return states.flatMap((s) => toResource(s, { ...asBag(s.inputs), ...asBag(s.outputs) }));
}

/** The resources of a `pulumi stack export`: outputs over inputs, as the engine reports them after an update. */
export function resourcesFromStackExport(exported: { deployment: { resources: readonly unknown[] } }): PulumiResource[] {
  return exported.deployment.resources.filter(isObject).flatMap((s: ResourceState) => toResource(s, { ...asBag(s.inputs), ...asBag(s.outputs) }));
}

function toResource(state: ResourceState, properties: unknown): PulumiResource[] {
  if (typeof state.urn !== "string" || typeof state.type !== "string") return [];
  const provider = typeof state.provider === "string" && state.provider ? urnOfReference(state.provider) : undefined;
  const dependencies = Array.isArray(state.dependencies) ? state.dependencies.filter((d): d is string => typeof d === "string") : [];
  const propertyDependencies: Record<string, string[]> = {};
  for (const [key, urns] of Object.entries(asBag(state.propertyDependencies))) {
    if (Array.isArray(urns)) propertyDependencies[key] = urns.filter((u): u is string => typeof u === "string");
  }
  return [
    {
      urn: state.urn,
      type: state.type,
      name: state.urn.split("::").pop() ?? state.urn,
      ...(typeof state.parent === "string" && state.parent ? { parent: state.parent } : {}),
      ...(provider ? { provider } : {}),
      dependencies,
      propertyDependencies,
      properties: asBag(properties),
    },
  ];
}

/** A provider reference is `<urn>::<id>`; the URN is everything before the last `::`. */
function urnOfReference(reference: string): string {
  const parts = reference.split("::");
  return parts.length > 4 ? parts.slice(0, -1).join("::") : reference;
}

function asBag(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
