#!/usr/bin/env node
// Provisions what the tests need on this machine, before anything is built (`npm test`'s pretest).
// Every `scripts/provision/*.mjs` is a step, run in sorted order: it exports `name` and
// `async function ensure(ctx)`, and prints one line about what it found or did. Plain Node, no
// dependencies: it runs before `tsc -b` and may run before `npm ci` finished anything but itself.
// Every failed step is reported, not only the first, with the exact command that fixes it.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const stepsDir = join(repoRoot, "scripts", "provision");
const isRoot = process.getuid?.() === 0;

/** Where built tools are cached, outside the clone and keyed by tool and version. */
const cacheDir = process.env.LIFEBOAT_CACHE || join(homedir(), ".cache", "lifeboat");

/** An error the runner prints as is (no stack): the message says what to do. */
export class ProvisionError extends Error {}

/** Runs a command; resolves its stdout, rejects with the command and the tail of its output. */
function run(command, args = [], options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => reject(new ProvisionError(`\`${command}\` could not start: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(out);
      const tail = (err || out).trim().split("\n").slice(-15).join("\n");
      reject(new ProvisionError(`\`${[command, ...args].join(" ")}\` failed (${signal ?? `exit ${code}`})${options.cwd ? ` in ${options.cwd}` : ""}:\n${tail}`));
    });
  });
}

/** The absolute path of `name` on PATH, or undefined. */
function which(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Whether Debian package `name` is installed. */
async function debInstalled(name) {
  const status = await run("dpkg-query", ["-W", "-f=${Status}", name]).catch(() => "");
  return status.endsWith("install ok installed");
}

const aptCommand = (packages) =>
  `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(" ")}`;

let aptUpdated = false;
/** Installs Debian packages (when root), or fails with the exact command to run as root. */
async function apt(packages, why) {
  const missing = [];
  for (const p of packages) if (!(await debInstalled(p))) missing.push(p);
  if (missing.length === 0) return [];
  if (!isRoot) {
    throw new ProvisionError(`${why} needs Debian packages ${missing.join(", ")}; run as root:\n  sudo sh -c '${aptCommand(missing)}'`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    await run("apt-get", ["update", "-qq"], { env });
    aptUpdated = true;
  }
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
  return missing;
}

const sourcesFile = "/etc/apt/sources.list.d/lifeboat-deb-src.sources";
/**
 * Makes Debian source packages of `suites` (e.g. trixie, sid) reachable with a deb-src entry,
 * so `apt-get source` can fetch them; binary packages still come from the machine's own suites.
 */
async function debSources(suites, why) {
  const wanted = [...new Set(suites)].sort();
  const present = existsSync(sourcesFile) ? (/^Suites:(.*)$/m.exec(readFileSync(sourcesFile, "utf8"))?.[1] ?? "").trim().split(/\s+/) : [];
  const all = [...new Set([...present, ...wanted])].filter(Boolean).sort();
  if (wanted.every((s) => present.includes(s))) return;
  const text = `# Written by lifeboat's scripts/provision.mjs: source packages only (${why}).\nTypes: deb-src\nURIs: http://deb.debian.org/debian\nSuites: ${all.join(" ")}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`;
  if (!isRoot) {
    throw new ProvisionError(`${why} needs Debian source packages of ${wanted.join(", ")}; run as root:\n  printf '%s' '${text.replace(/\n/g, "\\n")}' > ${sourcesFile} && apt-get update`);
  }
  writeFileSync(sourcesFile, text);
  await run("apt-get", ["update", "-qq"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  aptUpdated = true;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/**
 * A tool built once per machine: `${cacheDir}/<tool>-<version>/`. `build(dir)` fills a temporary
 * directory, which is renamed into place only when complete; a lock directory makes a second
 * concurrent run wait for the first one's build instead of building over it. Returns the directory.
 */
async function cached(tool, version, build, { timeoutMs = 60 * 60_000 } = {}) {
  const key = `${tool}-${version}`;
  const final = join(cacheDir, key);
  if (existsSync(final)) return { dir: final, built: false, seconds: 0 };
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, `.${key}.lock`);
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    if (existsSync(final)) return { dir: final, built: false, seconds: 0 };
    // The lock may be between its mkdir and its pid file, or just released: read both defensively.
    let owner;
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
      owner = Number(readFileSync(join(lock, "pid"), "utf8").trim() || "0") || undefined;
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
    // A lock whose owner died (or that never got a pid within a minute) is stale.
    if ((owner && !alive(owner)) || (!owner && age > 60_000)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) {
      console.log(`${key}: waiting for another run's build (pid ${owner ?? "?"})`);
      said = true;
    }
    if (Date.now() > deadline) throw new ProvisionError(`${key}: another run (pid ${owner}) has held ${lock} for ${Math.round(timeoutMs / 60_000)} minutes; if no build is running, remove that directory`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const temp = join(cacheDir, `.${key}.tmp-${process.pid}`);
  const started = Date.now();
  try {
    if (existsSync(final)) return { dir: final, built: false, seconds: 0 };
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    await build(temp);
    renameSync(temp, final);
    return { dir: final, built: true, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

/** What every step gets. */
const ctx = {
  repoRoot,
  cacheDir,
  isRoot,
  /** Parallel jobs for builds. */
  jobs: Math.max(1, Number(process.env.LIFEBOAT_BUILD_JOBS) || (await import("node:os")).availableParallelism()),
  run,
  which,
  debInstalled,
  apt,
  debSources,
  cached,
  ProvisionError,
  /** A scratch directory removed after the run. */
  scratch(prefix) {
    const dir = join(tmpdir(), `lifeboat-provision-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir, { recursive: true });
    scratchDirs.push(dir);
    return dir;
  },
};
const scratchDirs = [];

const steps = readdirSync(stepsDir).filter((f) => f.endsWith(".mjs")).sort();
const failures = [];
for (const file of steps) {
  const step = await import(pathToFileURL(join(stepsDir, file)).href);
  const name = step.name ?? file;
  try {
    await step.ensure(ctx);
  } catch (e) {
    failures.push(`${name}: ${e instanceof ProvisionError ? e.message : e?.stack ?? e}`);
    console.error(`${name}: FAILED`);
  }
}
for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`\nProvisioning failed (${failures.length} of ${steps.length} steps); nothing was tested:\n\n${failures.join("\n\n")}\n`);
  process.exit(1);
}
