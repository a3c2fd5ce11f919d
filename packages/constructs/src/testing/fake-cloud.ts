import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { awsFakes } from "./aws";
import { digitalOceanFakes } from "./digitalocean";

/** What a fake resource is told about the resource being created. */
export interface FakeResourceArgs {
  /** The type token, such as `aws:s3/bucket:Bucket`. */
  readonly type: string;
  /** The logical name the program gave it. */
  readonly name: string;
  /** Its inputs, as the engine received them. */
  readonly inputs: Record<string, unknown>;
  /** Its region: its own `region` input, else its provider's, else the cloud's default. */
  readonly region: string;
  readonly account: string;
  /** Hex SHA-256 of type and name: stable material for generated ids, the same on every run. */
  readonly hash: string;
}

/** The id and outputs a fake resource reports, as the provider would after creating it. */
export interface FakeResourceResult {
  readonly id: string;
  readonly state: Record<string, unknown>;
}

/** How resources of one type get their id and outputs. */
export type FakeResource = (args: FakeResourceArgs) => FakeResourceResult;

/** What a fake data source is told about the call. */
export interface FakeCallArgs {
  /** The function token, such as `aws:index/getRegion:getRegion`. */
  readonly token: string;
  readonly inputs: Record<string, unknown>;
  /** The region of the provider the call was made with, else the cloud's default. */
  readonly region: string;
  readonly account: string;
}

/** How one data source answers. */
export type FakeCall = (args: FakeCallArgs) => Record<string, unknown>;

/**
 * One provider's fakes: its resources per type token and its data sources per function token.
 * `@lifeboat/constructs/testing` ships {@link awsFakes}; pass others in {@link FakeCloudOptions.providers}.
 */
export interface FakeProvider {
  /** The package its tokens start with: `aws` for `aws:s3/bucket:Bucket`. */
  readonly package: string;
  /** Per type token, how a resource of that type gets its id and outputs. */
  readonly resources: Readonly<Record<string, FakeResource>>;
  /**
   * Resources of this package whose type is not in `resources`.
   * @default - the resource's inputs, with an id made from its name
   */
  readonly otherResource?: FakeResource;
  /** Per function token, how a data source answers. Unknown data sources fail the program. */
  readonly calls: Readonly<Record<string, FakeCall>>;
}

/** Options of {@link FakeCloud}. */
export interface FakeCloudOptions {
  /** @default "123456789012" */
  readonly account?: string;
  /** The region of resources whose provider sets none. @default "us-east-1" */
  readonly region?: string;
  /**
   * The providers the cloud fakes; a later provider's tokens override an earlier one's.
   * @default - AWS and DigitalOcean ({@link awsFakes}, {@link digitalOceanFakes})
   */
  readonly providers?: readonly FakeProvider[];
}

/** A resource whose provider the cloud does not fake: its inputs echoed back, with an id from its name. */
const echoResource: FakeResource = ({ name, inputs, hash }) => {
  const id = `${name}-${hash.slice(0, 7)}`;
  return { id, state: { ...inputs, id } };
};

/**
 * A deterministic stand-in for the cloud under `pulumi.runtime.setMocks`: every resource gets the
 * physical name, id and outputs its provider would give it (in the region of its provider), and the
 * data sources Lifeboat calls answer for one fake account. Unknown data sources fail loudly rather
 * than return nothing, so a component never silently runs on made-up data; teach the cloud one with
 * {@link FakeCloud.onCall}.
 *
 * @example
 * import { FakeCloud } from "@lifeboat/constructs/testing";
 *
 * const cloud = new FakeCloud({ region: "eu-west-1" });
 * // The AMI lookup a program of yours makes, answered the same on every run.
 * cloud.onCall("aws:ec2/getAmi:getAmi", () => ({ id: "ami-0123456789abcdef0", architecture: "arm64" }));
 */
export class FakeCloud implements pulumi.runtime.Mocks {
  readonly account: string;
  readonly region: string;
  private readonly resourceFakes = new Map<string, FakeResource>();
  private readonly otherResourceFakes = new Map<string, FakeResource>();
  private readonly callFakes = new Map<string, FakeCall>();
  /** Provider type and name → region, learned as providers register. */
  private readonly providerRegions = new Map<string, string>();

  constructor(options: FakeCloudOptions = {}) {
    this.account = options.account ?? "123456789012";
    this.region = options.region ?? "us-east-1";
    for (const provider of options.providers ?? [awsFakes, digitalOceanFakes]) this.addProvider(provider);
  }

  /** Fakes a provider's resources and data sources, overriding tokens already known. */
  addProvider(provider: FakeProvider): this {
    for (const [type, fake] of Object.entries(provider.resources)) this.resourceFakes.set(type, fake);
    for (const [token, fake] of Object.entries(provider.calls)) this.callFakes.set(token, fake);
    if (provider.otherResource) this.otherResourceFakes.set(provider.package, provider.otherResource);
    return this;
  }

  /** Answers resources of `type` with `fake`, overriding what the cloud knew of the type. */
  onResource(type: string, fake: FakeResource): this {
    this.resourceFakes.set(type, fake);
    return this;
  }

  /** Answers the data source `token` with `fake`, overriding what the cloud knew of it. */
  onCall(token: string, fake: FakeCall): this {
    this.callFakes.set(token, fake);
    return this;
  }

  /** The region a resource or call using `providerRef` (`urn::id`) runs in. */
  regionOf(providerRef: string | undefined): string {
    if (!providerRef) return this.region;
    const parts = providerRef.split("::");
    const key = parts.length >= 5 ? providerKey(parts[2]!.split("$").pop()!, parts[3]!) : "";
    return this.providerRegions.get(key) ?? this.region;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (args.type.startsWith("pulumi:providers:")) {
      if (typeof inputs.region === "string") this.providerRegions.set(providerKey(args.type, args.name), inputs.region);
      return { id: `${args.name}-provider`, state: inputs };
    }
    if (args.custom === false) return { id: undefined, state: {} };

    const region = typeof inputs.region === "string" ? inputs.region : this.regionOf(args.provider);
    const hash = createHash("sha256").update(`${args.type}::${args.name}`).digest("hex");
    const fake = this.resourceFakes.get(args.type) ?? this.otherResourceFakes.get(args.type.split(":")[0]!) ?? echoResource;
    return fake({ type: args.type, name: args.name, inputs, region, account: this.account, hash });
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const fake = this.callFakes.get(args.token);
    if (!fake) {
      throw new Error(
        `The fake cloud cannot answer the data source ${args.token}: teach it what it returns with \`cloud.onCall("${args.token}", (args) => ({ ... }))\`.`,
      );
    }
    return fake({ token: args.token, inputs: (args.inputs ?? {}) as Record<string, unknown>, region: this.regionOf(args.provider), account: this.account });
  }
}

/** Providers are known by type and name: a provider reference carries its URN, whose last parts they are. */
function providerKey(type: string, name: string): string {
  return `${type}::${name}`;
}
