import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExample, recordProgram, type RecordedResource } from "@lifeboat/preview";

const example = loadExample(join(__dirname, ".."));

describe("examples/aws under the mock engine", () => {
  it("builds a replicated vault in two regions, an alert topic, and exports where they are", async () => {
    const stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud: { region: "us-east-1" } });
    const find = (type: string, name: string) => stack.resources.find((r) => r.type === type && r.name === name) as RecordedResource;

    expect(find("lifeboat:aws:ReplicatedBackupVault", "backups")).toBeDefined();
    expect(find("pulumi:providers:aws", "backups-replica-provider").inputs.region).toBe("us-west-2");
    expect(find("aws:sns/topicSubscription:TopicSubscription", stack.resources.find((r) => r.type === "aws:sns/topicSubscription:TopicSubscription")!.name).inputs.endpoint).toBe(
      "backups-oncall@example.com",
    );
    const monthly = (find("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-primary-lifecycle").inputs.rules as any[]).find((r) => r.id === "tier-monthly");
    expect(monthly).toMatchObject({ expiration: { days: 365 }, transitions: [{ days: 30, storageClass: "GLACIER_IR" }] });
    expect(stack.outputs).toMatchObject({
      vaultBucket: find("aws:s3/bucket:Bucket", "backups-primary-bucket").outputs.bucket,
      replicaBucket: find("aws:s3/bucket:Bucket", "backups-replica-bucket").outputs.bucket,
      replicaRegionName: "us-west-2",
      alertTopicArn: find("aws:sns/topic:Topic", "backup-alerts-topic").outputs.arn,
    });
  });
});
