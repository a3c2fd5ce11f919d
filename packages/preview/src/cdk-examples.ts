import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EstatePosture } from "@lifeboat/constructs/core";
import { LifeboatPolicyPlugin } from "@lifeboat/policies";

/**
 * A CDK example app under `examples/`: a folder with `cdk.json` whose `lib/app.ts` exports
 * `buildApp(props)`, returning the app and its estates' postures and runbooks.
 */
export interface CdkExample {
  readonly name: string;
  readonly dir: string;
  readonly module: string;
}

/** A synthesized stack: its region and resources. */
export interface SynthesizedStack {
  readonly name: string;
  readonly region: string;
  readonly templatePath: string;
  readonly resources: readonly { readonly logicalId: string; readonly type: string; readonly path?: string }[];
}

/** A CDK example after synthesis. */
export interface CdkRun {
  readonly example: CdkExample;
  readonly stacks?: readonly SynthesizedStack[];
  /** The construct tree, one line each, with the count of CloudFormation resources under each construct. */
  readonly tree?: readonly string[];
  readonly postures?: readonly EstatePosture[];
  readonly runbooks?: readonly string[];
  /** What LifeboatPolicyPlugin reports for the whole assembly. */
  readonly violations?: readonly { readonly ruleName: string; readonly description: string; readonly resources: readonly string[] }[];
  readonly error?: string;
}

interface CdkAppModule {
  buildApp(props: { outdir: string; context: Record<string, unknown> }): { app: import("aws-cdk-lib").App; postures(): EstatePosture[]; runbooks(): string[] };
}

/** Every CDK example app under `examplesDir`. */
export function discoverCdkExamples(examplesDir: string): CdkExample[] {
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(examplesDir, d.name, "cdk.json")) && existsSync(join(examplesDir, d.name, "lib", "app.ts")))
    .map((d) => ({ name: d.name, dir: join(examplesDir, d.name), module: join(examplesDir, d.name, "lib", "app.ts") }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Synthesizes a CDK example in this process (offline: the app names its account and region) and judges its templates. */
export async function runCdkExample(example: CdkExample): Promise<CdkRun> {
  const outdir = mkdtempSync(join(tmpdir(), `lifeboat-${example.name}-`));
  try {
    const { buildApp } = (await import(example.module)) as CdkAppModule;
    // Path metadata names each resource's construct, for the tree (the CLI turns it on; an App in a process does not).
    const built = buildApp({ outdir, context: { "aws:cdk:enable-path-metadata": true } });
    const assembly = built.app.synth();
    const stacks: SynthesizedStack[] = assembly.stacks.map((s) => {
      const resources = Object.entries((s.template as { Resources?: Record<string, { Type: string; Metadata?: Record<string, unknown> }> }).Resources ?? {}).map(([logicalId, r]) => ({
        logicalId,
        type: r.Type,
        ...(typeof r.Metadata?.["aws:cdk:path"] === "string" ? { path: r.Metadata["aws:cdk:path"] as string } : {}),
      }));
      return { name: s.stackName, region: s.environment.region, templatePath: s.templateFullPath, resources };
    });
    const report = new LifeboatPolicyPlugin().validate({ templatePaths: stacks.map((s) => s.templatePath), stackTemplates: stacks.map((s) => ({ templatePath: s.templatePath, region: s.region })) } as never);
    return {
      example,
      stacks,
      tree: constructTree(stacks),
      postures: built.postures(),
      runbooks: built.runbooks(),
      violations: report.violations.map((v) => ({ ruleName: v.ruleName, description: v.description, resources: v.violatingResources.map((r) => r.resourceLogicalId) })),
    };
  } catch (err) {
    return { example, error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The construct tree from the resources' `aws:cdk:path`, each construct with how many resources it holds. */
function constructTree(stacks: readonly SynthesizedStack[]): string[] {
  type Node = { children: Map<string, Node>; count: number; types: Map<string, number> };
  const node = (): Node => ({ children: new Map(), count: 0, types: new Map() });
  const root = node();
  for (const stack of stacks) {
    for (const r of stack.resources) {
      const parts = (r.path ?? `${stack.name}/${r.logicalId}`).split("/");
      let at = root;
      for (const part of parts.slice(0, -1)) {
        const next = at.children.get(part) ?? node();
        at.children.set(part, next);
        at = next;
        at.count++;
      }
      at.types.set(r.type, (at.types.get(r.type) ?? 0) + 1);
    }
  }
  const lines: string[] = [];
  // Two levels under each stack: the app's constructs and the estate's components.
  const walk = (n: Node, indent: string, depth: number) => {
    const entries = [...n.children.entries()];
    entries.forEach(([name, child], i) => {
      const last = i === entries.length - 1;
      const own = [...child.types.entries()].map(([t, c]) => `${c} ${t}`).join(", ");
      lines.push(`${indent}${last ? "└─ " : "├─ "}${name}  (${child.count} resource${child.count === 1 ? "" : "s"}${depth === 0 ? "" : own && child.children.size === 0 ? `: ${own}` : ""})`);
      if (depth < 2) walk(child, `${indent}${last ? "   " : "│  "}`, depth + 1);
    });
  };
  walk(root, "", 0);
  return lines;
}

/** Writes `<outDir>/<example>/RUNBOOK.md` for each CDK run with a runbook; returns the paths written. */
export function writeCdkRunbooks(runs: readonly CdkRun[], outDir: string): string[] {
  return runs.flatMap((run) => {
    if (!run.runbooks?.length) return [];
    const dir = join(outDir, run.example.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "RUNBOOK.md");
    writeFileSync(file, run.runbooks.join("\n\n---\n\n"));
    return [file];
  });
}
