import { POSTGRES_MAJORS, type BackupManifest, type JobConfig } from "@lifeboat/constructs/core";
import type { JobContext } from "../context";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { JobError } from "../support/errors";
import { runTool, toolEnvironment } from "../support/process";
import { describeConnection, psqlRows, withDatabase, type PgConnection } from "./connection";

/**
 * Choosing PostgreSQL client tools by major version. pg_dump refuses a server of a newer major, so a
 * dump uses a pg_dump of the server's major, or the nearest newer one. A pg_restore reads archives up
 * to the version its major writes (13–15: 1.14, 16: 1.15, 17–18: 1.16), and one of major 17 or newer
 * sends `SET transaction_timeout`, which servers before 17 reject: a restore uses a pg_restore of the
 * target's major when that reads the archive, else the oldest one that does, and never a 17+ one
 * into a server before 17.
 */

/** One major's client tools. */
export interface PostgresClient {
  readonly major: number;
  /** `pg_dump --version`'s number, e.g. "18.6". */
  readonly version: string;
  readonly pgDump: string;
  readonly pgRestore: string;
  readonly psql: string;
  readonly pgDumpall: string;
  /** Where they were found, for messages: `tools.postgres["18"]`, a directory, or the PATH. */
  readonly from: string;
}

/** The archive version (minor of 1.x) pg_dump of `major` writes, which is the newest its pg_restore reads. */
export function archiveMinorOf(major: number): number {
  return major >= 17 ? 16 : major === 16 ? 15 : 14;
}

/** Where each major's tools are looked for, after `tools.postgres[major]`: Debian, PGDG RPMs, the image. */
export function standardDirectories(major: number): string[] {
  return [`/usr/lib/postgresql/${major}/bin`, `/usr/pgsql-${major}/bin`, `/opt/postgresql/${major}/bin`];
}

/** What to tell someone who lacks a major's tools. */
export function installHint(major: number): string {
  return (
    `Install PostgreSQL ${major}'s client tools (Debian/Ubuntu: postgresql-client-${major} from apt.postgresql.org; ` +
    `RHEL/Amazon Linux: postgresql${major} or the PGDG postgresql${major} package; the Lifeboat image ships ${POSTGRES_MAJORS.join(", ")} under /opt/postgresql/<major>/bin) ` +
    `and set \`tools.postgres["${major}"]\` to the directory holding pg_dump, pg_restore and psql.`
  );
}

const versions = new Map<string, Promise<string | undefined>>();

/** `<tool> --version`'s number ("18.6", "15.14"), or undefined when it cannot be run. */
function toolVersion(path: string): Promise<string | undefined> {
  let known = versions.get(path);
  if (!known) {
    known = runTool("pg_dump --version", path, ["--version"], toolEnvironment()).then(
      (out) => /\b(\d+)(?:\.(\d+))?/.exec(out.replace(/^[^)]*\)/, ""))?.[0],
      () => undefined,
    );
    versions.set(path, known);
  }
  return known;
}

function onPath(tool: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  return undefined;
}

/** The tools in `dir`, when its pg_dump runs; their major is what pg_dump says, not the directory's name. */
async function clientIn(dir: string, from: string): Promise<PostgresClient | undefined> {
  const pgDump = join(dir, "pg_dump");
  if (!existsSync(pgDump)) return undefined;
  const version = await toolVersion(pgDump);
  if (!version) return undefined;
  return { major: Number(version.split(".")[0]), version, pgDump, pgRestore: join(dir, "pg_restore"), psql: join(dir, "psql"), pgDumpall: join(dir, "pg_dumpall"), from };
}

/**
 * Every major's client tools this machine has, newest major first: `tools.postgres` entries first, then
 * the standard directories of each supported major, then `tools.pgDump` (and its siblings) and the PATH.
 * A configured directory that holds no working pg_dump of its major is an error.
 */
