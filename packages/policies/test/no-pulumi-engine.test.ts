import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "lifeboat-no-pulumi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Loads `modules` in a fresh Node process (from source, as the tests do) and returns every
 * `@pulumi/*` module it asked for, before and after it requires `@pulumi/policy` itself: the second
 * list proves the watch works.
 */
function pulumiModulesLoadedBy(script: string): { before: string[]; after: string[] } {
  const watch = join(dir, "watch.cjs");
  writeFileSync(
    watch,
    `const Module = require("node:module");
const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.startsWith("@pulumi/")) seen.add(request);
  const loaded = load.call(this, request, ...rest);
  return loaded;
};
globalThis.__pulumiSeen = () => [...seen, ...Object.keys(require.cache).filter((f) => f.includes("/node_modules/@pulumi/"))];
`,
  );
  const main = join(dir, "main.cjs");
  writeFileSync(
    main,
    `const load = (name) => require(require.resolve(name, { paths: [${JSON.stringify(root)}] }));
${script}
const before = globalThis.__pulumiSeen();
load("@pulumi/policy");
process.stdout.write(JSON.stringify({ before, after: globalThis.__pulumiSeen() }));
`,
  );
  const out = execFileSync(process.execPath, ["--conditions=lifeboat-source", "--import", "tsx", "--require", watch, main], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return JSON.parse(out) as { before: string[]; after: string[] };
}

describe("the CDK plugin and the checker without the Pulumi engine", () => {
  it("load no @pulumi module: the CDK plugin, the rules and a check of a template", () => {
    const template = join(dir, "template.json");
    writeFileSync(template, JSON.stringify({ Resources: { Vault: { Type: "AWS::S3::Bucket", Properties: { Tags: [{ Key: "lifeboat:vault", Value: "true" }] } } } }));

    const { before, after } = pulumiModulesLoadedBy(`
const { LifeboatPolicyPlugin } = load("@lifeboat/policies/cdk");
const policies = load("@lifeboat/policies");
new LifeboatPolicyPlugin().validate({ templatePaths: [${JSON.stringify(template)}] });
const code = policies.runCli(["check", ${JSON.stringify(template)}], { stdout() {}, stderr() {} });
if (code !== 1) throw new Error("the unversioned vault should fail the check, got exit " + code);
`);

    expect(before).toEqual([]);
    expect(after.some((m) => m.includes("@pulumi/policy"))).toBe(true);
  });

  it("declares the Pulumi packages as optional peers, so a CDK-only install does not get them", () => {
    const pkg = JSON.parse(readFileSync(join(root, "packages/policies/package.json"), "utf8")) as Record<string, Record<string, unknown>>;

    const runtime = Object.keys(pkg.dependencies ?? {});

    expect(runtime.filter((name) => name.startsWith("@pulumi/") || name.startsWith("@grpc/") || name === "google-protobuf")).toEqual([]);
    expect(pkg.peerDependencies).toMatchObject({ "@pulumi/policy": expect.any(String), "@pulumi/pulumi": expect.any(String) });
    expect(pkg.peerDependenciesMeta).toMatchObject({ "@pulumi/policy": { optional: true }, "@pulumi/pulumi": { optional: true } });
  });
});
