import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type { RecordedResource } from "@lifeboat/constructs/testing";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

// The gRPC library the generated client was built with: credentials must come from the same copy.
const grpc = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"))("@grpc/grpc-js") as typeof import("@grpc/grpc-js");

export const PACK_DIR = resolve(__dirname, "../../packages/policies");

/** A diagnostic as the Pulumi CLI receives it. */
export interface Diagnostic {
  readonly policyName: string;
  readonly urn: string;
  readonly message: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

/** The pack, spawned the way the Pulumi CLI runs it, and a client speaking the Analyzer protocol. */
export class RunningPack {
  private constructor(
    readonly process: ChildProcess,
    private readonly client: InstanceType<typeof analyzerGrpc.AnalyzerClient>,
  ) {}

  /**
   * Runs the `main` of PulumiPolicy.yaml with Node from the pack's folder, as `pulumi preview
   * --policy-pack` does, and connects to the port it prints. Without `dir`, builds the workspace's
   * pack first (incremental `tsc -b`, a no-op after `npm test`'s build).
   */
  static async start(options: { readonly dir?: string; readonly node?: string } = {}): Promise<RunningPack> {
    const dir = options.dir ?? PACK_DIR;
    if (!options.dir) execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", PACK_DIR], { stdio: "inherit" });
    // A pack without PulumiPolicy.yaml (the benchmark's AWSGuard) is served by its index.js.
    const project = join(dir, "PulumiPolicy.yaml");
    const main = existsSync(project) ? /^main:\s*(\S+)/m.exec(readFileSync(project, "utf8"))?.[1] : "index.js";
    if (!main) throw new Error(`${project} names no main`);
    const child = spawn(options.node ?? process.execPath, [join(dir, main)], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolvePort, reject) => {
      // Only until the port is printed: a pack that started must outlive a slow test setup.
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the pack printed no port within 30 s: ${stderr}`));
      }, 30_000);
      timer.unref();
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const line = /^(\d+)\s*$/m.exec(out);
        if (!line) return;
        clearTimeout(timer);
        resolvePort(Number(line[1]));
      });
      child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before printing its port: ${stderr}`)));
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new RunningPack(child, client);
  }

  private call<Req, Res>(method: string, request: Req): Promise<Res> {
    return new Promise((res, rej) => (this.client as unknown as Record<string, (r: Req, cb: (e: Error | null, v: Res) => void) => void>)[method]!(request, (err, value) => (err ? rej(err) : res(value))));
  }

  async getAnalyzerInfo(): Promise<{ name: string; version: string; policies: { name: string; enforcementLevel: string; configSchema: string[] }[] }> {
    const info = await this.call<Empty, analyzerPb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p) => ({ name: p.getName(), enforcementLevel: LEVELS[p.getEnforcementlevel()] as string, configSchema: Object.keys(p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) })),
    };
  }

  /** Sends policy config the way `--policy-pack-config` does: policy name → enforcement and properties. */
  async configure(config: Record<string, { enforcementLevel?: "advisory" | "mandatory" | "disabled"; properties?: Record<string, unknown> }>): Promise<void> {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(config)) {
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVELS.indexOf(c.enforcementLevel ?? "mandatory") as never);
      pc.setProperties(Struct.fromJavaScript((c.properties ?? {}) as never));
      request.getPolicyconfigMap().set(name, pc);
    }
    await this.call("configure", request);
  }

  async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
    const request = new analyzerPb.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(Struct.fromJavaScript(resource.properties as never));
    request.setOptions(options(resource));
    if (resource.provider) request.setProvider(provider(resource.provider));
    return diagnostics(await this.call<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>("analyze", request));
  }

  async analyzeStack(resources: readonly AnalyzedResource[]): Promise<Diagnostic[]> {
    const request = new analyzerPb.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((r) => {
        const ar = new analyzerPb.AnalyzerResource();
        ar.setType(r.type);
        ar.setUrn(r.urn);
        ar.setName(r.name);
        ar.setProperties(Struct.fromJavaScript(r.properties as never));
        ar.setOptions(options(r));
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList([...r.dependencies]);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzerPb.AnalyzerPropertyDependencies();
          deps.setUrnsList([...urns]);
          ar.getPropertydependenciesMap().set(k, deps);
        }
        if (r.provider) ar.setProvider(provider(r.provider));
        return ar;
      }),
    );
    return diagnostics(await this.call<analyzerPb.AnalyzeStackRequest, analyzerPb.AnalyzeResponse>("analyzeStack", request));
  }

  stop(): void {
    this.client.close();
    this.process.kill();
  }
}

/** A resource as the engine sends it to an analyzer. */
export interface AnalyzedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly protect: boolean;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly properties: Record<string, unknown>;
  readonly provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
}

/**
 * Turns a recorded stack into what the engine sends in AnalyzeStack: properties are the outputs
 * (which echo the inputs), and every custom resource carries its provider, the default one (with
 * the stack's `aws:region`) when the program passed none, as the engine does.
 */
export function asAnalyzed(resources: readonly RecordedResource[], stack: { project: string; stack: string; region: string }): AnalyzedResource[] {
  const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
  const defaultAws = { urn: `urn:pulumi:${stack.stack}::${stack.project}::pulumi:providers:aws::default_7_0_0`, type: "pulumi:providers:aws", name: "default_7_0_0", properties: { region: stack.region } };
  return resources
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => {
      const explicit = r.provider ? providers.get(r.provider) : undefined;
      const provider = explicit ? { urn: explicit.urn, type: explicit.type, name: explicit.name, properties: explicit.inputs } : r.type.startsWith("aws:") ? defaultAws : undefined;
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        ...(r.parent ? { parent: r.parent } : {}),
        protect: r.protect,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        properties: stripUndefined({ ...r.inputs, ...r.outputs }),
        ...(provider ? { provider } : {}),
      };
    });
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function options(r: AnalyzedResource): analyzerPb.AnalyzerResourceOptions {
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  if (r.parent) o.setParent(r.parent);
  return o;
}

function provider(p: NonNullable<AnalyzedResource["provider"]>): analyzerPb.AnalyzerProviderResource {
  const pr = new analyzerPb.AnalyzerProviderResource();
  pr.setUrn(p.urn);
  pr.setType(p.type);
  pr.setName(p.name);
  pr.setProperties(Struct.fromJavaScript(p.properties as never));
  return pr;
}

function diagnostics(response: analyzerPb.AnalyzeResponse): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({ policyName: d.getPolicyname(), urn: d.getUrn(), message: d.getMessage(), enforcementLevel: LEVELS[d.getEnforcementlevel()] as Diagnostic["enforcementLevel"] }));
}

