#!/usr/bin/env node
// Before any AWS SDK client exists: its Node.js version notice is not JSON, and stderr carries JSON
// lines only (the SDK reads the variable when a client is built).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { main } from "./cli";
import { describeError } from "./support/errors";

// Node's own warnings (deprecations, listeners) become JSON log lines instead of free text.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "warn", event: "node.warning", message: `${warning.name}: ${warning.message}` })}\n`);
});

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  ...(process.stderr.isTTY ? { terminal: { columns: process.stderr.columns } } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Not reached unless the command line itself is wrong: main reports every failure it meets.
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "cli.crashed", message: describeError(error) })}\n`);
    process.exitCode = 1;
  },
);
