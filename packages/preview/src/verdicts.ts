import { describeFinding, evaluate, factsFromPulumi, type Finding, fromRecorded, isBlocking, RULES } from "@lifeboat/policies";
import type { ExampleRun } from "./run-examples";

/** What the policy pack says about one example's stack, at the pack's defaults. */
export interface Verdict {
  readonly findings: Finding[];
  readonly rulesRun: number;
}

/** Judges a recorded example with every rule, as `pulumi preview --policy-pack packages/policies` would. */
export function verdictOf(run: ExampleRun): Verdict | undefined {
  if (!run.stack) return undefined;
  const { findings, rulesRun } = evaluate(factsFromPulumi(run.stack.resources.map(fromRecorded)), RULES);
  return { findings, rulesRun: rulesRun.length };
}

/** The "Policy verdicts" section of an example's report. */
export function renderVerdict(run: ExampleRun): string {
  const verdict = verdictOf(run);
  if (!verdict) return "";
  const blocking = verdict.findings.filter(isBlocking).length;
  const head = `  Policy verdicts (lifeboat-dr, ${verdict.rulesRun} rules): ${verdict.findings.length === 0 ? "no findings." : `${verdict.findings.length} finding(s), ${blocking} blocking.`}`;
  return ["", head, ...verdict.findings.map((f) => `    ${describeFinding(f)}`)].join("\n");
}
