import type { PostgresSourceConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { pipeline } from "node:stream";
import { toolPaths, type JobContext } from "../context";
import { CustomArchiveInspector } from "../postgres/custom-format";
import { captureRoles, referencedRoles } from "../postgres/roles";
import { describeConnection, libpqArgs, libpqEnv, sourceConnection } from "../postgres/connection";
import { clientForDump, findPostgresClients, serverMajor } from "../postgres/tools";
import { createInterface } from "node:readline";
import { chooseCompression, startCompressor } from "../support/compression";
import { JobError } from "../support/errors";
import { runTool, toolEnvironment, ToolProcess } from "../support/process";
import { GateStream } from "../support/streams";
import { compressedArtifact, type ArtifactProducer } from "./producer";

/**
 * Streams `pg_dump -Fc -Z0` of a PostgreSQL source through the archive inspector (tables and row
 * counts, from the bytes themselves) into zstd (or gzip level 1). Nothing touches the disk.
 */
export async function postgresProducer(job: JobContext, source: PostgresSourceConfig, onTool?: (label: string, pid: number | undefined) => void): Promise<ArtifactProducer> {
  const tools = toolPaths(job.config);
  const index = job.config.sources.indexOf(source);
  const connection = await sourceConnection(source, index, job.env);
  const compression = await chooseCompression(tools.zstd);
  // pg_dump refuses a server of a newer major: ask the server first, then take the nearest tools.
  const clients = await findPostgresClients(job.config, job.env);
  if (clients.length === 0) throw new JobError("No PostgreSQL client tools were found (pg_dump, pg_restore, psql).", { hint: 'Install them and set `tools.postgres` (e.g. { "17": "/usr/lib/postgresql/17/bin" }).' });
  const server = await serverMajor(clients[0]!.psql, connection, job.env).catch((error: Error) => {
    throw new JobError(`${describeConnection(connection)} cannot be reached: ${error.message}`, { cause: error, hint: "Check the host, port, database name, credentials and that this machine may connect to it." });
  });
  const client = clientForDump(server.major, clients, describeConnection(connection));
  // Roles first: a failure here leaves nothing in the vault.
  const roles = await referencedRoles(client.psql, connection, job.env);
  const rolesSql = await captureRoles(client.pgDumpall, connection, roles.captured, job.env);

  const dumpArgs = ["--format=custom", "--compress=0", ...libpqArgs(connection), "--dbname", connection.database];
  // pg_dump -Z0 writes every row with its own fwrite, flushed to the pipe every 8 KiB; a 1 MiB stdio
  // buffer (coreutils' stdbuf) cuts the wake-ups of everything downstream eightfold, which is most
  // of this job's overhead over pg_dump itself.
  const buffered = await hasStdbuf();
  const dump = new ToolProcess("pg_dump", buffered ? "stdbuf" : client.pgDump, buffered ? ["-o", "1M", client.pgDump, ...dumpArgs] : dumpArgs, {
    env: libpqEnv(connection, job.env),
    hint: `Install PostgreSQL ${client.major}'s client or set \`tools.postgres["${client.major}"]\` to its bin directory.`,
  });
  onTool?.("pg_dump", dump.pid);
  const inspector = new CustomArchiveInspector();
  // An archive version the reader does not know is stored anyway; pg_restore of the same tools lists it.
  let listing: Promise<number> | undefined;
  inspector.onNotInspected = () => {
    const list = new ToolProcess("pg_restore --list", client.pgRestore, ["--list"], { env: toolEnvironment(), stdin: "pipe", stdout: "pipe", hint: `Install PostgreSQL ${client.major}'s client.` });
    list.stdin.on("error", () => undefined);
    let entries = 0;
    createInterface({ input: list.stdout }).on("line", (line) => {
      if (/^\d+;/.test(line)) entries++;
    });
    listing = list.exited.then(() => entries);
    listing.catch(() => undefined);
    return list.stdin;
  };
  // When the reader rejects the stream, pg_dump dies of SIGPIPE: the reader's reason is the news.
  let readerError: Error | undefined;
  inspector.once("error", (error: Error) => (readerError ??= error));
  // Only when pg_dump died of the closed pipe (or was stopped by Lifeboat): a pg_dump that failed on
  // its own leaves a truncated stream too, and then pg_dump's error is the cause.
  const diedOfReader = (error: Error) => /SIGPIPE|stopped by Lifeboat|Broken pipe|Connection reset by peer/.test(error.message);
  const dumpFailure = (error: Error) =>
    readerError && diedOfReader(error)
      ? new JobError(`Lifeboat's archive reader rejected pg_dump's output of ${describeConnection(connection)}: ${readerError.message}`, { cause: readerError })
      : new JobError(`pg_dump of ${describeConnection(connection)} failed: ${error.message}`, { cause: error });
  const compressor = startCompressor(compression, tools.zstd);
  const gate = new GateStream(async () => {
    try {
      await Promise.all([dump.exited, compressor.done()]);
    } catch (error) {
      throw dumpFailure(error as Error);
    }
  });

  let failed: Error | undefined;
  const fail = (error: Error | null | undefined) => {
    if (!error || failed) return;
    failed = error;
    dump.kill();
    compressor.stop();
    // A dump that fails makes the whole stream fail, whichever end noticed first.
    dump.exited.then(
      () => gate.destroy(error),
      (exitError: Error) => gate.destroy(dumpFailure(exitError)),
    );
  };
  let contentBytes = 0;
  const content = createHash("sha256");
  dump.stdout.on("data", (chunk: Buffer) => {
    contentBytes += chunk.length;
    content.update(chunk);
  });
  pipeline(dump.stdout, inspector, compressor.input, fail);
  pipeline(compressor.output, gate, (error) => {
    if (error && !failed) fail(error);
  });
  gate.on("close", () => {
    if (!gate.readableEnded) fail(new JobError("The upload stopped reading the dump."));
  });

  return compressedArtifact("dump", "pg_dump-custom", compression, gate, fail, async () => {
    const summary = inspector.summary;
    const tool = { name: "pg_dump", version: summary.dumpVersion || client.version };
    const contentSha256 = content.digest("hex");
    const companions = [{ role: "roles" as const, format: "pg_dumpall-roles", contentType: "application/sql", body: Buffer.from(rolesSql) }];
    if (summary.notInspected) {
      const entries = await (listing ?? Promise.reject(new JobError("pg_restore --list was not started.")));
      if (entries === 0) throw new JobError(`pg_restore ${client.version} --list read no entries from the archive pg_dump ${client.version} wrote.`);
      return { tool, server: { version: server.version }, contentsNotInspected: { reason: `${summary.notInspected}; pg_restore ${client.version} --list read ${entries} entries` }, contentBytes, contentSha256, roles, companions };
    }
    return { tool, server: { version: summary.serverVersion || server.version }, tables: summary.tables, contentBytes, contentSha256, roles, companions };
  });
}

let stdbuf: Promise<boolean> | undefined;

/** Whether coreutils' `stdbuf` runs here (it does on Debian and Amazon Linux). */
function hasStdbuf(): Promise<boolean> {
  stdbuf ??= runTool("stdbuf", "stdbuf", ["--version"], toolEnvironment()).then(
    () => true,
    () => false,
  );
  return stdbuf;
}
