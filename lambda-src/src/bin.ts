#!/usr/bin/env node
import { main } from "./cli";

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lifeboat: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
