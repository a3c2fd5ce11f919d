// Policy evaluation time on synthetic stacks (./synthetic-stack.ts) of 1,000, 10,000 and 20,000
// resources, in process: `npm run bench:policies` (which then runs ./grpc.ts, the same over the Analyzer
// protocol against AWSGuard). Prints the median of several runs and the 10k/1k ratio (linear is 10).
import { performance } from "node:perf_hooks";
import { evaluate, factsFromPulumi, judge, type PulumiResource, RULES } from "@lifeboat/policies";
import { syntheticStack } from "./synthetic-stack";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Collects the previous run's garbage first, when the bench runs with --expose-gc, so no run pays for another's. */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function time(run: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const stacks = new Map([1_000, 10_000, 20_000].map((n) => [n, syntheticStack(n)]));
const stackRules = RULES.filter((r) => r.scope === "stack");
const findingsOf = new Map<number, number>();
const engine = (stack: PulumiResource[]) => () => {
  findingsOf.set(stack.length, evaluate(factsFromPulumi(stack), RULES).findings.length);
};
// What AnalyzeStack does in the pack: the `lifeboat` policy gets the whole stack, adapts it once and
// judges every stack rule. A fresh copy per run, as each request is.
const pack = (stack: PulumiResource[]) => {
  const copies = [structuredClone(stack), structuredClone(stack)];
  let run = 0;
  return () => {
    const facts = factsFromPulumi(copies[run++ % copies.length] as PulumiResource[]);
    for (const rule of stackRules) judge(rule, facts, undefined);
  };
};

// Warm up, then time the engine on both sizes before the pack's copies of the stacks fill the heap.
for (const stack of stacks.values()) for (let i = 0; i < 3; i++) engine(stack)();
const engineTimes = [...stacks].map(([n, stack]) => ({ n, engine: time(engine(stack), 15) }));
const results = engineTimes.map((r) => {
  const run = pack(stacks.get(r.n) as PulumiResource[]);
  run();
  return { ...r, pack: time(run, 7) };
});
for (const r of results) {
  process.stdout.write(`${String(r.n).padStart(6)} resources, ${findingsOf.get(r.n)} findings: evaluate (adapt once, ${RULES.length} rules) ${r.engine.toFixed(1)} ms; pack AnalyzeStack (${stackRules.length} stack policies) ${r.pack.toFixed(1)} ms\n`);
}
const [small, large, larger] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
process.stdout.write(`ratio 10k/1k: evaluate ${(large.engine / small.engine).toFixed(1)}, pack ${(large.pack / small.pack).toFixed(1)} (linear: 10; target: 10k under 1 s, ratio at most 12)\n`);
// 1k fits in the CPU caches and the young generation; from 10k up the cost per resource is what scales.
process.stdout.write(`ratio 20k/10k: evaluate ${(larger.engine / large.engine).toFixed(1)}, pack ${(larger.pack / large.pack).toFixed(1)} (linear: 2)\n`);
process.stdout.write(`per resource: evaluate ${results.map((r) => `${((r.engine / r.n) * 1000).toFixed(1)} µs at ${r.n / 1000}k`).join(", ")}\n`);
if (large.engine > 1000 || large.engine / small.engine > 12) process.exitCode = 1;
