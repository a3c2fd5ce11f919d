/**
 * One resource of a Pulumi stack, in the one shape the Pulumi adapter reads. Both the mock engine's
 * recording (`@lifeboat/preview`) and the policy SDK's `PolicyResource` map onto it.
 */
export interface PulumiResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  /** The explicit provider: its URN, or the provider with its properties (which carry `region`). */
  readonly provider?: string | { readonly urn?: string; readonly type?: string; readonly properties?: Readonly<Record<string, unknown>> };
  readonly dependencies?: readonly string[];
  /** Input property → URNs its value came from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** What the engine reports: inputs during a preview, outputs after an update. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The shape `@lifeboat/preview` records. */
export interface RecordedResourceLike {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string | null;
  readonly provider?: string | null;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly outputs?: Readonly<Record<string, unknown>>;
}

/** Maps a recorded resource: outputs over inputs, as the engine reports a resource after an update. */
export function fromRecorded(r: RecordedResourceLike): PulumiResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    dependencies: r.dependencies ?? [],
    propertyDependencies: r.propertyDependencies ?? {},
    properties: { ...(r.inputs ?? {}), ...(r.outputs ?? {}) },
  };
}
