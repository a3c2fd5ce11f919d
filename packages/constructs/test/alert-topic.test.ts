import { describe, expect, it } from "vitest";
import { AlertTopic } from "@lifeboat/constructs/pulumi/aws";
import { policyOf, record, statement } from "./support";

describe("AlertTopic", () => {
  it("encrypts the topic with its own key that CloudWatch, EventBridge and AWS Backup may use", async () => {
    const rec = await record(() => new AlertTopic("alerts"));
    const key = rec.get("aws:kms/key:Key", "alerts-key-key");

    expect(rec.get("aws:sns/topic:Topic", "alerts-topic").inputs.kmsMasterKeyId).toBe(key.outputs.arn);
    expect(statement(policyOf(key), "ServicesUseKey").Principal).toEqual({
      Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com"],
    });
  });

  it("lets those services publish only on behalf of this account", async () => {
    const rec = await record(() => new AlertTopic("alerts"), { cloud: { account: "111122223333" } });
    const topicArn = rec.get("aws:sns/topic:Topic", "alerts-topic").outputs.arn as string;
    const policy = policyOf(rec.get("aws:sns/topicPolicy:TopicPolicy", "alerts-policy"));

    expect(statement(policy, "ServicesPublishAlerts")).toEqual({
      Sid: "ServicesPublishAlerts",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com"] },
      Action: ["sns:Publish"],
      Resource: [topicArn],
      Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
    });
    expect(statement(policy, "AccountManagesTopic").Principal).toEqual({ AWS: "arn:aws:iam::111122223333:root" });
  });

  it("subscribes emails and HTTPS endpoints under names that do not depend on their order", async () => {
    const first = await record(() => new AlertTopic("alerts", { emails: ["a@example.com", "b@example.com"], httpsEndpoints: ["https://hooks.example.com/x"] }));
    const names = first.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.name).sort();
    const reordered = await record(() => new AlertTopic("alerts", { emails: ["b@example.com", "a@example.com"], httpsEndpoints: ["https://hooks.example.com/x"] }));

    expect(first.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint]).sort()).toEqual([
      ["email", "a@example.com"],
      ["email", "b@example.com"],
      ["https", "https://hooks.example.com/x"],
    ]);
    expect(names.every((n) => /^alerts-(email|https)-[0-9a-f]{8}$/.test(n))).toBe(true);
    expect(reordered.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.name).sort()).toEqual(names);
  });

  it("uses a key passed in and creates none", async () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const rec = await record(() => new AlertTopic("alerts", { key: arn }));

    expect(rec.ofType("aws:kms/key:Key")).toEqual([]);
    expect(rec.get("aws:sns/topic:Topic", "alerts-topic").inputs.kmsMasterKeyId).toBe(arn);
  });
});
