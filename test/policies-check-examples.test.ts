import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedResource } from "@lifeboat/constructs/testing";
import { evaluate, factsFromPulumi, fromRecorded, RULES, runCli } from "@lifeboat/policies";
import { discoverExamples, runExamples } from "@lifeboat/preview";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The checker judges what `pulumi preview --json` writes; the examples, recorded under the mock
// engine, are written in that shape: a preview of the deployed stack, each resource a `same` step
// with its inputs and outputs.
const dir = mkdtempSync(join(tmpdir(), "lifeboat-check-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A recorded stack as `pulumi preview --json` prints it when nothing changes. */
function asPreviewJson(resources: readonly RecordedResource[]): unknown {
  return {
    steps: resources.map((r) => ({
      op: "same",
      urn: r.urn,
      newState: {
        urn: r.urn,
        custom: r.custom,
        type: r.type,
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.provider ? { provider: `${r.provider}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` } : {}),
        inputs: r.inputs,
        outputs: r.outputs,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
      },
    })),
    changeSummary: { same: resources.length },
  };
}

function run(...args: string[]): { code: number; stdout: string } {
  let stdout = "";
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stdout += t), cwd: dir });
  return { code, stdout };
}

describe("lifeboat-policies check on the AWS example's preview", () => {
  let resources: readonly RecordedResource[] = [];
  beforeAll(async () => {
    const [aws] = await runExamples(discoverExamples(join(__dirname, "../examples")).filter((e) => e.name === "aws"));
    if (!aws?.stack) throw new Error(`the aws example did not run: ${aws?.error}`);
    resources = aws.stack.resources;
  }, 300_000);

  it("reports exactly what the pack's engine finds in the same inputs, and passes the example", () => {
    const file = join(dir, "preview.json");
    writeFileSync(file, JSON.stringify(asPreviewJson(resources)));
    const expected = evaluate(factsFromPulumi(resources.map(fromRecorded)), RULES).findings;

    const { code, stdout } = run("check", "--json", file);

    const report = JSON.parse(stdout) as { files: { kind: string; findings: { ruleId: string; resource: string; blocking: boolean }[] }[]; summary: { blocking: number } };
    expect(report.files[0]!.kind).toBe("pulumi-preview");
    expect(report.files[0]!.findings.map((f) => `${f.ruleId} ${f.resource}`)).toEqual(expected.map((f) => `${f.ruleId} ${f.resource}`));
    expect(report.files[0]!.findings.filter((f) => f.blocking)).toEqual([]);
    expect(code).toBe(0);
  });

  it("fails the same preview once its vault's versioning is suspended", () => {
    const versioning = resources.find((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.name.endsWith("-primary-versioning"));
    if (!versioning) throw new Error(`no primary vault versioning among ${resources.filter((r) => r.type.includes("bucketVersioning")).map((r) => r.name).join(", ")}`);
    const broken = resources.map((r) => (r === versioning ? { ...r, inputs: { ...r.inputs, versioningConfiguration: { status: "Suspended" } }, outputs: { ...r.outputs, versioningConfiguration: { status: "Suspended" } } } : r));
    const file = join(dir, "broken.json");
    writeFileSync(file, JSON.stringify(asPreviewJson(broken)));

    const { code, stdout } = run("check", file);

    const bucket = versioning.name.replace(/-versioning$/, "-bucket");
    expect(stdout).toContain(`[mandatory] s3-vault-versioning  ${bucket} (aws:s3/bucket:Bucket)`);
    expect(code).toBe(1);
  });
});
