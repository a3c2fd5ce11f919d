import type { ManifestTable } from "@lifeboat/constructs/core";
import { JobError } from "../support/errors";
import { ToolProcess } from "../support/process";
import { checkReachable, describeConnection, libpqArgs, libpqEnv, psqlRows, withDatabase, type PgConnection } from "./connection";

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Tables that hold rows of their own: ordinary tables and partitions, not partitioned parents (their
 * rows are their partitions'), matching the archive's TABLE DATA entries.
 */
const USER_TABLES = `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`;

/**
 * Every user object of a database, as `pg_identify_object` names it ("view public.v"). User objects
 * have OIDs from 16384 (FirstNormalObjectId) on; what initdb made (the `public` schema, plpgsql)
 * has lower ones. Objects that belong to another (indexes, TOAST tables, the row and array types of
 * tables, an extension's members) are found through their owner. Temporary objects of other
 * sessions are not the database's contents.
 */
const USER_OBJECTS = `WITH objects(classid, objid) AS (
    SELECT 'pg_class'::regclass, c.oid FROM pg_class c WHERE c.oid >= 16384 AND c.relkind NOT IN ('i', 'I', 't') AND c.relpersistence <> 't'
    UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc WHERE oid >= 16384
    UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.oid >= 16384
      AND (t.typtype IN ('b', 'd', 'e', 'r', 'p') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c')))
      AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
    UNION ALL SELECT 'pg_namespace'::regclass, oid FROM pg_namespace WHERE oid >= 16384 AND nspname NOT LIKE 'pg\\_%'
    UNION ALL SELECT 'pg_extension'::regclass, oid FROM pg_extension WHERE oid >= 16384 AND extname <> 'plpgsql'
    UNION ALL SELECT 'pg_largeobject'::regclass, oid FROM pg_largeobject_metadata
    UNION ALL SELECT 'pg_event_trigger'::regclass, oid FROM pg_event_trigger
    UNION ALL SELECT 'pg_publication'::regclass, oid FROM pg_publication
    UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper WHERE oid >= 16384
    UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server
    UNION ALL SELECT 'pg_collation'::regclass, oid FROM pg_collation WHERE oid >= 16384
    UNION ALL SELECT 'pg_conversion'::regclass, oid FROM pg_conversion WHERE oid >= 16384
    UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator WHERE oid >= 16384
    UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily WHERE oid >= 16384
    UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config WHERE oid >= 16384
    UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict WHERE oid >= 16384
    UNION ALL SELECT 'pg_ts_parser'::regclass, oid FROM pg_ts_parser WHERE oid >= 16384
    UNION ALL SELECT 'pg_ts_template'::regclass, oid FROM pg_ts_template WHERE oid >= 16384
    UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast WHERE oid >= 16384
    UNION ALL SELECT 'pg_language'::regclass, oid FROM pg_language WHERE oid >= 16384 AND lanname <> 'plpgsql'
    UNION ALL SELECT 'pg_am'::regclass, oid FROM pg_am WHERE oid >= 16384
    UNION ALL SELECT 'pg_transform'::regclass, oid FROM pg_transform
    UNION ALL SELECT 'pg_default_acl'::regclass, oid FROM pg_default_acl
  )
  SELECT i.type, coalesce(i.identity, o.objid::text) FROM objects o, LATERAL pg_identify_object(o.classid, o.objid, 0) i
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype IN ('e', 'i', 'a'))
  ORDER BY 1, 2`;

/**
 * Makes sure a restore can go into `target`: the server answers, and the database is new or empty.
 * Creates the database (from the `postgres` maintenance database) when it does not exist, unless
 * `create` is false (then only checks). Refuses a database that holds any user object (a table, a
 * view, a function, a type, a sequence, a large object, a schema, an extension beyond plpgsql...):
 * a restore into it would mix two states. Nothing is written before that check.
 */
export async function prepareTarget(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv, create = true): Promise<{ created: boolean; exists: boolean }> {
  const maintenance = withDatabase(target, "postgres");
  await checkReachable(psql, maintenance, "target server", env);
  const exists = await psqlRows(psql, maintenance, `SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(target.database)}`, env);
  if (exists.length === 0) {
    if (!create) return { created: false, exists: false };
    await createDatabase(psql, target, env);
    return { created: true, exists: true };
  }
  const objects = await psqlRows(psql, target, USER_OBJECTS, env);
  if (objects.length > 0) {
    const shown = objects.slice(0, 20).map(([type, identity]) => `${type} ${identity}`);
    throw new JobError(`The target database ${describeConnection(target)} is not empty: it holds ${objects.length} objects (${shown.join(", ")}${objects.length > shown.length ? ", ..." : ""}). Nothing was written to it.`, {
      hint: "Restore into a new database (Lifeboat creates it) or an empty one; Lifeboat never mixes a backup into existing data.",
    });
  }
  return { created: false, exists: true };
}

/** Creates the target database from the `postgres` maintenance database. */
export async function createDatabase(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<void> {
  await psqlRows(psql, withDatabase(target, "postgres"), `CREATE DATABASE ${quoteIdent(target.database)}`, env).catch((error: Error) => {
    throw new JobError(`Creating the target database ${describeConnection(target)} failed: ${error.message}`, { hint: "Create it yourself, or connect as a user with CREATEDB." });
  });
}

/** Drops a database Lifeboat created (a scratch database for a test restore). */
export async function dropDatabase(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<void> {
  await psqlRows(psql, withDatabase(target, "postgres"), `DROP DATABASE IF EXISTS ${quoteIdent(target.database)} WITH (FORCE)`, env);
}

/** What `pg_restore` gives back besides the data. */
export interface GrantFlags {
  readonly owners: boolean;
  readonly privileges: boolean;
}

/** `pg_restore` arguments for `target`, stopping at the first error, without owners or privileges unless asked. */
export function pgRestoreArgs(target: PgConnection, grants: GrantFlags): string[] {
  return [...libpqArgs(target), "--dbname", target.database, "--exit-on-error", ...(grants.owners ? [] : ["--no-owner"]), ...(grants.privileges ? [] : ["--no-privileges"])];
}

/**
 * Starts `pg_restore` reading a custom-format archive on stdin into `target`, in one transaction
 * (all or nothing), stopping at the first error.
 */
export function startPgRestore(pgRestore: string, target: PgConnection, grants: GrantFlags, env?: NodeJS.ProcessEnv): ToolProcess {
  const tool = new ToolProcess("pg_restore", pgRestore, [...pgRestoreArgs(target, grants), "--single-transaction"], {
    env: libpqEnv(target, env),
    stdin: "pipe",
    stdout: "ignore",
    hint: "Install the PostgreSQL client or set `tools.pgRestore` to its path.",
  });
  tool.stdin.on("error", () => undefined);
  return tool;
}

/** Exact row counts of every table that holds rows of its own (each partition, not its parent; a parent without its children). */
export async function countRows(psql: string, target: PgConnection, env?: NodeJS.ProcessEnv): Promise<ManifestTable[]> {
  const tables = await psqlRows(psql, target, USER_TABLES, env);
  if (tables.length === 0) return [];
  const sql = tables.map(([s, t]) => `SELECT ${quoteLiteral(s!)}, ${quoteLiteral(t!)}, count(*) FROM ONLY ${quoteIdent(s!)}.${quoteIdent(t!)}`).join(" UNION ALL ");
  return (await psqlRows(psql, target, sql, env)).map(([schema, name, rows]) => ({ schema: schema!, name: name!, rows: Number(rows) }));
}
