import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type EstatePosture } from "@lifeboat/constructs/core";
import { loadExample } from "@lifeboat/preview";
import { evaluate, factsFromPulumi, fromRecorded, RULES } from "@lifeboat/policies";
import { type RecordedStack, recordProgram } from "@lifeboat/constructs/testing";

// Its own file: a program module runs once per test file, and example.test.ts records it without drills.
const example = loadExample(join(__dirname, ".."));
// A throwaway identity made for this test (age-encryption's generateIdentity()); it protects nothing.
const IDENTITY = "AGE-SECRET-KEY-1GXLFA8LVR4AV4F5P74NSUTUXEEFPWQG2CJLAQJN6ZQVMRF8VEQWQLK5SP9";
let drilled: RecordedStack;

beforeAll(async () => {
  // As after `pulumi config set --secret ageIdentity ...`: the identity comes from the stack's secret config.
  drilled = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: { ...example.config, [`${example.project}:ageIdentity`]: IDENTITY }, cloud: { region: "us-east-1" } });
});

describe("examples/digitalocean with scheduled drills", () => {
  it("with the identity set as a secret, drills PostgreSQL and the cache on a drill runner whose state never shows the identity", () => {
    const runner = drilled.resources.find((r) => r.type === "digitalocean:index/droplet:Droplet" && r.name === "prod-drill-runner-droplet")!;
    const posture = drilled.outputs.posture as EstatePosture;

    expect(runner.inputs.userData).toBe("[secret]");
    expect(posture.sources.map((s) => [s.name, s.jobs?.some((j) => j.job === "drill") ?? false])).toEqual([
      ["postgres-main", true],
      ["cache", true],
      ["uploads", false],
    ]);
    expect(JSON.stringify(drilled)).not.toContain(IDENTITY.slice(16));
    expect(evaluate(factsFromPulumi(drilled.resources.map(fromRecorded)), RULES).findings).toEqual([]);
  });

});
