import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import type { PulumiResource } from "../adapters/pulumi/resource";

// The policy SDK wraps properties in a proxy that throws when a rule touches a value known only after
// deploy. The adapter reads unknown values itself (and says so in its findings), so it takes the
// proxied object out; this key is the SDK's own way to do that.
const PROXY_TARGET = "__getSpecialProxyTarget";

function unwrap(props: unknown): Record<string, unknown> {
  if (props === null || typeof props !== "object") return {};
  const target = (props as Record<string, unknown>)[PROXY_TARGET];
  return (target && typeof target === "object" ? target : props) as Record<string, unknown>;
}

function providerOf(provider: PolicyResource["provider"]): PulumiResource["provider"] {
  return provider ? { urn: provider.urn, type: provider.type, properties: unwrap(provider.props) } : undefined;
}

/** Maps a resource of a stack policy's arguments onto the adapter's shape. */
export function fromPolicyResource(r: PolicyResource): PulumiResource {
  const provider = providerOf(r.provider);
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.parent ? { parent: r.parent.urn } : {}),
    ...(provider ? { provider } : {}),
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
    propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [k, (v ?? []).map((d) => d.urn)])),
    properties: unwrap(r.props),
  };
}

/** Maps the resource a resource policy judges onto the adapter's shape. */
export function fromValidationArgs(args: ResourceValidationArgs): PulumiResource {
  const provider = providerOf(args.provider);
  return {
    urn: args.urn,
    type: args.type,
    name: args.name,
    ...(args.opts?.parent ? { parent: args.opts.parent } : {}),
    ...(provider ? { provider } : {}),
    dependencies: [],
    propertyDependencies: {},
    properties: unwrap(args.props),
  };
}
