import { createRequire } from "node:module";
import { type PackConfiguration, setPackConfiguration } from "./policies";

interface PolicyConfigMessage {
  getEnforcementlevel(): number;
  getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface ConfigureRequest {
  getPolicyconfigMap(): { entries(): Iterable<[string, PolicyConfigMessage]> };
}
type Handler = (call: { request: ConfigureRequest }, callback: (...args: unknown[]) => void) => unknown;

// The Analyzer protocol's enforcement levels, by their wire numbers.
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

/** Reads a Configure request the way the policy SDK does: policy name → enforcement and properties. */
export function readConfigureRequest(request: ConfigureRequest): PackConfiguration {
  const config: Record<string, { enforcementLevel?: string; properties: Record<string, unknown> }> = {};
  for (const [name, policy] of request.getPolicyconfigMap().entries()) {
    const level = LEVELS[policy.getEnforcementlevel()];
    config[name] = { ...(level ? { enforcementLevel: level } : {}), properties: policy.getProperties()?.toJavaScript() ?? {} };
  }
  return config;
}

/**
 * Lets the pack read every policy's configuration, not only each policy its own: the policy SDK
 * keeps the Configure call's content to itself and gives a policy only its own part, but the
 * `lifeboat` policy judges every stack rule with that rule's settings and enforcement. Wraps the
 * Configure handler the SDK registers with gRPC, before the SDK starts its server; the SDK's own
 * handler still runs. Throws when the SDK's gRPC library cannot be found, so a pack that could not
 * read its configuration never starts.
 */
export function captureConfiguration(): void {
  const fromPolicySdk = createRequire(require.resolve("@pulumi/policy"));
  const grpc = fromPolicySdk("@grpc/grpc-js") as { Server: { prototype: { addService(service: unknown, implementation: Record<string, unknown>): void } } };
  const prototype = grpc.Server.prototype;
  const addService = prototype.addService;
  prototype.addService = function (this: unknown, service: unknown, implementation: Record<string, unknown>) {
    const configure = implementation?.configure as Handler | undefined;
    if (typeof configure !== "function") return addService.call(this, service, implementation);
    const capturing: Handler = function (this: unknown, call, callback) {
      setPackConfiguration(readConfigureRequest(call.request));
      return configure.call(this, call, callback);
    };
    return addService.call(this, service, { ...implementation, configure: capturing });
  };
}