export async function findPostgresClients(config: JobConfig, env: NodeJS.ProcessEnv = process.env): Promise<PostgresClient[]> {
  const found = new Map<number, PostgresClient>();
  const problems: string[] = [];
  for (const [major, dir] of Object.entries(config.tools?.postgres ?? {})) {
    const client = await clientIn(dir, `tools.postgres["${major}"]`);
    if (!client) problems.push(`\`tools.postgres["${major}"]\` (${JSON.stringify(dir)}) holds no pg_dump that runs.`);
    else if (String(client.major) !== major) problems.push(`\`tools.postgres["${major}"]\` (${JSON.stringify(dir)}) holds pg_dump ${client.version}, not of major ${major}.`);
    else found.set(client.major, client);
  }
  if (problems.length > 0) throw new JobError(problems.join(" "), { hint: "Point each `tools.postgres` entry at the bin directory of that major's client tools." });
  for (const major of POSTGRES_MAJORS) {
    if (found.has(major)) continue;
    for (const dir of standardDirectories(major)) {
      const client = await clientIn(dir, dir);
      if (client?.major === major) {
        found.set(major, client);
        break;
      }
    }
  }
  // The single-tool settings and the PATH: the version decides which major they are.
  const single = config.tools?.pgDump ?? onPath("pg_dump", env);
  if (single) {
    const version = await toolVersion(single);
    const major = version ? Number(version.split(".")[0]) : undefined;
    if (major !== undefined && !found.has(major)) {
      const sibling = (tool: string, configured: string | undefined) => configured ?? single.replace(/pg_dump$/, tool);
      found.set(major, {
        major,
        version: version!,
        pgDump: single,
        pgRestore: sibling("pg_restore", config.tools?.pgRestore),
        psql: sibling("psql", config.tools?.psql),
        pgDumpall: sibling("pg_dumpall", undefined),
        from: config.tools?.pgDump ? "tools.pgDump" : "the PATH",
      });
    }
  }
  return [...found.values()].sort((a, b) => b.major - a.major);
}

/** The server's major version (`server_version_num` / 10000), asked with any psql. */
export async function serverMajor(psql: string, connection: PgConnection, env?: NodeJS.ProcessEnv): Promise<{ major: number; version: string }> {
  const rows = await psqlRows(psql, connection, "SELECT current_setting('server_version_num'), current_setting('server_version')", env);
  const num = Number(rows[0]?.[0]);
  if (!Number.isInteger(num) || num < 90000) throw new JobError(`${describeConnection(connection)} answered server_version_num ${JSON.stringify(rows[0]?.[0])}, which is not a PostgreSQL version.`);
  return { major: Math.floor(num / 10000), version: rows[0]![1]!.split(" ")[0]! };
}

function listing(clients: readonly PostgresClient[]): string {
  return clients.length === 0 ? "none" : clients.map((c) => `${c.major} (${c.version}, ${c.from})`).join(", ");
}

/** The tools to dump a server of `major` with: its own major, else the nearest newer one. */
export function clientForDump(serverMajorVersion: number, clients: readonly PostgresClient[], server: string): PostgresClient {
  const usable = clients.filter((c) => c.major >= serverMajorVersion).sort((a, b) => a.major - b.major);
  if (usable[0]) return usable[0];
  throw new JobError(`${server} runs PostgreSQL ${serverMajorVersion}; a dump needs pg_dump ${serverMajorVersion} or newer (pg_dump refuses newer servers), and this machine has: ${listing(clients)}.`, {
    hint: installHint(serverMajorVersion),
  });
}

