// Entry of the child process that runs one example: the Pulumi runtime is global, so each program
// gets a process of its own. Receives the example on argv as JSON, answers over IPC.
import { FakeCloud, recordProgram } from "@lifeboat/constructs/testing";
import type { ExampleProgram } from "./examples";

/** Reports a failure once: a deploy-time error inside an Output surfaces as an unhandled rejection. */
function fail(err: unknown): void {
  process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);

async function main(): Promise<void> {
  const example = JSON.parse(process.argv[2] ?? "{}") as ExampleProgram;
  const cloud = new FakeCloud(example.config["aws:region"] ? { region: example.config["aws:region"] } : {});
  try {
    const stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud });
    // Let rejections from Outputs surface before answering: they fail the program like a deployment.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.send?.({ ok: true, stack }, () => process.exit(0));
  } catch (err) {
    fail(err);
  }
}

void main();
