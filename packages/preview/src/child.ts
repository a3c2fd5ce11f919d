// Entry of the child process that runs one example: the Pulumi runtime is global, so each program
// gets a process of its own. Receives the example on argv as JSON, answers over IPC.
import { FakeCloud } from "./fake-cloud";
import type { ExampleProgram } from "./examples";
import { recordProgram } from "./recorder";

async function main(): Promise<void> {
  const example = JSON.parse(process.argv[2] ?? "{}") as ExampleProgram;
  const cloud = new FakeCloud(example.config["aws:region"] ? { region: example.config["aws:region"] } : {});
  try {
    const stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud });
    process.send?.({ ok: true, stack });
  } catch (err) {
    process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

void main();
