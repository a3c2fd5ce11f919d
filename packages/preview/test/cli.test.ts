import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../../..");

function npmStart(...args: string[]) {
  return spawnSync("npm", ["start", "--", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
}

/** `npm start` for a CDK app, which synthesizes aws-cdk-lib's constructs: slower than a mock Pulumi run. */
function npmStartCdk(...args: string[]) {
  return spawnSync("npm", ["start", "--", ...args], { cwd: root, encoding: "utf8", timeout: 400_000 });
}

describe("npm start", () => {
  it("prints one JSON document and nothing else on stdout with --json", () => {
    const run = npmStart("--json", "--example", "aws");

    expect(run.status).toBe(0);
    const document = JSON.parse(run.stdout) as { examples: Array<{ name: string; resources: Array<Record<string, unknown>>; posture: Array<{ estate: string; sources: Array<{ name: string }> }> }> };
    const aws = document.examples.find((e) => e.name === "aws");
    expect(document.examples.map((e) => e.name)).toEqual(["aws"]);
    expect(aws?.resources.length).toBeGreaterThan(20);
    for (const resource of aws?.resources ?? []) {
      expect(Object.keys(resource)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "inputs"]));
    }
    expect(aws?.resources.some((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toBe(true);
    expect(aws?.posture.map((p) => [p.estate, p.sources.map((s) => s.name)])).toEqual([["estate", ["postgres-main", "cache", "uploads"]]]);
  });

  it("prints the tree of components and resources with a count", () => {
    const run = npmStart("--example", "aws");

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/examples\/aws {2}\(project lifeboat-aws, stack dev\)/);
    expect(run.stdout).toMatch(/\d+ resources: \d+ cloud resources, \d+ components, \d+ providers/);
    expect(run.stdout).toMatch(/├─ estate-vault-primary {2}lifeboat:aws:BackupVault/);
    expect(run.stdout).toMatch(/estate-vault-replica-bucket {2}aws:s3\/bucket:Bucket {2}\[@ us-west-2, protected\]/);
    expect(run.stdout).toMatch(/DR posture of estate \(RPO 1h, RTO 4h, DR region us-west-2\):\n\s+1\. postgres-main .* meets/);
    expect(run.stdout).toContain("Runbook written: out/aws/RUNBOOK.md");
  });

  it("synthesizes the CDK example: both stacks, the construct tree with counts, the posture, no findings, its runbook and its JSON", () => {
    const text = npmStartCdk("--example", "aws-cdk");
    const json = npmStartCdk("--json", "--example", "aws-cdk");

    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/examples\/aws-cdk {2}\(AWS CDK app, synthesized offline\)/);
    expect(text.stdout).toMatch(/\d+ CloudFormation resources in 2 stacks: LifeboatEstate-dr-us-west-2 @ us-west-2 \(\d+\), LifeboatEstate @ us-east-1 \(\d+\)/);
    expect(text.stdout).toMatch(/├─ Vault {2}\(\d+ resources\)/);
    expect(text.stdout).toMatch(/DR posture of Estate \(RPO 1h, RTO 4h, DR region us-west-2\):\n\s+1\. postgres-main .* meets/);
    expect(text.stdout).toContain("Policy verdicts (LifeboatPolicyPlugin over every template): no findings.");
    expect(text.stdout).toContain("Runbook written: out/aws-cdk/RUNBOOK.md");
    expect(json.status).toBe(0);
    const document = JSON.parse(json.stdout) as { examples: unknown[]; cdkExamples: Array<{ name: string; stacks: Array<{ name: string }>; posture: Array<{ sources: Array<{ name: string }> }>; findings: unknown[] }> };
    expect(document.examples).toEqual([]);
    expect(document.cdkExamples.map((e) => [e.name, e.stacks.map((s) => s.name).sort(), e.posture[0]?.sources.map((s) => s.name), e.findings])).toEqual([
      ["aws-cdk", ["LifeboatEstate", "LifeboatEstate-dr-us-west-2"], ["postgres-main", "cache", "uploads"], []],
    ]);
  }, 900_000);

  it("refuses an example that does not exist, naming the ones that do", () => {
    const run = npmStart("--example", "gcp");

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/No example named gcp; examples: .*\baws\b/);
  });
});
