import type { RecordedResource } from "@lifeboat/constructs/testing";
import type { ExampleRun } from "./run-examples";
import type { EstatePosture } from "@lifeboat/constructs/core";
import type { CdkRun } from "./cdk-examples";
import { posturesOf } from "./runbooks";

/** Counts of an example's resources: components (Lifeboat's and the stack) and cloud resources. */
export function countResources(resources: readonly RecordedResource[]): { components: number; cloud: number; providers: number } {
  let components = 0;
  let cloud = 0;
  let providers = 0;
  for (const r of resources) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    if (r.type.startsWith("pulumi:providers:")) providers++;
    else if (r.custom) cloud++;
    else components++;
  }
  return { components, cloud, providers };
}

/** The tree of components and resources, one line each, children under their parent. */
export function renderTree(resources: readonly RecordedResource[]): string[] {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const regions = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r.inputs.region as string | undefined]));
  const lines: string[] = [];
  const walk = (parent: string | undefined, indent: string) => {
    const list = (children.get(parent) ?? []).slice().sort((a, b) => Number(a.custom) - Number(b.custom) || a.name.localeCompare(b.name));
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const region = r.provider ? regions.get(r.provider) : undefined;
      const marks = [region ? `@ ${region}` : "", r.protect ? "protected" : ""].filter(Boolean).join(", ");
      lines.push(`${indent}${last ? "└─ " : "├─ "}${r.name}  ${r.type}${marks ? `  [${marks}]` : ""}`);
      walk(r.urn, `${indent}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  return lines;
}

/** `90` → `1h30`, `45` → `45m`, `1440` → `24h`. */
function minutes(m: number): string {
  const h = Math.floor(m / 60);
  return h === 0 ? `${m}m` : m % 60 === 0 ? `${h}h` : `${h}h${String(m % 60).padStart(2, "0")}`;
}

function shorten(value: unknown, width = 96): string {
  const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/\s+/g, " ");
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** The human report for one example. */
export function renderExample(run: ExampleRun): string {
  const title = `examples/${run.example.name}  (project ${run.example.project}, stack ${run.example.stack})`;
  if (!run.stack) return [`${title}`, `  FAILED: ${run.error ?? "unknown error"}`].join("\n");
  const counts = countResources(run.stack.resources);
  const lines = [
    `${title}`,
    `  ${counts.cloud + counts.components + counts.providers} resources: ${counts.cloud} cloud resources, ${counts.components} components, ${counts.providers} providers`,
    "",
    ...renderTree(run.stack.resources).map((l) => `  ${l}`),
  ];
  lines.push(...renderPostures(posturesOf(run)));
  const outputs = Object.entries(run.stack.outputs).filter(([, v]) => !posturesOf({ ...run, stack: { resources: [], outputs: { v } } }).length);
  if (outputs.length > 0) {
    lines.push("", "  Outputs:");
    for (const [key, value] of outputs) lines.push(`    ${key}: ${shorten(value)}`);
  }
  return lines.join("\n");
}

/** Each estate's posture: objectives, then per source the RPO and RTO achieved, its copies and alarms. */
export function renderPostures(postures: readonly EstatePosture[]): string[] {
  const lines: string[] = [];
  for (const posture of postures) {
    lines.push("", `  DR posture of ${posture.estate} (RPO ${minutes(posture.objectives.rpoMinutes)}, RTO ${minutes(posture.objectives.rtoMinutes)}, DR region ${posture.objectives.drRegion}):`);
    for (const s of posture.sources) {
      lines.push(
        `    ${s.restoreOrder}. ${s.name.padEnd(16)} RPO ${minutes(s.achieved.rpoMinutes).padStart(5)} of ${minutes(s.objective.rpoMinutes).padEnd(5)} RTO ${minutes(s.achieved.rtoMinutes).padStart(5)} of ${minutes(s.objective.rtoMinutes).padEnd(5)} ${s.meetsObjectives ? "meets" : "FAILS"}  ${s.copies.length} copies, ${s.alarms.length} alarms`,
      );
    }
  }
  return lines;
}

/** The human report for one CDK example: its stacks, construct tree with counts, posture and the plugin's verdict. */
export function renderCdkExample(run: CdkRun): string {
  const title = `examples/${run.example.name}  (AWS CDK app, synthesized offline)`;
  if (!run.stacks) return [title, `  FAILED: ${run.error ?? "unknown error"}`].join("\n");
  const total = run.stacks.reduce((n, s) => n + s.resources.length, 0);
  const lines = [
    title,
    `  ${total} CloudFormation resources in ${run.stacks.length} stacks: ${run.stacks.map((s) => `${s.name} @ ${s.region} (${s.resources.length})`).join(", ")}`,
    "",
    ...(run.tree ?? []).map((l) => `  ${l}`),
    ...renderPostures(run.postures ?? []),
    "",
    `  Policy verdicts (LifeboatPolicyPlugin over every template): ${run.violations?.length ? `${run.violations.length} finding(s).` : "no findings."}`,
    ...(run.violations ?? []).map((v) => `    ${v.ruleName}: ${v.description} (${v.resources.join(", ")})`),
  ];
  return lines.join("\n");
}
