// The policy pack over the Analyzer protocol, against AWSGuard (@pulumi/awsguard, Pulumi's own AWS
// policy pack) as the baseline, in the same run: `npm run bench:policies` (after ./evaluate.ts), or
// `node --conditions=lifeboat-source --import tsx bench/policies/grpc.ts [--size 10000] [--runs 5]`.
//
// Both packs run as the Pulumi CLI runs them: their own process, spoken to over gRPC. A preview is what
// the CLI asks of a pack: Analyze for every resource, then AnalyzeStack once. Each phase and the whole
// preview are timed (median of --runs), and the ratio Lifeboat / AWSGuard is printed; the target is a
// ratio of at most 1 for the whole preview, while judging far more rules.
//
// AWSGuard is not a dependency of the project (it brings @pulumi/aws 4 and the AWS SDK v2, 250 MB): the
// first run installs it from the npm registry into the cache, `${LIFEBOAT_CACHE:-~/.cache/lifeboat}`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { PulumiResource } from "@lifeboat/policies";
import { type AnalyzedResource, RunningPack } from "../../test/support/policy-pack";
import { syntheticStack } from "./synthetic-stack";

const AWSGUARD_VERSION = "0.3.1";

const { values } = parseArgs({ options: { size: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } } });
const size = Number(values.size);
const runs = Number(values.runs);
if (!Number.isInteger(size) || size < 100 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--size (${values.size}) must be a whole number of at least 100 and --runs (${values.runs}) at least 1.\n`);
  process.exit(2);
}

/** AWSGuard installed in the cache, with an entry that serves it with every policy mandatory. */
function awsGuardPack(): string {
  const dir = join(process.env.LIFEBOAT_CACHE ?? join(homedir(), ".cache", "lifeboat"), `awsguard-${AWSGUARD_VERSION}`);
  if (!existsSync(join(dir, "node_modules", "@pulumi", "awsguard", "package.json"))) {
    process.stderr.write(`Installing @pulumi/awsguard@${AWSGUARD_VERSION} into ${dir} (once; about 250 MB)...\n`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "awsguard-baseline", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `@pulumi/awsguard@${AWSGUARD_VERSION}`], { cwd: dir, stdio: "inherit" });
  }
  // The policy SDK reads the pack's version from the package.json beside its entry.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "awsguard-baseline", version: "1.0.0", private: true, dependencies: { "@pulumi/awsguard": AWSGUARD_VERSION } }));
  writeFileSync(join(dir, "index.js"), 'const { AwsGuard } = require("@pulumi/awsguard");\nnew AwsGuard({ all: "mandatory" });\n');
  return dir;
}

/** The synthetic stack as the engine sends it: every resource through the default provider of us-east-1. */
function analyzed(stack: readonly PulumiResource[]): AnalyzedResource[] {
  const provider = { urn: "urn:pulumi:bench::estate::pulumi:providers:aws::default_7_0_0", type: "pulumi:providers:aws", name: "default_7_0_0", properties: { region: "us-east-1" } };
  return stack.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    protect: false,
    dependencies: r.dependencies ?? [],
    propertyDependencies: r.propertyDependencies ?? {},
    properties: r.properties as Record<string, unknown>,
    provider,
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Timing {
  readonly analyze: number;
  readonly analyzeStack: number;
  readonly preview: number;
  readonly diagnostics: number;
}

/** One preview: Analyze for each resource (eight in flight, as the engine's step executor overlaps them), then AnalyzeStack. */
async function preview(pack: RunningPack, resources: readonly AnalyzedResource[]): Promise<Timing> {
  const t0 = performance.now();
  let diagnostics = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < resources.length) diagnostics += (await pack.analyze(resources[next++] as AnalyzedResource)).length;
    }),
  );
  const t1 = performance.now();
  diagnostics += (await pack.analyzeStack(resources)).length;
  const t2 = performance.now();
  return { analyze: t1 - t0, analyzeStack: t2 - t1, preview: t2 - t0, diagnostics };
}

/**
 * Each preview on a freshly started pack, as each `pulumi preview` starts the pack anew (so start-up
 * and a cold JIT are part of the cost, for both packs alike). One pack process also cannot serve
 * two 10k previews here: grpc-js drops the connection in the second burst of Analyze calls that
 * follows a large AnalyzeStack, with AWSGuard's pack as with Lifeboat's.
 */
async function measure(start: () => Promise<RunningPack>, resources: readonly AnalyzedResource[]): Promise<Timing & { policies: number }> {
  const samples: Timing[] = [];
  let policies = 0;
  for (let i = 0; i < runs; i++) {
    const pack = await start();
    try {
      policies = (await pack.getAnalyzerInfo()).policies.length;
      await pack.configure({});
      samples.push(await preview(pack, resources));
    } finally {
      pack.stop();
    }
  }
  return {
    policies,
    analyze: median(samples.map((s) => s.analyze)),
    analyzeStack: median(samples.map((s) => s.analyzeStack)),
    preview: median(samples.map((s) => s.preview)),
    diagnostics: samples[0]?.diagnostics ?? 0,
  };
}

async function main(): Promise<void> {
  const resources = analyzed(syntheticStack(size));
  const guardDir = awsGuardPack();
  const named = <T>(name: string, run: Promise<T>) => run.catch((err: unknown) => Promise.reject(new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`)));
  const ours = await named("Lifeboat's pack", measure(() => RunningPack.start(), resources));
  const theirs = await named("AWSGuard", measure(() => RunningPack.start({ dir: guardDir }), resources));
  const row = (name: string, t: Timing & { policies: number }) =>
    `${name.padEnd(10)} ${String(t.policies).padStart(3)} policies  Analyze ×${size} ${t.analyze.toFixed(0).padStart(6)} ms  AnalyzeStack ${t.analyzeStack.toFixed(0).padStart(6)} ms  preview ${t.preview.toFixed(0).padStart(6)} ms  (${t.diagnostics} diagnostics)\n`;
  process.stdout.write(`${size} resources over the Analyzer protocol, median of ${runs} previews, each on a freshly started pack:\n`);
  process.stdout.write(row("Lifeboat", ours));
  process.stdout.write(row("AWSGuard", theirs));
  const ratio = ours.preview / theirs.preview;
  process.stdout.write(
    `ratio Lifeboat/AWSGuard: preview ${ratio.toFixed(2)}, Analyze ${(ours.analyze / theirs.analyze).toFixed(2)}, AnalyzeStack ${(ours.analyzeStack / Math.max(theirs.analyzeStack, 1)).toFixed(2)} (target: preview at most 1.00)\n`,
  );
  if (ratio > 1) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
