import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { pathToFileURL } from "node:url";
import { FakeCloud, type FakeCloudOptions } from "./fake-cloud";

/**
 * One resource as the engine saw it: what a policy pack receives, plus the outputs the fake cloud
 * returned.
 */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** `false` for components (and the stack). */
  readonly custom: boolean;
  readonly parent?: string;
  /** The URN of the explicit provider, when one was passed. */
  readonly provider?: string;
  readonly dependencies: readonly string[];
  /** Input property → URNs it depends on. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly protect: boolean;
  readonly id?: string;
  /** Inputs in plain JSON: secrets read `[secret]`, resource references are URNs. */
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
}

/** Options of a recording: the project, stack, configuration and cloud the program runs against. */
export interface RecordingOptions {
  /** @default "lifeboat" */
  readonly project?: string;
  /** @default "dev" */
  readonly stack?: string;
  /**
   * Pulumi configuration, keys namespaced (`aws:region`, `my-project:replicaRegion`).
   * @default - `aws:region` set to the cloud's region, nothing else
   */
  readonly config?: Record<string, string>;
  /** The fake cloud, or the options of a new one. @default - a new FakeCloud with AWS in us-east-1 */
  readonly cloud?: FakeCloud | FakeCloudOptions;
}

// The engine's markers inside serialized property values.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Turns a serialized property value into plain JSON without side effects (no resource lookups). */
export function plainValue(value: unknown): unknown {
  if (value === UNKNOWN) return "<unknown>";
  if (Array.isArray(value)) return value.map(plainValue);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  switch (record[SIG_KEY]) {
    case SECRET_SIG:
      return "[secret]";
    case RESOURCE_SIG:
      return record.urn;
    case OUTPUT_SIG:
      return record.secret === true ? "[secret]" : plainValue(record.value ?? null);
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return { asset: record.path ?? record.uri ?? "(inline)" };
    default:
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plainValue(v)]));
  }
}

function structToPlain(struct: { toJavaScript(): unknown } | undefined): Record<string, unknown> {
  return (struct ? plainValue(struct.toJavaScript()) : {}) as Record<string, unknown>;
}

const urnOfRef = (ref: string) => (ref ? ref.split("::").slice(0, -1).join("::") : undefined);

/**
 * Records every resource a Pulumi program registers, under the SDK's mock engine and a
 * {@link FakeCloud}. Create it before the program's resources; read `resources` after `settle()`.
 *
 * Only one recording can run per process: the Pulumi runtime is global.
 */
export class Recorder {
  readonly cloud: FakeCloud;
  readonly resources: RecordedResource[] = [];
  private readonly componentOutputs = new Map<string, Record<string, unknown>>();

  constructor(options: RecordingOptions = {}) {
    this.cloud = options.cloud instanceof FakeCloud ? options.cloud : new FakeCloud(options.cloud);
    const config = { ...(options.config ?? {}) };
    if (config["aws:region"] === undefined) config["aws:region"] = this.cloud.region;
    pulumi.runtime.setAllConfig(config);
    pulumi.runtime.setMocks(this.cloud, options.project ?? "lifeboat", options.stack ?? "dev", false);
    this.wrapMonitor();
  }

  private wrapMonitor(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(req: any, cb: (err: unknown, resp: any) => void): Promise<void>;
      registerResourceOutputs(req: any, cb: (err: unknown, resp: unknown) => void): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
      register(req, (err, resp) => {
        if (!err && resp) {
          const propertyDependencies: Record<string, string[]> = {};
          req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
          });
          const provider = urnOfRef(req.getProvider());
          this.resources.push({
            urn: resp.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            ...(req.getParent() ? { parent: req.getParent() } : {}),
            ...(provider ? { provider } : {}),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            protect: req.getProtect() === true,
            ...(resp.getId() ? { id: resp.getId() } : {}),
            inputs: structToPlain(req.getObject()),
            outputs: structToPlain(resp.getObject()),
          });
        }
        callback(err, resp);
      });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
      this.componentOutputs.set(req.getUrn(), structToPlain(req.getOutputs()));
      registerOutputs(req, callback);
    };
  }

  /** Waits until every registration the program started has been answered. */
  async settle(): Promise<void> {
    // waitForRPCs is internal to the SDK and missing from its typings; it drains the queue of pending calls.
    await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  }

  /** Outputs a component (or the stack) registered with `registerOutputs`. */
  outputsOf(urn: string): Record<string, unknown> | undefined {
    return this.componentOutputs.get(urn);
  }

  /** Outputs of the root stack: what `pulumi stack output` would print. */
  get stackOutputs(): Record<string, unknown> {
    const stack = this.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return (stack && this.componentOutputs.get(stack.urn)) ?? {};
  }

  /** Every recorded resource of a type token, in registration order. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one recorded resource of a type and name; throws when absent, naming what exists. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`No ${type} named "${name}" was registered; registered: ${names.length ? names.join(", ") : "none of that type"}.`);
    }
    return found;
  }

  /** Direct and indirect children of a resource. */
  descendantsOf(urn: string): RecordedResource[] {
    const out: RecordedResource[] = [];
    const walk = (parent: string) => {
      for (const r of this.resources) {
        if (r.parent === parent) {
          out.push(r);
          walk(r.urn);
        }
      }
    };
    walk(urn);
    return out;
  }
}

/**
 * Runs `build` (code that creates resources: your components, your stack) under the mock engine and
 * a {@link FakeCloud}, waits for every registration, and returns the recording. Each call starts a
 * fresh recording, so tests do not see each other's resources.
 *
 * @example
 * import { record } from "@lifeboat/constructs/testing";
 * import { BackupVault } from "@lifeboat/constructs/pulumi/aws";
 *
 * const recorder = await record(() => new BackupVault("orders", { retention: { daily: "35d" } }));
 * const bucket = recorder.get("aws:s3/bucket:Bucket", "orders-bucket");
 * console.log(bucket.outputs.arn); // arn:aws:s3:::orders-bucket-…
 */
export async function record(build: () => unknown, options: RecordingOptions = {}): Promise<Recorder> {
  const recorder = new Recorder(options);
  await build();
  await recorder.settle();
  return recorder;
}

/** The result of running one program: its resources and stack outputs. */
export interface RecordedStack {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

/**
 * Runs a Pulumi program (a module whose top level creates resources and whose exports are the stack
 * outputs) under the mock engine and records it. The program is loaded only after the mocks are set.
 */
export async function recordProgram(entry: string, options: RecordingOptions = {}): Promise<RecordedStack> {
  const recorder = new Recorder(options);
  await pulumi.runtime.runInPulumiStack(async () => {
    const exported = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    const { default: _default, "module.exports": _commonJs, ...outputs } = exported;
    return outputs;
  });
  await recorder.settle();
  return { resources: recorder.resources, outputs: recorder.stackOutputs };
}
