import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const start = (...args: string[]) =>
  execFileSync(process.execPath, ["--conditions=lifeboat-source", "--import", "tsx", join(root, "packages/preview/src/cli.ts"), ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });

describe("npm start and the policy pack", () => {
  it("--json gives every example a findings array, empty for the estate built with Lifeboat's defaults", () => {
    const document = JSON.parse(start("--json")) as { examples: { name: string; findings: unknown[] }[] };
    expect(document.examples.length).toBeGreaterThan(0);
    for (const example of document.examples) expect({ name: example.name, findings: example.findings }).toEqual({ name: example.name, findings: [] });
  });

  it("prints each example's policy verdicts", () => {
    expect(start("--example", "aws")).toMatch(/Policy verdicts \(lifeboat-dr, \d+ rules\): no findings\./);
  });
});
