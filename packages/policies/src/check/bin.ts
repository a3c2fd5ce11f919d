#!/usr/bin/env node
// `lifeboat-policies`: the rules without the Pulumi engine, for CI on templates and preview output.
import { runCli } from "./cli";

process.exitCode = runCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
