import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedResource } from "@lifeboat/constructs/testing";
import { RULES } from "@lifeboat/policies";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAnalyzed, RunningPack } from "../support/policy-pack";
import { NPM_INSTALL, nodeBinary, ok, PACKAGES, ROOT, type Ran, run, workspaceVersion, writeProject } from "./projects";

// As a user installs Lifeboat: the three packages packed into tarballs, installed into a fresh
// Pulumi project (Pulumi's TypeScript template: CommonJS, moduleResolution "node", the newest
// @pulumi/pulumi) and a fresh CDK app (cdk init's template: NodeNext, no Pulumi package at all),
// outside the workspace, on Node.js 22; the compiled programs also run on Node.js 24.
const work = mkdtempSync(join(tmpdir(), "lifeboat-consumer-"));
const pulumiDir = join(work, "pulumi-project");
const cdkDir = join(work, "cdk-app");
const node22 = nodeBinary(22);
const node24 = nodeBinary(24);
const timings: Record<string, number> = {};
const recorded = new Map<string, { node: string; resources: RecordedResource[]; outputs: Record<string, unknown> }>();

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[what] = Math.round((Date.now() - started) / 100) / 10;
  }
}

beforeAll(async () => {
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  await timed("build and pack", async () => {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", ...Object.values(PACKAGES).map((d) => join(ROOT, d))], { stdio: "inherit" });
    ok(await run(process.execPath, "npm", ["pack", ...Object.values(PACKAGES).flatMap((d) => ["-w", d]), "--pack-destination", tarballs, "--loglevel=error"], { cwd: ROOT }), "npm pack");
  });
  const tarball = (dir: string) => {
    const name = (JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string }).name;
    const file = readdirSync(tarballs).find((f) => f.startsWith(`${name.slice(1).replace("/", "-")}-`));
    if (!file) throw new Error(`npm pack wrote no tarball of ${name} into ${tarballs}`);
    return `file:${join(tarballs, file)}`;
  };
  const typescript5 = "^5.9.3";
  writeProject(
    pulumiDir,
    "pulumi",
    { "@lifeboat/constructs": tarball(PACKAGES.constructs), "@lifeboat/policies": tarball(PACKAGES.policies), "@lifeboat/jobs": tarball(PACKAGES.jobs), "@pulumi/pulumi": "^3.276.0", "@pulumi/aws": `^${workspaceVersion("@pulumi/aws")}`, "@pulumi/policy": "^1.21.0" },
    { typescript: typescript5, "@types/node": "^22.0.0" },
  );
  writeProject(
    cdkDir,
    "cdk",
    { "@lifeboat/constructs": tarball(PACKAGES.constructs), "@lifeboat/policies": tarball(PACKAGES.policies), "aws-cdk-lib": workspaceVersion("aws-cdk-lib"), constructs: `^${workspaceVersion("constructs")}` },
    { typescript: typescript5, "@types/node": "^22.0.0" },
  );
  await timed("npm install (Node 22)", () => Promise.all([pulumiDir, cdkDir].map(async (dir) => ok(await run(node22, "npm", NPM_INSTALL, { cwd: dir }), `npm install in ${dir}`))));
  await timed("tsc (Node 22)", () => Promise.all([pulumiDir, cdkDir].map(async (dir) => ok(await run(node22, "npx", ["tsc", "-p", "."], { cwd: dir }), `tsc in ${dir}`))));
}, 1_200_000);

afterAll(async () => {
  console.log(`consumer test timings (s): ${JSON.stringify(timings)}`);
  // Two node_modules of several hundred MB: removed without blocking the event loop.
  await rm(work, { recursive: true, force: true });
}, 600_000);

