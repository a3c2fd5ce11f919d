import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkConfig, RULES } from "@lifeboat/policies";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(__dirname, "..");
const templates = join(root, "ci-templates");
const policies = JSON.parse(readFileSync(join(root, "packages/policies/package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  engines: { node: string };
  peerDependencies: Record<string, string>;
};

/** The words of a shell command, quotes removed (enough for the commands in the templates). */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? (m[3] as string));
}

/** The value after `flag` in a command's words. */
function flag(command: string, name: string): string | undefined {
  const w = words(command);
  const at = w.indexOf(name);
  return at < 0 ? undefined : w[at + 1];
}

/** `npm install` commands and the package specs they name (`name@range`). */
function npmInstalls(commands: readonly string[]): Map<string, string> {
  const specs = new Map<string, string>();
  for (const command of commands.filter((c) => /^npm (install|i) /.test(c))) {
    for (const word of words(command).slice(2).filter((w) => !w.startsWith("-"))) {
      const at = word.lastIndexOf("@");
      specs.set(at > 0 ? word.slice(0, at) : word, at > 0 ? word.slice(at + 1) : "latest");
    }
  }
  return specs;
}

/** Whether `^x.y.z` / `>=x` admits the workspace version: the template installs what this repository publishes. */
function caretAdmits(range: string, version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  const m = /^\^(\d+)\.(\d+)\.\d+$/.exec(range);
  if (!m) return false;
  return major === 0 ? Number(m[1]) === 0 && Number(m[2]) === minor : Number(m[1]) === major;
}

/** What the pack's `--policy-pack-config` file must be: per-rule settings of rules that exist and read them. */
function policyConfigProblems(file: string): string[] {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
  const problems: string[] = [];
  for (const [ruleId, settings] of Object.entries(raw)) {
    const rule = RULES.find((r) => r.id === ruleId);
    if (!rule) {
      problems.push(`${ruleId} is not a rule`);
      continue;
    }
    for (const key of Object.keys(settings)) if (!(rule.settings as readonly string[]).includes(key) && key !== "exemptions") problems.push(`${ruleId} does not read ${key}`);
  }
  problems.push(...checkConfig({ rules: raw }, RULES.map((r) => r.id)));
  return problems;
}

/** Checks shared by both CI systems: the pack installed from npm and run from where npm puts it. */
function expectPulumiPreview(commands: readonly string[], nodeVersion: number): void {
  const installs = npmInstalls(commands);
  const preview = commands.find((c) => c.startsWith("pulumi preview"));

  expect(installs.has(policies.name)).toBe(true);
  expect(caretAdmits(installs.get(policies.name) as string, policies.version)).toBe(true);
  expect(installs.get("@pulumi/policy")).toBe(policies.peerDependencies["@pulumi/policy"]);
  expect(preview).toBeDefined();
  expect(flag(preview as string, "--policy-pack")).toBe(`node_modules/${policies.name}`);
  const config = flag(preview as string, "--policy-pack-config") as string;
  expect(config).toBe("lifeboat-policy-config.json");
  expect(policyConfigProblems(join(templates, config))).toEqual([]);
  // The newest @pulumi/pulumi, which the pack's @pulumi/policy pulls in, needs Node.js 22.
  expect(nodeVersion).toBeGreaterThanOrEqual(22);
}

function expectCdkSynth(commands: readonly string[], nodeVersion: number): void {
  const installs = npmInstalls(commands);
  const synth = commands.findIndex((c) => /^npx cdk synth\b/.test(c));
  const check = commands.findIndex((c) => c.startsWith(`npx ${Object.keys(policies.bin)[0]} check cdk.out`));

  expect(installs.has(policies.name)).toBe(true);
  expect([...installs.keys()].filter((name) => name.startsWith("@pulumi/"))).toEqual([]);
  expect(synth).toBeGreaterThanOrEqual(0);
  expect(check).toBeGreaterThan(synth);
  expect(nodeVersion).toBeGreaterThanOrEqual(22);
}

describe("the GitHub Actions workflow template", () => {
  const workflow = parse(readFileSync(join(templates, "github/lifeboat-dr-policies.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] }>;
  };
  const runs = (job: string) => workflow.jobs[job]!.steps.flatMap((s) => (s.run ? s.run.split("\n").map((l) => l.trim()).filter(Boolean) : []));
  const node = (job: string) => Number(workflow.jobs[job]!.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]);

  it("runs on pull requests", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
  });

  it("previews the Pulumi stack with the pack installed from npm and its config", () => {
    expectPulumiPreview(runs("pulumi"), node("pulumi"));
  });

  it("synthesizes the CDK app, then uploads the checker's SARIF even when the synth failed", () => {
    const steps = workflow.jobs.cdk!.steps;
    const check = steps.find((s) => s.run?.includes("check cdk.out"));
    const upload = steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));

    expectCdkSynth(runs("cdk"), node("cdk"));
    expect(flag(check?.run as string, "--sarif")).toBe(upload?.with?.sarif_file);
    expect(check?.if).toContain("!cancelled()");
    expect(upload?.if).toContain("!cancelled()");
  });
});

describe("the GitLab CI template", () => {
  const pipeline = parse(readFileSync(join(templates, "gitlab/lifeboat-dr-policies.gitlab-ci.yml"), "utf8")) as Record<
    string,
    { extends?: string; image?: string; rules?: { if: string }[]; before_script?: string[]; script?: string[]; after_script?: string[] }
  >;
  const base = pipeline[".lifeboat-merge-requests"]!;
  const commands = (job: string) => [...(base.before_script ?? []), ...(pipeline[job]!.script ?? []), ...(pipeline[job]!.after_script ?? [])];
  const node = Number(/^node:(\d+)/.exec(base.image ?? "")?.[1]);

  it("runs its jobs on merge requests only", () => {
    expect(pipeline["lifeboat-pulumi-preview"]!.extends).toBe(".lifeboat-merge-requests");
    expect(pipeline["lifeboat-cdk-synth"]!.extends).toBe(".lifeboat-merge-requests");
    expect(base.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
  });

  it("previews the Pulumi stack with the pack installed from npm and its config", () => {
    expectPulumiPreview(commands("lifeboat-pulumi-preview"), node);
  });

  it("synthesizes the CDK app with the plugin and keeps the checker's findings", () => {
    expectCdkSynth(commands("lifeboat-cdk-synth"), node);
  });
});

describe("the policy config the templates point at", () => {
  it("is refused when it names a rule that does not exist, so the check above can fail", () => {
    expect(existsSync(join(templates, "lifeboat-policy-config.json"))).toBe(true);
    expect(checkConfig({ rules: { "s3-no-such-rule": {} } }, RULES.map((r) => r.id))).toHaveLength(1);
  });
});
