import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as rds from "@pulumi/aws/rds";
import { BackupVault } from "@lifeboat/constructs/pulumi/aws";
import { record, Recorder } from "@lifeboat/constructs/testing";

/** A resource of any type token, as a provider SDK would declare it. */
class AnyResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

describe("Recorder", () => {
  it("records each resource's parent, dependencies, protection and plain inputs", async () => {
    const recorder = new Recorder({ project: "proj", stack: "test" });
    class Parent extends pulumi.ComponentResource {
      constructor(name: string) {
        super("test:index:Parent", name, {});
      }
    }
    const parent = new Parent("p");
    const first = new AnyResource("aws:sns/topic:Topic", "first", { displayName: "one" }, { parent });
    new AnyResource("aws:sns/topicPolicy:TopicPolicy", "second", { arn: first.id, policy: "{}" }, { parent, dependsOn: [first], protect: true });

    await recorder.settle();

    const second = recorder.get("aws:sns/topicPolicy:TopicPolicy", "second");
    expect(second.urn).toBe("urn:pulumi:test::proj::test:index:Parent$aws:sns/topicPolicy:TopicPolicy::second");
    expect(second.parent).toBe("urn:pulumi:test::proj::test:index:Parent::p");
    expect(second.dependencies).toContain("urn:pulumi:test::proj::test:index:Parent$aws:sns/topic:Topic::first");
    expect(second.protect).toBe(true);
    // A topic's id is its ARN, so the policy's input is the first topic's ARN in plain text.
    expect(second.inputs).toEqual({ arn: recorder.get("aws:sns/topic:Topic", "first").outputs.arn, policy: "{}" });
    expect(second.inputs.arn).toMatch(/^arn:aws:sns:us-east-1:123456789012:first-[0-9a-f]{7}$/);
    expect(recorder.get("aws:sns/topic:Topic", "first").protect).toBe(false);
  });

  it("names the resources of a type that exist when asked for one that does not", async () => {
    const recorder = new Recorder();
    new AnyResource("aws:sns/topic:Topic", "alerts", {});
    await recorder.settle();

    expect(() => recorder.get("aws:sns/topic:Topic", "alarms")).toThrow(/registered: alerts/);
  });
});

describe("record", () => {
  it("records a Lifeboat component with the outputs the fake cloud gives it, RDS secrets and regions included", async () => {
    const recorder = await record(
      () => {
        new BackupVault("orders", { retention: { daily: "35d", weekly: "90d", monthly: "1y" } });
        new rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.micro", allocatedStorage: 20, manageMasterUserPassword: true, username: "app" });
      },
      { cloud: { region: "eu-west-1", account: "111122223333" } },
    );

    const bucket = recorder.get("aws:s3/bucket:Bucket", "orders-bucket");
    const db = recorder.get("aws:rds/instance:Instance", "db");
    expect(bucket.outputs.arn).toMatch(/^arn:aws:s3:::orders-bucket-[0-9a-f]{7}$/);
    expect(bucket.outputs.region).toBe("eu-west-1");
    expect(db.outputs.masterUserSecrets).toEqual([expect.objectContaining({ secretArn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-/) })]);
    expect(recorder.descendantsOf(recorder.get("lifeboat:aws:BackupVault", "orders").urn).map((r) => r.name)).toContain("orders-versioning");
  });
});
