import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export const ROOT = join(__dirname, "../..");
const FIXTURES = join(__dirname, "fixtures");

/** The published packages, by workspace folder. */
export const PACKAGES = { constructs: "packages/constructs", policies: "packages/policies", jobs: "lambda-src" } as const;

/**
 * The Node.js binary of `major` that `npm test`'s provisioning (scripts/provision/40-node.mjs)
 * unpacked into the cache; fails with the command that provides it.
 */
export function nodeBinary(major: 22 | 24): string {
  const versions = JSON.parse(readFileSync(join(ROOT, "scripts/provision/node-versions.json"), "utf8")) as Record<string, string>;
  const cache = process.env.LIFEBOAT_CACHE || join(homedir(), ".cache", "lifeboat");
  const node = join(cache, `node-${versions[String(major)]}`, "bin", "node");
  if (!existsSync(node)) throw new Error(`Node.js ${versions[String(major)]} is not in ${cache}: run \`node scripts/provision.mjs\` (npm test's pretest) first.`);
  return node;
}

/** The result of a command that ran to its end. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command with `node` first on PATH (so `npm`, `npx` and every `#!/usr/bin/env node` script
 * run on it), outside the workspace's npm configuration, and resolves with its exit code and output.
 */
export function run(node: string, command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 600_000,
        env: {
          ...withoutNpmConfig(process.env),
          PATH: `${dirname(node)}:${process.env.PATH}`,
          NODE_OPTIONS: "",
          AWS_EC2_METADATA_DISABLED: "true",
          CDK_DISABLE_CLI_TELEMETRY: "true",
          ...options.env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code as number) : -1) : 0;
        if (code === -1) reject(new Error(`${command} ${args.join(" ")} did not run to its end in ${options.cwd}: ${err?.message}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Fails with the command's output unless it exited 0. */
export function ok(ran: Ran, what: string): Ran {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}:\n${ran.stdout.slice(-4000)}\n${ran.stderr.slice(-4000)}`);
  return ran;
}

/** npm run from the workspace passes its config (the workspace root, loglevel) down in the environment. */
function withoutNpmConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !/^npm_/i.test(e[0])));
}

/** The version of a package installed in the workspace: the consumer projects pin the same, so npm's cache has it. */
export function workspaceVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** Writes a consumer project: the fixture's files and a package.json with these dependencies. */
export function writeProject(dir: string, fixture: "pulumi" | "cdk", dependencies: Record<string, string>, devDependencies: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const file of ["tsconfig.json", ...(fixture === "pulumi" ? ["index.ts", "record.ts"] : ["app.ts"])]) copyFileSync(join(FIXTURES, fixture, file), join(dir, file));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `lifeboat-consumer-${fixture}`, private: true, main: fixture === "pulumi" ? "bin/index.js" : undefined, dependencies, devDependencies }, null, 2)}\n`);
}

/** Arguments for `npm install` that reuse npm's cache and print only problems. */
export const NPM_INSTALL = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
