import type { ManifestTable } from "@lifeboat/constructs/core";
import { JobError } from "../support/errors";
import { ToolProcess } from "../support/process";
import { checkReachable, describeConnection, libpqArgs, libpqEnv, psqlRows, withDatabase, type PgConnection } from "./connection";

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** User tables of a database (not the catalogs). */
const USER_TABLES = `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`;

/**
 * Makes sure a restore can go into `target`: the server answers, and the database is new or empty.
 * Creates the database (from the `postgres` maintenance database) when it does not exist. Refuses a
 * database that already holds tables: a restore into it would mix two states.
 */
export async function prepareTarget(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<{ created: boolean }> {
  const maintenance = withDatabase(target, "postgres");
  await checkReachable(psql, maintenance, "target server", env);
  const exists = await psqlRows(psql, maintenance, `SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(target.database)}`, env);
  if (exists.length === 0) {
    await psqlRows(psql, maintenance, `CREATE DATABASE ${quoteIdent(target.database)}`, env).catch((error: Error) => {
      throw new JobError(`Creating the target database ${describeConnection(target)} failed: ${error.message}`, { hint: "Create it yourself, or connect as a user with CREATEDB." });
    });
    return { created: true };
  }
  const tables = await psqlRows(psql, target, USER_TABLES, env);
  if (tables.length > 0) {
    throw new JobError(`The target database ${describeConnection(target)} already holds ${tables.length} tables (${tables.slice(0, 3).map(([s, t]) => `${s}.${t}`).join(", ")}${tables.length > 3 ? ", ..." : ""}).`, {
      hint: "Restore into a new or empty database; Lifeboat never mixes a backup into existing data.",
    });
  }
  return { created: false };
}

/** Drops a database Lifeboat created (a scratch database for a test restore). */
export async function dropDatabase(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<void> {
  await psqlRows(psql, withDatabase(target, "postgres"), `DROP DATABASE IF EXISTS ${quoteIdent(target.database)} WITH (FORCE)`, env);
}

/**
 * Starts `pg_restore` reading a custom-format archive on stdin into `target`, in one transaction
 * (all or nothing), stopping at the first error, without owners or privileges (the roles of the
 * source need not exist on the target).
 */
export function startPgRestore(pgRestore: string, target: PgConnection, env?: NodeJS.ProcessEnv): ToolProcess {
  const tool = new ToolProcess("pg_restore", pgRestore, [...libpqArgs(target), "--dbname", target.database, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"], {
    env: libpqEnv(target, env),
    stdin: "pipe",
    stdout: "ignore",
    hint: "Install the PostgreSQL client or set `tools.pgRestore` to its path.",
  });
  tool.stdin.on("error", () => undefined);
  return tool;
}

/** Exact row counts of every user table. */
export async function countRows(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<ManifestTable[]> {
  const tables = await psqlRows(psql, target, USER_TABLES, env);
  if (tables.length === 0) return [];
  const sql = tables.map(([s, t]) => `SELECT ${quoteLiteral(s!)}, ${quoteLiteral(t!)}, count(*) FROM ${quoteIdent(s!)}.${quoteIdent(t!)}`).join(" UNION ALL ");
  return (await psqlRows(psql, target, sql, env)).map(([schema, name, rows]) => ({ schema: schema!, name: name!, rows: Number(rows) }));
}
