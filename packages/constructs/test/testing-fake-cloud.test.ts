import { describe, expect, it } from "vitest";
import { awsFakes, FakeCloud, type FakeProvider, plainValue } from "@lifeboat/constructs/testing";

describe("FakeCloud", () => {
  it("gives a bucket without a name an S3 ARN derived from its logical name", () => {
    const cloud = new FakeCloud();

    const { id, state } = cloud.newResource({ type: "aws:s3/bucket:Bucket", name: "Vault-Bucket", inputs: {}, custom: true });

    expect(id).toMatch(/^vault-bucket-[0-9a-f]{7}$/);
    expect(state.arn).toBe(`arn:aws:s3:::${id}`);
    expect(state.region).toBe("us-east-1");
  });

  it("places a resource in the region of the provider it was created with", () => {
    const cloud = new FakeCloud({ region: "eu-west-1" });
    cloud.newResource({ type: "pulumi:providers:aws", name: "replica-provider", inputs: { region: "eu-central-1" }, custom: true });
    const providerRef = "urn:pulumi:dev::p::lifeboat:aws:ReplicatedBackupVault$pulumi:providers:aws::replica-provider::replica-provider-id";

    const key = cloud.newResource({ type: "aws:kms/key:Key", name: "k", inputs: {}, custom: true, provider: providerRef });
    const defaultKey = cloud.newResource({ type: "aws:kms/key:Key", name: "k2", inputs: {}, custom: true });

    expect(key.state.arn).toMatch(/^arn:aws:kms:eu-central-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(defaultKey.state.arn).toMatch(/^arn:aws:kms:eu-west-1:/);
  });

  it("answers the region data source with the provider's region", () => {
    const cloud = new FakeCloud({ account: "210987654321" });
    cloud.newResource({ type: "pulumi:providers:aws", name: "west", inputs: { region: "us-west-2" }, custom: true });

    const region = cloud.call({ token: "aws:index/getRegion:getRegion", inputs: {}, provider: "urn:pulumi:s::p::pulumi:providers:aws::west::id" });
    const identity = cloud.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} });

    expect(region.region).toBe("us-west-2");
    expect(identity.accountId).toBe("210987654321");
  });

  it("refuses a data source it does not know instead of inventing an answer", () => {
    const cloud = new FakeCloud();

    expect(() => cloud.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} })).toThrow(/cannot answer the data source aws:ec2\/getAmi:getAmi/);
  });
});

describe("plainValue", () => {
  it("hides secrets and turns resource references into URNs", () => {
    const value = {
      password: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
      provider: { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:pulumi:s::p::t::n", id: "x" },
      list: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", 3],
    };

    expect(plainValue(value)).toEqual({ password: "[secret]", provider: "urn:pulumi:s::p::t::n", list: ["<unknown>", 3] });
  });
});

describe("FakeCloud providers", () => {
  it("answers a provider's resources per type token next to AWS's, and echoes the rest of its package", () => {
    const example: FakeProvider = {
      package: "example",
      resources: { "example:index/bucket:Bucket": ({ name, region }) => ({ id: `${name}.${region}.example.test`, state: { endpoint: `https://${region}.example.test` } }) },
      calls: {},
    };
    const cloud = new FakeCloud({ region: "nyc3", providers: [awsFakes, example] });

    const bucket = cloud.newResource({ type: "example:index/bucket:Bucket", name: "media", inputs: {}, custom: true });
    const other = cloud.newResource({ type: "example:index/droplet:Droplet", name: "runner", inputs: { size: "s-1vcpu-1gb" }, custom: true });
    const key = cloud.newResource({ type: "aws:kms/key:Key", name: "k", inputs: {}, custom: true });

    expect(bucket).toEqual({ id: "media.nyc3.example.test", state: { endpoint: "https://nyc3.example.test" } });
    expect(other.id).toMatch(/^runner-[0-9a-f]{7}$/);
    expect(other.state).toEqual({ size: "s-1vcpu-1gb", id: other.id });
    expect(key.state.arn).toMatch(/^arn:aws:kms:nyc3:123456789012:key\//);
  });

  it("answers a data source taught with onCall in the region of the calling provider", () => {
    const cloud = new FakeCloud().onCall("aws:ec2/getAmi:getAmi", ({ region, inputs }) => ({ id: `ami-${region}`, owners: inputs.owners }));
    cloud.newResource({ type: "pulumi:providers:aws", name: "west", inputs: { region: "us-west-2" }, custom: true });

    const ami = cloud.call({ token: "aws:ec2/getAmi:getAmi", inputs: { owners: ["amazon"] }, provider: "urn:pulumi:s::p::pulumi:providers:aws::west::id" });

    expect(ami).toEqual({ id: "ami-us-west-2", owners: ["amazon"] });
  });

  it("lets a test override how one AWS type is answered without losing the others", () => {
    const cloud = new FakeCloud().onResource("aws:sns/topic:Topic", ({ name }) => ({ id: name, state: { arn: `arn:aws:sns:us-east-1:123456789012:${name}`, custom: true } }));

    const topic = cloud.newResource({ type: "aws:sns/topic:Topic", name: "alerts", inputs: {}, custom: true });
    const bucket = cloud.newResource({ type: "aws:s3/bucket:Bucket", name: "b", inputs: { bucket: "my-bucket" }, custom: true });

    expect(topic.state).toEqual({ arn: "arn:aws:sns:us-east-1:123456789012:alerts", custom: true });
    expect(bucket.state.arn).toBe("arn:aws:s3:::my-bucket");
  });
});
