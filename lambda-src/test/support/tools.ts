import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The command that provisions every tool the tests use (`npm test` runs it first). */
export const provisionCommand = "node scripts/provision.mjs";

const repoRoot = resolve(__dirname, "../../..");

/** Where scripts/provision.mjs caches built tools: `${LIFEBOAT_CACHE:-$HOME/.cache/lifeboat}`. */
export function toolCache(): string {
  return process.env.LIFEBOAT_CACHE || join(homedir(), ".cache", "lifeboat");
}

/**
 * The directory of a tool the provisioning built: `<cache>/<tool>-<version>`, the newest whose
 * version starts with `versionPrefix` (e.g. `provisionedTool("postgresql-client", "18")`).
 */
export function provisionedTool(tool: string, versionPrefix = ""): string {
  const cache = toolCache();
  const prefix = `${tool}-${versionPrefix}`;
  const found = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => d.startsWith(prefix) && (versionPrefix === "" || /^[.\-]|^$/.test(d.slice(prefix.length, prefix.length + 1))))
        .sort((a, b) => b.localeCompare(a, "en", { numeric: true }))
    : [];
  if (!found[0]) {
    throw new Error(`${tool} ${versionPrefix || ""} is not provisioned in ${cache}: run \`${provisionCommand}\` in the repository (npm test runs it first)`.replace("  ", " "));
  }
  return join(cache, found[0]);
}

/** PostgreSQL majors the tests run servers of. 15 comes from Debian, the others from npm. */
export const testedPostgresMajors = [15, 16, 17, 18] as const;

/** Majors whose client tools the tests have: Debian's 15 and the provisioning's builds of 17 and 18. */
export const postgresClientMajors = [15, 17, 18] as const;

/** The directory of PostgreSQL `major`'s client tools (pg_dump, pg_restore, pg_dumpall, psql). */
export function postgresClientDir(major: number): string {
  if (major === 15) {
    const debian = "/usr/lib/postgresql/15/bin";
    if (!existsSync(join(debian, "pg_dump"))) throw new Error(`PostgreSQL 15 client tools are not in ${debian}: run \`${provisionCommand}\` (it installs Debian's postgresql-15)`);
    return debian;
  }
  return join(provisionedTool("postgresql-client", String(major)), "bin");
}

/** The directory of PostgreSQL `major`'s server binaries (initdb, pg_ctl, postgres). */
export function postgresServerDir(major: number): string {
  if (major === 15) {
    const debian = "/usr/lib/postgresql/15/bin";
    if (!existsSync(join(debian, "pg_ctl"))) throw new Error(`PostgreSQL 15 server is not in ${debian}: run \`${provisionCommand}\` (it installs Debian's postgresql-15)`);
    return debian;
  }
  const pkg = `pg-server-${major}`;
  const installed = join(repoRoot, "node_modules", pkg);
  if (!existsSync(join(installed, "package.json"))) throw new Error(`PostgreSQL ${major} server (${pkg}) is not installed: it is a devDependency, run \`npm ci\``);
  // As root the provisioning copies the server where the `postgres` user can reach it.
  const relocatedRoot = "/var/tmp/lifeboat";
  if (process.getuid?.() === 0 && existsSync(relocatedRoot)) {
    const version = (JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { version: string }).version;
    const copy = join(relocatedRoot, `${pkg}-${version}`, "native", "bin");
    if (existsSync(copy)) return copy;
  }
  const bin = join(installed, "native", "bin");
  if (!existsSync(join(bin, "pg_ctl"))) throw new Error(`PostgreSQL ${major} server has no ${join(bin, "pg_ctl")}: run \`${provisionCommand}\``);
  return bin;
}
