import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type EstatePosture } from "@lifeboat/constructs/core";
import { type ExampleRun, loadExample, writeRunbooks } from "@lifeboat/preview";
import { type RecordedResource, type RecordedStack, recordProgram } from "@lifeboat/constructs/testing";

const example = loadExample(join(__dirname, ".."));
let stack: RecordedStack;
const find = (type: string, name: string) => {
  const found = stack.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found as RecordedResource;
};

beforeAll(async () => {
  stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud: { region: "us-east-1" } });
});

describe("examples/aws under the mock engine", () => {
  it("protects PostgreSQL on RDS, Redis on ElastiCache and an uploads bucket with one estate", () => {
    const posture = stack.outputs.posture as EstatePosture;

    expect(posture.objectives).toEqual({ rpoMinutes: 60, rtoMinutes: 240, primaryRegion: "us-east-1", drRegion: "us-west-2" });
    expect(posture.sources.map((s) => [s.name, s.engine, s.meetsObjectives])).toEqual([
      ["postgres-main", "rds-instance", true],
      ["cache", "elasticache", true],
      ["uploads", "s3", true],
    ]);
    expect(find("pulumi:providers:aws", "estate-vault-replica-provider").inputs.region).toBe("us-west-2");
  });

  it("keeps dailies 35 days, weeklies 90, monthlies a year, archived after 30 days", () => {
    const rules = find("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "estate-vault-primary-lifecycle").inputs.rules as any[];

    expect(rules.slice(0, 3).map((r) => [r.id, r.expiration.days, r.transitions ?? []])).toEqual([
      ["tier-daily", 35, []],
      ["tier-weekly", 90, []],
      ["tier-monthly", 365, [{ days: 30, storageClass: "GLACIER_IR" }]],
    ]);
  });

  it("runs the jobs from the image in the example's ECR repository, the backups too long for Lambda on Fargate inside the private subnets, verification of the primary copy on Fargate, of the replica on Lambda", () => {
    const fn = find("aws:lambda/function:Function", "estate-verify-function");
    const repository = find("aws:ecr/repository:Repository", "lifeboat-jobs");
    const jobsGroup = find("aws:ec2/securityGroup:SecurityGroup", "backup-jobs").id;
    const task = find("aws:ecs/taskDefinition:TaskDefinition", "estate-postgres-main-backup-task-task");
    const [container] = JSON.parse(task.inputs.containerDefinitions as string);
    const schedule = find("aws:scheduler/schedule:Schedule", "estate-postgres-main-backup-task-schedule");

    expect(fn.inputs.imageUri).toBe(`${repository.outputs.repositoryUrl}:0.1.0`);
    // Verification reads the replica in the DR region, which the VPC's endpoints cannot reach: it runs outside.
    expect(fn.inputs.vpcConfig).toBeUndefined();
    expect(container).toMatchObject({ image: `${repository.outputs.repositoryUrl}:0.1.0`, entryPoint: ["/usr/local/bin/lifeboat"], command: ["backup", "--source", "postgres-main"] });
    expect((schedule.inputs.target as any).ecsParameters.networkConfiguration).toMatchObject({ securityGroups: [jobsGroup], assignPublicIp: false });
    expect(stack.resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition").map((r) => r.name).sort()).toEqual(["estate-postgres-main-backup-task-task", "estate-postgres-main-drill-task-task", "estate-postgres-main-verify-task-task", "estate-uploads-backup-task-task", "estate-uploads-verify-task-task"].sort());
    expect(stack.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => r.name)).toEqual(["estate-verify-function"]);
    expect(find("aws:sns/topicSubscription:TopicSubscription", stack.resources.find((r) => r.type === "aws:sns/topicSubscription:TopicSubscription")!.name).inputs.endpoint).toBe(
      "backups-oncall@example.com",
    );
  });

  it("writes a runbook that has each source's restore command", () => {
    const out = mkdtempSync(join(tmpdir(), "lifeboat-runbook-"));
    const run: ExampleRun = { example, stack };

    const [file] = writeRunbooks([run], out);
    const runbook = readFileSync(file as string, "utf8");

    expect(file).toBe(join(out, "aws", "RUNBOOK.md"));
    expect(runbook).toContain(`aws rds restore-db-instance-to-point-in-time --region us-east-1 --source-db-instance-identifier ${find("aws:rds/instance:Instance", "app-db").outputs.identifier}`);
    expect(runbook).toContain("lifeboat restore --source postgres-main --at latest");
    expect(runbook).toContain(`aws elasticache create-replication-group --region us-east-1 --replication-group-id ${find("aws:elasticache/replicationGroup:ReplicationGroup", "app-cache").outputs.replicationGroupId}-restored`);
    expect(runbook).toContain(`lifeboat restore --source uploads --at latest --target s3://${find("aws:s3/bucket:Bucket", "app-uploads").outputs.bucket}`);
  });
});
