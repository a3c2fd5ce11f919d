import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../../..");

function npmStart(...args: string[]) {
  return spawnSync("npm", ["start", "--", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
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

  it("refuses an example that does not exist, naming the ones that do", () => {
    const run = npmStart("--example", "gcp");

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/No example named gcp; examples: .*\baws\b/);
  });
});