describe("installed from their tarballs", () => {
  it("the Pulumi project gets the newest @pulumi/pulumi, and the CDK app no @pulumi package at all", () => {
    const pulumiVersion = (JSON.parse(readFileSync(join(pulumiDir, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;

    expect(Number(pulumiVersion.split(".")[1])).toBeGreaterThanOrEqual(276);
    expect(existsSync(join(cdkDir, "node_modules/@lifeboat/policies/dist/cdk/index.js"))).toBe(true);
    expect(existsSync(join(cdkDir, "node_modules/@pulumi"))).toBe(false);
  });

  it("the jobs package carries what its Dockerfile copies and its README and LICENSE", () => {
    const jobs = join(pulumiDir, "node_modules/@lifeboat/jobs");
    const copied = [...readFileSync(join(jobs, "Dockerfile"), "utf8").matchAll(/^COPY\s+(\S+)\s+\S+$/gm)].map((m) => m[1] as string);

    expect(copied.length).toBeGreaterThan(0);
    expect(copied.filter((file) => !existsSync(join(jobs, file)))).toEqual([]);
    for (const pkg of ["constructs", "policies", "jobs"]) {
      expect(existsSync(join(pulumiDir, "node_modules/@lifeboat", pkg, "LICENSE")), pkg).toBe(true);
      expect(existsSync(join(pulumiDir, "node_modules/@lifeboat", pkg, "README.md")), pkg).toBe(true);
    }
  });
});

describe("every subpath of every package", () => {
  it.each([
    ["node10", ["--module", "commonjs", "--moduleResolution", "node10"]],
    ["node16", ["--module", "node16", "--moduleResolution", "node16"]],
    ["bundler", ["--module", "esnext", "--moduleResolution", "bundler"]],
  ])("resolves its types with moduleResolution %s", async (resolution, flags) => {
    const subpaths = Object.values(PACKAGES).flatMap((dir) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
      return Object.keys(pkg.exports)
        .filter((key) => key !== "./package.json")
        .map((key) => `${pkg.name}${key.slice(1)}`);
    });
    const file = `subpaths-${resolution}.ts`;
    writeFileSync(join(pulumiDir, file), subpaths.map((s, i) => `export type M${i} = typeof import(${JSON.stringify(s)});\n`).join(""));

    // Declaration files are not checked (skipLibCheck): the CDK and DigitalOcean types are not installed here.
    const ran = await run(node22, "npx", ["tsc", "--noEmit", "--strict", "--skipLibCheck", "--types", "node", ...flags, file], { cwd: pulumiDir });

    expect(subpaths).toEqual(expect.arrayContaining(["@lifeboat/constructs/core", "@lifeboat/constructs/pulumi/aws", "@lifeboat/constructs/testing", "@lifeboat/constructs/cdk", "@lifeboat/policies/cdk"]));
    expect(ran.stdout.split("\n").filter((l) => l.includes("error"))).toEqual([]);
    expect(ran.code).toBe(0);
  }, 300_000);
});

describe.each([
  ["22", node22],
  ["24", node24],
])("on Node.js %s", (major, node) => {
  it("runs the compiled Pulumi program under @lifeboat/constructs/testing's mock cloud", async () => {
    const ran = ok(await run(node, node, ["bin/record.js"], { cwd: pulumiDir }), "the program under mocks");

    const stack = JSON.parse(ran.stdout) as { node: string; resources: RecordedResource[]; outputs: Record<string, unknown> };
    recorded.set(major, stack);
    expect(stack.node).toMatch(new RegExp(`^v${major}\\.`));
    expect(stack.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.outputs.region).sort()).toEqual(["us-east-1", "us-west-2"]);
    expect(stack.outputs.vaultBucket).toMatch(/^backups-primary-bucket-[0-9a-f]{7}$/);
    expect(stack.outputs.archiveAfter).toBe("30 days");
  }, 300_000);

  it("synthesizes the CDK app with the policy plugin, which fails the synth on a mandatory finding", async () => {
    const [passing, failing] = await Promise.all([
      run(node, node, ["bin/app.js"], { cwd: cdkDir, env: { CDK_OUTDIR: join(cdkDir, `cdk.out-${major}`) } }),
      run(node, node, ["bin/app.js"], { cwd: cdkDir, env: { CDK_OUTDIR: join(cdkDir, `cdk.out-${major}-failing`), UNVERSIONED_VAULT: "1" } }),
    ]);

    ok(passing, "cdk synth of the compliant app");
    expect(existsSync(join(cdkDir, `cdk.out-${major}`, "Consumer.template.json"))).toBe(true);
    expect(failing.code).not.toBe(0);
    expect(`${failing.stdout}${failing.stderr}`).toContain("s3-vault-versioning");
  }, 600_000);

  it("checks the synthesized app with the installed lifeboat-policies, which exits 1 on an unversioned vault", async () => {
    const template = join(cdkDir, `unversioned-${major}.template.json`);
    writeFileSync(template, JSON.stringify({ Resources: { BackupVault: { Type: "AWS::S3::Bucket", Properties: { BucketName: "consumer-backup-vault" } } } }));

    const [clean, failing] = await Promise.all([
      run(node, "npx", ["lifeboat-policies", "check", join(cdkDir, `cdk.out-${major}`)], { cwd: cdkDir }),
      run(node, "npx", ["lifeboat-policies", "check", template], { cwd: cdkDir }),
    ]);

    // The plugin let the synth through, so the checker finds nothing blocking in the same templates.
    expect(clean.stdout).toMatch(/Consumer\.template\.json \(cloudformation\): (no findings\.|\d+ finding\(s\), 0 blocking\.)/);
    expect(clean.code).toBe(0);
    expect(failing.stdout).toContain("[mandatory] s3-vault-versioning  BackupVault (AWS::S3::Bucket)");
    expect(failing.code).toBe(1);
  }, 300_000);

  it("runs `lifeboat --help` from the installed jobs package", async () => {
    const ran: Ran = await run(node, "npx", ["lifeboat", "--help"], { cwd: pulumiDir });

    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("Usage: lifeboat <command> [options]");
  }, 300_000);
});

describe("the policy pack installed in the Pulumi project", () => {
  let pack: RunningPack | undefined;
  afterAll(() => pack?.stop());

  it("runs from node_modules/@lifeboat/policies as `pulumi preview --policy-pack` does, on Node.js 22", async () => {
    const stack = recorded.get("22");
    if (!stack) throw new Error("the Pulumi program did not run on Node.js 22");
    pack = await RunningPack.start({ dir: join(pulumiDir, "node_modules/@lifeboat/policies"), node: node22 });
    const resources = asAnalyzed(stack.resources, { project: "consumer", stack: "dev", region: "us-east-1" });
    const versioning = resources.find((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.name === "backups-primary-versioning");
    if (!versioning) throw new Error("the program registered no backups-primary-versioning");
    const suspended = resources.map((r) => (r === versioning ? { ...r, properties: { ...r.properties, versioningConfiguration: { status: "Suspended" } } } : r));

    const info = await pack.getAnalyzerInfo();
    const clean = await pack.analyzeStack(resources);
    const broken = await pack.analyzeStack(suspended);

    expect(info.name).toBe("lifeboat-dr");
    expect(info.version).toBe((JSON.parse(readFileSync(join(ROOT, PACKAGES.policies, "package.json"), "utf8")) as { version: string }).version);
    expect(info.policies.map((p) => p.name)).toEqual(["lifeboat", ...RULES.map((r) => r.id)]);
    expect(clean.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);
    expect(broken.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn.split("::").pop()}`)).toContain("s3-vault-versioning mandatory backups-primary-bucket");
  }, 300_000);
});
