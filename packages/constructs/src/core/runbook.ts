import { describeMinutes, type EstatePosture, type SourcePosture } from "./posture";

const time = describeMinutes;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const mermaidId = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");
const mermaidLabel = (text: string) => text.replace(/"/g, "'");

/** The estate as a Mermaid flowchart: sources, where their copies go, and where alerts go. */
export function mermaidDiagram(posture: EstatePosture): string {
  const lines = ["flowchart LR"];
  const byRegion = new Map<string, string[]>();
  const copyNodes = new Map<string, string>();
  for (const source of posture.sources) {
    const node = `src_${mermaidId(source.name)}`;
    const primary = byRegion.get(posture.objectives.primaryRegion) ?? [];
    primary.push(`    ${node}[("${mermaidLabel(`${source.name}\n${source.engine}`)}")]`);
    byRegion.set(posture.objectives.primaryRegion, primary);
    for (const copy of source.copies) {
      const key = `${copy.region}|${copy.where}`;
      let copyNode = copyNodes.get(key);
      if (!copyNode) {
        copyNode = `copy_${copyNodes.size + 1}`;
        copyNodes.set(key, copyNode);
        const list = byRegion.get(copy.region) ?? [];
        list.push(`    ${copyNode}[["${mermaidLabel(copy.where)}"]]`);
        byRegion.set(copy.region, list);
      }
    }
  }
  for (const [region, nodes] of byRegion) {
    const role = region === posture.objectives.primaryRegion ? "primary" : region === posture.objectives.drRegion ? "DR" : "other";
    lines.push(`  subgraph region_${mermaidId(region)}["${region} (${role})"]`, ...nodes, "  end");
  }
  for (const source of posture.sources) {
    for (const copy of source.copies) {
      lines.push(`  src_${mermaidId(source.name)} -->|"${mermaidLabel(`${copy.what}, ${copy.every}`)}"| ${copyNodes.get(`${copy.region}|${copy.where}`)}`);
    }
  }
  const digitalOcean = posture.provider === "digitalocean";
  lines.push(`  alarms{{"${digitalOcean ? "uptime checks and monitor alerts" : "CloudWatch alarms"}"}} --> topic(["${mermaidLabel(digitalOcean ? "DigitalOcean alert policies" : "alert topic")}"])`);
  const recipients = [...posture.alerts.emails, ...posture.alerts.httpsEndpoints, ...(posture.alerts.slackChannels ?? []).map((c) => `Slack ${c}`)];
  recipients.forEach((r, i) => lines.push(`  topic --> recipient_${i}["${mermaidLabel(r)}"]`));
  return lines.join("\n");
}

function sourceSection(source: SourcePosture): string[] {
  const out = [
    `### ${source.restoreOrder}. ${source.name} (${source.kind}, ${source.engine})`,
    "",
    `Objective: RPO ${time(source.objective.rpoMinutes)}, RTO ${time(source.objective.rtoMinutes)}. ` +
      `Achieved by configuration: RPO ${time(source.achieved.rpoMinutes)}, RTO about ${time(source.achieved.rtoMinutes)} ` +
      `(${source.meetsObjectives ? "meets the objectives" : "DOES NOT meet the objectives"}).`,
  ];
  if (source.rto) out.push("", `${source.rto.statement}.`);
  if (source.drill) out.push("", `Restore drill: ${source.drill.every}${source.drill.job ? ` by \`${source.drill.job}\`` : ""}; records in \`drills/${source.name}/\` of the vault.`);
  if (source.jobs && source.jobs.length > 0) out.push("", "Where its jobs run:", "", ...source.jobs.map((j) => `- ${j.job}: ${j.runtime === "lambda" ? "Lambda" : j.runtime === "fargate" ? "ECS Fargate" : "the runner"}, ${j.reason}.`));
  if (source.restoreAfter.length > 0) out.push("", `Restore after: ${source.restoreAfter.join(", ")}.`);
  out.push("", "Copies:", "", "| Copy | Where | Region | Kept for | New restore point |", "|---|---|---|---|---|");
  for (const c of source.copies) out.push(`| ${cell(c.what)} | \`${cell(c.where)}\` | ${c.region} | ${cell(c.keptFor)} | ${c.every} |`);
  out.push("", "Recovery methods, best first:", "");
  source.methods.forEach((m, i) => out.push(`${i + 1}. ${m.description}: RPO ${time(m.rpoMinutes)}, about ${time(m.rtoMinutes)} to restore.`));
  out.push("", "Restore steps:", "");
  source.restore.forEach((c, i) => out.push(`${i + 1}. ${c.description}`, "", "   ```sh", `   ${c.command}`, "   ```", ""));
  out.push("Then point the application at the restored endpoint, check the application's health, and record the times in the drill log.", "");
  if (source.alarms.length > 0) {
    out.push("Alarms watching it:", "");
    for (const a of source.alarms) out.push(`- \`${a.name}\`: ${a.description}`);
    out.push("");
  }
  if (source.notes.length > 0) {
    out.push("Notes:", "");
    for (const n of source.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out;
}

/**
 * The estate's runbook in Markdown: restore order, per-source restore steps with the exact commands,
 * objectives against what the configuration achieves, alarms and who receives them, the
 * verification schedule, a drill checklist and a diagram. Generated from the posture, so it changes
 * when the estate does.
 */
export function renderRunbook(posture: EstatePosture, extras: { readonly jobConfigs?: Readonly<Record<string, string>> } = {}): string {
  const o = posture.objectives;
  const out: string[] = [
    `# Disaster-recovery runbook: ${posture.estate}`,
    "",
    "Generated by Lifeboat from the estate's configuration. Do not edit by hand: change the estate and regenerate.",
    "",
    `Objectives: RPO ${time(o.rpoMinutes)}, RTO ${time(o.rtoMinutes)}. Primary region ${o.primaryRegion}, DR region ${o.drRegion}.`,
    "",
    "## Targets against what the configuration achieves",
    "",
    "| Source | RPO target | RPO achieved | RTO target | RTO estimated | Verdict |",
    "|---|---|---|---|---|---|",
    ...posture.sources.map(
      (s) =>
        `| ${s.name} | ${time(s.objective.rpoMinutes)} | ${time(s.achieved.rpoMinutes)} | ${time(s.objective.rtoMinutes)} | ${time(s.achieved.rtoMinutes)} | ${s.meetsObjectives ? "meets" : "FAILS"} |`,
    ),
    "",
    `Restores that must follow one another take about ${time(posture.estateRtoMinutes)} in all (estimate; replace it with drill measurements).`,
    "",
    "## Restore order",
    "",
    ...posture.restoreOrder.map((name, i) => {
      const s = posture.sources.find((x) => x.name === name);
      return `${i + 1}. ${name}${s && s.restoreAfter.length > 0 ? ` (after ${s.restoreAfter.join(", ")})` : ""}`;
    }),
    "",
    "## Restoring each source",
    "",
    ...posture.sources
      .slice()
      .sort((a, b) => a.restoreOrder - b.restoreOrder)
      .flatMap(sourceSection),
    "## Alarms and who receives them",
    "",
    posture.provider === "digitalocean"
      ? `Every alert is sent by ${posture.alerts.topicArn} to:`
      : `Every alarm goes to the SNS topic \`${posture.alerts.topicArn}\`, encrypted with a customer key, and from there to:`,
    "",
    ...(posture.alerts.emails.length + posture.alerts.httpsEndpoints.length + (posture.alerts.slackChannels?.length ?? 0) > 0
      ? [
          ...posture.alerts.emails.map((e) => `- email: ${e}${posture.provider === "digitalocean" ? "" : " (must confirm the subscription once)"}`),
          ...posture.alerts.httpsEndpoints.map((u) => `- HTTPS: ${u}`),
          ...(posture.alerts.slackChannels ?? []).map((c) => `- Slack: ${c}`),
        ]
      : ["- nobody yet: subscribe an address or an endpoint to the topic."]),
    "",
    "| Alarm | Source | What it means |",
    "|---|---|---|",
    ...posture.sources.flatMap((s) => s.alarms.map((a) => `| \`${a.name}\` | ${s.name} | ${cell(a.description)} |`)),
    ...posture.alerts.estateAlarms.map((a) => `| \`${a.name}\` | estate | ${cell(a.description)} |`),
    "",
    "## Verification",
    "",
    ...(posture.verification
      ? [
          `The verification job \`${posture.verification.job}\` runs ${posture.verification.schedule} (UTC). Each run checks, per source: freshness against the RPO and missed runs, ` +
            "artifacts without a manifest, stored size and SHA-256 against the manifest, size change against the previous backup, that the archive's table of contents reads, " +
            "and the copy in the replica vault. A failed check fails the run and raises the source's verify-failed alarm.",
        ]
      : ["No source has a logical backup, so there is no verification job; native backups are watched by their own alarms."]),
    "",
    "## Drill checklist",
    "",
    ...(posture.sources.some((s) => s.drill)
      ? [
          `Scheduled drills restore each source's newest backup into a scratch target, check it and record the measured restore time: ${posture.sources
            .filter((s) => s.drill)
            .map((s) => `${s.name} ${s.drill!.every}`)
            .join(", ")}. A failed drill, no successful drill within its period, or a restore slower than the RTO raises an alarm.`,
          "",
        ]
      : []),
    "Run a full drill at least once a quarter, and after every change to the estate:",
    "",
    "- [ ] Pick a time in the last day as the point to recover to; note it.",
    ...posture.restoreOrder.map((name) => `- [ ] Restore ${name} with the steps above into a scratch environment; time it from the first command to healthy.`),
    "- [ ] Compare each measured restore time with the RTO and each data-loss window with the RPO; record both.",
    "- [ ] Repeat one restore in the DR region from the off-site copy.",
    posture.provider === "digitalocean"
      ? "- [ ] Confirm the dead-man's switch pages every recipient: on the runner, `systemctl stop lifeboat-health.service` for 10 minutes, then start it again."
      : "- [ ] Confirm an alarm reaches every recipient (set one alarm to ALARM with `aws cloudwatch set-alarm-state`).",
    "- [ ] Delete the scratch resources; file the drill log with the date, the times and what to improve.",
    "",
    "## Diagram",
    "",
    "```mermaid",
    mermaidDiagram(posture),
    "```",
    "",
  ];
  if (extras.jobConfigs && Object.keys(extras.jobConfigs).length > 0) {
    out.push("## Job configuration files", "", "The `lifeboat` command line reads the same configuration as the scheduled jobs. Save these next to it:", "");
    for (const [file, json] of Object.entries(extras.jobConfigs)) out.push(`\`${file}\`:`, "", "```json", json, "```", "");
  }
  return out.join("\n");
}
