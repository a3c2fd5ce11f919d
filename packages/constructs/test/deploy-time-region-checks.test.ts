import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runExamples } from "@lifeboat/preview";

const programs = join(__dirname, "programs");
const run = (entry: string) => ({ name: entry, dir: programs, entry: join(programs, `${entry}.ts`), project: "p", stack: "s", config: { "aws:region": "us-east-1" } });

// Each program runs in its own process: the failure surfaces the way `pulumi up` reports it.
describe("regions known only at deploy time", () => {
  it("fail the deployment when a DR provider deploys to the primary's region", async () => {
    const [plan, database] = await runExamples([run("backup-dr-provider-in-primary-region"), run("database-dr-provider-in-primary-region")]);

    expect(plan!.stack).toBeUndefined();
    expect(plan!.error).toContain('AwsBackupPlan "dbs": `dr.provider` deploys to us-east-1 but `dr.region` says us-west-2');
    expect(database!.stack).toBeUndefined();
    expect(database!.error).toContain('DatabaseBackups "orders": `dr.provider` deploys to us-east-1 but `dr.region` says us-west-2');
  });

  it("fail the deployment when the health check alarm's topic is outside us-east-1", async () => {
    const [monitor] = await runExamples([run("health-check-topic-outside-us-east-1")]);

    expect(monitor!.stack).toBeUndefined();
    expect(monitor!.error).toMatch(/ServiceMonitor "app": 1 problem in the arguments:\n  - `topic` \("arn:aws:sns:eu-west-1:\d{12}:[^"]+"\) is in eu-west-1, but the health check alarm lives in us-east-1/);
  });
});
