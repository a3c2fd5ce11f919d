import type { PostgresSourceConfig } from "@lifeboat/constructs/core";
import { pipeline } from "node:stream";
import { toolPaths, type JobContext } from "../context";
import { CustomArchiveInspector } from "../postgres/custom-format";
import { captureRoles, referencedRoles } from "../postgres/roles";
import { siblingTool } from "../postgres/tool-paths";
import { describeConnection, libpqArgs, libpqEnv, sourceConnection } from "../postgres/connection";
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
  // Roles first: a failure here leaves nothing in the vault.
  const roles = await referencedRoles(tools.psql, connection, job.env);
  const rolesSql = await captureRoles(siblingTool(tools.pgDump, "pg_dumpall"), connection, roles.captured, job.env);

  const dumpArgs = ["--format=custom", "--compress=0", ...libpqArgs(connection), "--dbname", connection.database];
  // pg_dump -Z0 writes every row with its own fwrite, flushed to the pipe every 8 KiB; a 1 MiB stdio
  // buffer (coreutils' stdbuf) cuts the wake-ups of everything downstream eightfold, which is most
  // of this job's overhead over pg_dump itself.
  const buffered = await hasStdbuf();
  const dump = new ToolProcess("pg_dump", buffered ? "stdbuf" : tools.pgDump, buffered ? ["-o", "1M", tools.pgDump, ...dumpArgs] : dumpArgs, {
    env: libpqEnv(connection, job.env),
    hint: "Install the PostgreSQL client or set `tools.pgDump` to its path.",
  });
  onTool?.("pg_dump", dump.pid);
  const inspector = new CustomArchiveInspector();
  const compressor = startCompressor(compression, tools.zstd);
  const gate = new GateStream(async () => {
    try {
      await Promise.all([dump.exited, compressor.done()]);
    } catch (error) {
      throw new JobError(`pg_dump of ${describeConnection(connection)} failed: ${(error as Error).message}`, { cause: error });
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
      (exitError: Error) => gate.destroy(new JobError(`pg_dump of ${describeConnection(connection)} failed: ${exitError.message}`, { cause: exitError })),
    );
  };
  let contentBytes = 0;
  dump.stdout.on("data", (chunk: Buffer) => (contentBytes += chunk.length));
  pipeline(dump.stdout, inspector, compressor.input, fail);
  pipeline(compressor.output, gate, (error) => {
    if (error && !failed) fail(error);
  });
  gate.on("close", () => {
    if (!gate.readableEnded) fail(new JobError("The upload stopped reading the dump."));
  });

  return compressedArtifact("dump", "pg_dump-custom", compression, gate, fail, async () => {
    const summary = inspector.summary;
    return {
      tool: { name: "pg_dump", version: summary.dumpVersion },
      server: { version: summary.serverVersion },
      tables: summary.tables,
      contentBytes,
      roles,
      companions: [{ role: "roles", format: "pg_dumpall-roles", contentType: "application/sql", body: Buffer.from(rolesSql) }],
    };
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
