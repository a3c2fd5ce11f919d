import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { USER_COMPILER_OPTIONS, virtualHost } from "./support/typescript";

const root = join(__dirname, "..");

/** The README's ```ts blocks, which users copy: each must compile against the packages as they are. */
function typeScriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe("README", () => {
  const blocks = typeScriptBlocks(readFileSync(join(root, "README.md"), "utf8"));

  it("has a usage example", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((code, i) => [i + 1, code]))("compiles usage example %i", (_n, code) => {
    // Placed in examples/aws so imports resolve as in a user's project; sources via the workspace condition.
    const file = join(root, "examples/aws/__readme_example__.ts");
    const host = virtualHost(new Map([[file, code as string]]));
    const program = ts.createProgram([file], USER_COMPILER_OPTIONS, host);

    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));

    expect(diagnostics).toEqual([]);
    // Each block is a whole program with aws-cdk-lib or @pulumi/aws types: slow on a busy machine.
  }, 300_000);
});

describe("README's estate example", () => {
  it("constructs under the mock engine: the database's jobs in its subnets, verification outside them", async () => {
    const { recordProgram } = await import("@lifeboat/constructs/testing");
    const block = typeScriptBlocks(readFileSync(join(root, "README.md"), "utf8")).find((b) => b.includes("new DisasterRecoveryEstate(\"prod\"")) as string;
    const dir = mkdtempSync(join(root, "test/.readme-estate-"));
    try {
      const entry = join(dir, "index.ts");
      writeFileSync(entry, block);

      const stack = await recordProgram(entry, { project: "readme", stack: "dev", cloud: { region: "us-east-1" } });
      const functions = Object.fromEntries(stack.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => [r.name, r.inputs.vpcConfig !== undefined]));

      expect(functions).toEqual({ "prod-postgres-main-backup-function": true, "prod-verify-function": false });
      expect(stack.outputs.posture).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