/** Parses "1.16.0" into its minor (16); undefined for another major or a malformed version. */
export function archiveMinor(version: string): number | undefined {
  const m = /^1\.(\d+)\.\d+$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/**
 * The tools to restore an archive of `archiveVersion` into a server of `targetMajor`: the target's
 * own major when its pg_restore reads the archive, else the oldest major that reads it, as long as that
 * does not send 17's settings to a server before 17.
 */
export function clientForRestore(archiveVersion: string, targetMajor: number, clients: readonly PostgresClient[], target: string): PostgresClient {
  const minor = archiveMinor(archiveVersion);
  const reads = (c: PostgresClient) => minor !== undefined && archiveMinorOf(c.major) >= minor;
  const fits = (c: PostgresClient) => reads(c) && (targetMajor >= 17 || c.major < 17);
  const own = clients.find((c) => c.major === targetMajor && fits(c));
  if (own) return own;
  const oldest = clients.filter(fits).sort((a, b) => a.major - b.major);
  if (oldest[0]) return oldest[0];
  if (minor === undefined) throw new JobError(`The archive's version is ${archiveVersion}, which no pg_restore Lifeboat knows reads.`, { hint: "Restore it with the pg_restore of the pg_dump that wrote it." });
  const needed = minor >= 16 ? 17 : minor === 15 ? 16 : 13;
  if (needed >= 17 && targetMajor < 17) {
    throw new JobError(
      `The archive (version ${archiveVersion}, written by pg_dump 17 or newer) cannot be restored into ${target}, which runs PostgreSQL ${targetMajor}: pg_restore before 17 cannot read it, and pg_restore 17 or newer sets transaction_timeout, which PostgreSQL ${targetMajor} rejects.`,
      { hint: `Restore into a server of PostgreSQL 17 or newer; back up PostgreSQL ${targetMajor} servers with pg_dump ${targetMajor} (${`tools.postgres["${targetMajor}"]`}) so their archives restore into ${targetMajor}.` },
    );
  }
  throw new JobError(`Restoring an archive of version ${archiveVersion} into ${target} (PostgreSQL ${targetMajor}) needs pg_restore ${Math.max(needed, targetMajor)}; this machine has: ${listing(clients)}.`, {
    hint: installHint(Math.max(needed, targetMajor)),
  });
}

/** The major of the pg_dump that wrote a backup, from its manifest ("18.6" → 18). */
export function dumpMajorOf(manifest: BackupManifest): number | undefined {
  const major = Number(/^(\d+)/.exec(manifest.tool.version)?.[1]);
  return Number.isInteger(major) ? major : undefined;
}

/**
 * The archive version a backup's pg_dump wrote ("1.16.0"), from its manifest. For a pg_dump newer than
 * Lifeboat knows, the version a pg_restore of that major would read: "1.<major>" never matches, so only
 * a pg_restore of the dump's major or newer is taken.
 */
function archiveVersionOfManifest(manifest: BackupManifest): { version: string; dumpMajor: number | undefined } {
  const dumpMajor = dumpMajorOf(manifest);
  if (dumpMajor !== undefined && dumpMajor >= 11 && dumpMajor <= Math.max(...POSTGRES_MAJORS)) return { version: `1.${archiveMinorOf(dumpMajor)}.0`, dumpMajor };
  return { version: `unknown (pg_dump ${manifest.tool.version})`, dumpMajor };
}

/** The pg_restore that lists a backup's archive (`pg_restore --list`): the newest one that reads it. */
export async function pgRestoreForListing(job: JobContext, manifest: BackupManifest): Promise<string> {
  const clients = await findPostgresClients(job.config, job.env);
  const { version, dumpMajor } = archiveVersionOfManifest(manifest);
  const minor = archiveMinor(version);
  const reader = clients.find((c) => (minor !== undefined ? archiveMinorOf(c.major) >= minor : dumpMajor !== undefined && c.major >= dumpMajor));
  if (reader) return reader.pgRestore;
  const needed = minor === undefined ? (dumpMajor ?? 0) : minor >= 16 ? 17 : minor === 15 ? 16 : 13;
  throw new JobError(`Reading ${manifest.artifactKey} (written by pg_dump ${manifest.tool.version}) needs pg_restore ${needed} or newer; this machine has: ${listing(clients)}.`, { hint: installHint(needed) });
}

/**
 * The client tools to restore a backup into `target`: asks the target server its major, then takes
 * the pg_restore {@link clientForRestore} chooses. Fails, naming the version needed, before anything is written.
 */
export async function clientForRestoreInto(job: JobContext, manifest: BackupManifest, target: PgConnection): Promise<PostgresClient> {
  const clients = await findPostgresClients(job.config, job.env);
  if (clients.length === 0) throw new JobError("No PostgreSQL client tools were found (pg_restore, psql).", { hint: installHint(Math.max(...POSTGRES_MAJORS)) });
  const server = await serverMajor(clients[0]!.psql, withDatabase(target, "postgres"), job.env);
  const { version, dumpMajor } = archiveVersionOfManifest(manifest);
  if (archiveMinor(version) === undefined) {
    // A pg_dump newer than Lifeboat knows: only its own major or newer reads what it wrote.
    const usable = clients.filter((c) => dumpMajor !== undefined && c.major >= dumpMajor && (server.major >= 17 || c.major < 17)).sort((a, b) => a.major - b.major);
    if (usable[0]) return usable[0];
    throw new JobError(`${manifest.artifactKey} was written by pg_dump ${manifest.tool.version}; restoring it into ${describeConnection(target)} (PostgreSQL ${server.major}) needs pg_restore ${dumpMajor ?? "of that version"} or newer; this machine has: ${listing(clients)}.`, {
      hint: installHint(dumpMajor ?? Math.max(...POSTGRES_MAJORS)),
    });
  }
  return clientForRestore(version, server.major, clients, describeConnection(target));
}
