import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type EstatePosture, renderRunbook } from "@lifeboat/constructs/core";
import type { ExampleRun } from "./run-examples";

/** Whether a stack output is an estate's posture (`DisasterRecoveryEstate.posture`). */
export function isPosture(value: unknown): value is EstatePosture {
  const v = value as Partial<EstatePosture> | undefined;
  return typeof v === "object" && v !== null && typeof v.estate === "string" && Array.isArray(v.sources) && typeof v.objectives === "object";
}

/** Every estate posture an example exports, whatever the output is called. */
export function posturesOf(run: ExampleRun): EstatePosture[] {
  return Object.values(run.stack?.outputs ?? {}).flatMap((v) => (isPosture(v) ? [v] : Array.isArray(v) ? v.filter(isPosture) : []));
}

/** Job configuration files an example exports as `jobConfigs` (`DisasterRecoveryEstate.jobConfigs`). */
function jobConfigsOf(run: ExampleRun): Record<string, string> | undefined {
  const value = run.stack?.outputs.jobConfigs;
  return typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string") ? (value as Record<string, string>) : undefined;
}

/**
 * Writes `<outDir>/<example>/RUNBOOK.md` for every example that exports an estate posture, and
 * returns the paths written. Several estates in one example share the file, one after another.
 */
export function writeRunbooks(runs: readonly ExampleRun[], outDir: string): string[] {
  const written: string[] = [];
  for (const run of runs) {
    const postures = posturesOf(run);
    if (postures.length === 0) continue;
    const jobConfigs = jobConfigsOf(run);
    const dir = join(outDir, run.example.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "RUNBOOK.md");
    writeFileSync(file, postures.map((p) => renderRunbook(p, jobConfigs ? { jobConfigs } : {})).join("\n\n---\n\n"));
    written.push(file);
  }
  return written;
}
