import { describe, expect, it } from "vitest";
import { FakeCloud, plainValue } from "@lifeboat/preview";

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
