#!/usr/bin/env node
// The `lifeboat` command. Installed from npm it runs the compiled `dist/bin.js`. In a checkout of
// the repository (right after `npm ci`, nothing built yet) it runs the TypeScript sources through
// tsx instead, so the command always matches the code beside it.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const checkout = existsSync(join(root, "tsconfig.json")) && existsSync(join(root, "src", "bin.ts"));
let tsx;
if (checkout) {
  try {
    tsx = require.resolve("tsx", { paths: [root] });
  } catch {
    tsx = undefined;
  }
}
if (!tsx) {
  require(join(root, "dist", "bin.js"));
} else {
  const { spawn } = require("node:child_process");
  const { pathToFileURL } = require("node:url");
  const child = spawn(process.execPath, ["--conditions=lifeboat-source", "--import", pathToFileURL(tsx).href, join(root, "src", "bin.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
