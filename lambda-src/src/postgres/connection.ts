import type { CredentialsSource, PostgresSourceConfig } from "@lifeboat/constructs/core";
import { resolveCredentials } from "../credentials";
import { InputError, JobError } from "../support/errors";
import { runTool, toolEnvironment } from "../support/process";
import { redact, registerSecret } from "../support/redact";

/** Where and as whom to connect to PostgreSQL. The password travels in the environment, never in arguments. */
export interface PgConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
  readonly sslMode?: string;
}

/** The connection for a configured server, its secret's `host`, `port` and `dbname` taking precedence. */
export async function serverConnection(
  server: { host: string; port?: number; sslMode?: string; credentials?: CredentialsSource },
  database: string,
  argument: string,
  env: NodeJS.ProcessEnv,
): Promise<PgConnection> {
  const credentials = await resolveCredentials(server.credentials, `${argument}.credentials`, env);
  const fields = credentials?.fields ?? {};
  const sslMode = server.sslMode ?? (env.AWS_LAMBDA_FUNCTION_NAME ? "require" : undefined);
  return {
    host: fields.host ?? server.host,
    port: Number(fields.port ?? server.port ?? 5432),
    database: fields.dbname ?? database,
    ...(credentials?.username !== undefined ? { username: credentials.username } : {}),
    ...(credentials?.password !== undefined ? { password: credentials.password } : {}),
    ...(sslMode ? { sslMode } : {}),
  };
}

/** The connection of a PostgreSQL source. */
export function sourceConnection(source: PostgresSourceConfig, index: number, env: NodeJS.ProcessEnv): Promise<PgConnection> {
  return serverConnection(source, source.database, `sources[${index}]`, env);
}

/**
 * Parses a `postgres://user:password@host:port/database?sslmode=...` URL. The password, if any, is
 * registered as a secret and taken out of the URL so that it never reaches a process's arguments.
 */
export function parseDatabaseUrl(url: string, argument = "--target"): PgConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${argument} (${redact(JSON.stringify(url))}) is not a URL.`, { hint: "Write it like postgres://user@host:5432/database; give the password in PGPASSWORD." });
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new InputError(`${argument} (${redact(url)}) must be a postgres:// URL.`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!parsed.hostname || !database) throw new InputError(`${argument} (${redact(url)}) must name a host and a database, like postgres://user@host:5432/database.`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  registerSecret(password);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(parsed.searchParams.get("sslmode") ? { sslMode: parsed.searchParams.get("sslmode")! } : {}),
  };
}

/** The connection as a URL for messages: no password. */
export function describeConnection(c: PgConnection): string {
  return `postgres://${c.username ? `${encodeURIComponent(c.username)}@` : ""}${c.host.includes(":") ? `[${c.host}]` : c.host}:${c.port}/${encodeURIComponent(c.database)}`;
}

/** Command-line arguments naming the server and user (libpq); the database is given per tool. */
export function libpqArgs(c: PgConnection): string[] {
  return ["--host", c.host, "--port", String(c.port), ...(c.username ? ["--username", c.username] : []), "--no-password"];
}

/** The environment for a libpq tool: the password and TLS mode, a connect timeout, an application name. */
export function libpqEnv(c: PgConnection, base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return toolEnvironment(
    {
      PGPASSWORD: c.password,
      PGSSLMODE: c.sslMode,
      PGCONNECT_TIMEOUT: "10",
      PGAPPNAME: "lifeboat",
    },
    base,
  );
}

/** The same connection to another database of the server. */
export function withDatabase(c: PgConnection, database: string): PgConnection {
  return { ...c, database };
}

/**
 * Runs SQL with psql and returns the rows, fields split on tabs. For short queries only; values
 * must not contain tabs or newlines.
 */
export async function psqlRows(psql: string, c: PgConnection, sql: string, env?: NodeJS.ProcessEnv): Promise<string[][]> {
  const out = await runTool("psql", psql, [...libpqArgs(c), "--dbname", c.database, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql], libpqEnv(c, env));
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t"));
}

/** Fails with a clear error unless the server answers; returns its version. */
export async function checkReachable(psql: string, c: PgConnection, role: string, env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const rows = await psqlRows(psql, c, "SHOW server_version", env);
    return rows[0]?.[0] ?? "unknown";
  } catch (error) {
    throw new JobError(`The ${role} ${describeConnection(c)} cannot be reached: ${(error as Error).message}`, {
      cause: error,
      hint: "Check the host, port, database name, credentials and that this machine may connect to it.",
    });
  }
}
