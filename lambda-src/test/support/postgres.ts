import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports";
import { stopOnFailure } from "./servers";
import { postgresClientDir, postgresServerDir } from "./tools";

const run = promisify(execFile);

/** Where PostgreSQL 15's client tools are (Debian's versioned directory). */
export function postgresBin(tool: string): string {
  return join(postgresClientDir(15), tool);
}

const isRoot = process.getuid?.() === 0;

/** Runs a server command as `postgres` when we are root (PostgreSQL refuses to run as root). */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

/** A throwaway PostgreSQL cluster on 127.0.0.1, password authentication, superuser `lifeboat`. */
export interface TestPostgres {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The server's major version. */
  readonly major: number;
  /** `postgres://lifeboat@127.0.0.1:port/db`, no password (give it in PGPASSWORD). */
  url(database: string): string;
  /** Runs SQL in `database` and returns psql's unaligned, tab-separated output lines. */
  sql(database: string, sql: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts a cluster of PostgreSQL `major` in a temporary directory (initdb + pg_ctl) on a free port.
 * @default major 15 (Debian's)
 */
export async function startPostgres(major = 15): Promise<TestPostgres> {
  const server = postgresServerDir(major);
  // psql of the newest provisioned major talks to every server; Debian's 15 when that is all there is.
  const psql = join(postgresClientDir(major > 15 ? 18 : 15), "psql");

  const dir = mkdtempSync(join(tmpdir(), "lifeboat-pg-"));
  const data = join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${password}\n`);
  if (isRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  const [initdb, initArgs] = asServerUser(join(server, "initdb"), ["-D", data, "-U", "lifeboat", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "--no-sync", "-E", "UTF8", "--locale=C"]);
  await stopOnFailure(() => run(initdb, initArgs), () => rmSync(dir, { recursive: true, force: true }));
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB`;
  const stop = async () => {
    const [cmd, args] = asServerUser(join(server, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    await run(cmd, args).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const [pgctl, ctlArgs] = asServerUser(join(server, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
  await stopOnFailure(() => run(pgctl, ctlArgs), stop);
  const env = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" };
  return {
    host: "127.0.0.1",
    port,
    user: "lifeboat",
    password,
    major,
    url: (database) => `postgres://lifeboat@127.0.0.1:${port}/${database}`,
    async sql(database, sql) {
      const { stdout } = await run(psql, ["-h", "127.0.0.1", "-p", String(port), "-U", "lifeboat", "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], { env, maxBuffer: 256 * 1024 * 1024 });
      return stdout.split("\n").filter((l) => l !== "");
    },
    stop,
  };
}

/**
 * Per-table digests of a database's contents: for each user table, its row count and the MD5 of
 * all its rows in a stable order. Two databases with equal digests hold the same data.
 */
export async function tableDigests(pg: TestPostgres, database: string): Promise<Record<string, string>> {
  const tables = await pg.sql(database, "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
  const digests: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await pg.sql(database, `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM ${table} t`);
    digests[table] = row!;
  }
  return digests;
}

/** SQL that fills a database with a bit of everything: a schema, a partitioned table, a view, a large object. */
export const SAMPLE_DATABASE = `CREATE SCHEMA billing;
  CREATE TABLE billing.invoices (id int PRIMARY KEY, amount numeric, note text);
  INSERT INTO billing.invoices SELECT i, i * 1.5, 'invoice ' || i FROM generate_series(1, 3000) i;
  CREATE TABLE events (id bigint, at date, payload jsonb) PARTITION BY RANGE (at);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  INSERT INTO events SELECT i, date '2025-06-01' + (i % 400), jsonb_build_object('n', i) FROM generate_series(1, 2000) i;
  CREATE VIEW big_invoices AS SELECT * FROM billing.invoices WHERE amount > 1000;
  SELECT lo_from_bytea(0, 'a large object');`;
