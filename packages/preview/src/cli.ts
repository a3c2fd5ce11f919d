// `npm start`: runs every example program offline under the Pulumi mock engine and prints what it
// would create. `npm start -- --json` prints one JSON document and nothing else on stdout.
import { join, relative, resolve } from "node:path";
import { type CdkRun, discoverCdkExamples, runCdkExample, writeCdkRunbooks } from "./cdk-examples";
import { discoverExamples } from "./examples";
import { renderCdkExample, renderExample } from "./render";
import { posturesOf, writeRunbooks } from "./runbooks";
import { runExamples } from "./run-examples";
import { renderVerdict, verdictOf } from "./verdicts";

interface Options {
  readonly json: boolean;
  readonly only: readonly string[];
}

function parseArgs(argv: readonly string[]): Options {
  const only: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--example") only.push(argv[++i] ?? "");
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write("Usage: npm start -- [--json] [--example <name>]...\n");
      process.exit(0);
    } else {
      process.stderr.write(`Unknown argument ${JSON.stringify(arg)}. Usage: npm start -- [--json] [--example <name>]...\n`);
      process.exit(2);
    }
  }
  return { json, only };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, "../../..");
  let examples = discoverExamples(join(root, "examples"));
  let cdkExamples = discoverCdkExamples(join(root, "examples"));
  if (options.only.length > 0) {
    const names = [...examples, ...cdkExamples].map((e) => e.name);
    const unknown = options.only.filter((n) => !names.includes(n));
    if (unknown.length > 0) {
      process.stderr.write(`No example named ${unknown.join(", ")}; examples: ${names.join(", ")}.\n`);
      process.exit(2);
    }
    examples = examples.filter((e) => options.only.includes(e.name));
    cdkExamples = cdkExamples.filter((e) => options.only.includes(e.name));
  }
  const started = Date.now();
  // Pulumi programs run in child processes; CDK apps synthesize here meanwhile, one after another.
  const pending = runExamples(examples);
  const cdkRuns: CdkRun[] = [];
  for (const example of cdkExamples) cdkRuns.push(await runCdkExample(example));
  const runs = await pending;
  const runbooks = [...writeRunbooks(runs, join(root, "out")), ...writeCdkRunbooks(cdkRuns, join(root, "out"))];

  if (options.json) {
    const document = {
      examples: runs.map((run) => ({
        name: run.example.name,
        project: run.example.project,
        stack: run.example.stack,
        ...(run.error ? { error: run.error } : {}),
        resources: (run.stack?.resources ?? []).map((r) => ({
          urn: r.urn,
          type: r.type,
          name: r.name,
          parent: r.parent ?? null,
          custom: r.custom,
          provider: r.provider ?? null,
          protect: r.protect,
          dependencies: r.dependencies,
          inputs: r.inputs,
          outputs: r.outputs,
        })),
        outputs: run.stack?.outputs ?? {},
        posture: posturesOf(run),
        findings: verdictOf(run)?.findings ?? [],
      })),
      cdkExamples: cdkRuns.map((run) => ({
        name: run.example.name,
        ...(run.error ? { error: run.error } : {}),
        stacks: run.stacks ?? [],
        posture: run.postures ?? [],
        findings: run.violations ?? [],
      })),
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const written = runbooks.map((file) => `Runbook written: ${relative(root, file)}`).join("\n");
    const reports = [...runs.map((run) => `${renderExample(run)}${renderVerdict(run)}`), ...cdkRuns.map(renderCdkExample)];
    process.stdout.write(`${reports.join("\n\n")}\n\n${written ? `${written}\n` : ""}Previewed ${runs.length + cdkRuns.length} example(s) offline in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  }
  if (runs.some((r) => r.error) || cdkRuns.some((r) => r.error || (r.violations?.length ?? 0) > 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
