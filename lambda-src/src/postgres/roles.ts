import { isCapturableRole, type ManifestRoles } from "@lifeboat/constructs/core";
import { JobError } from "../support/errors";
import { runTool } from "../support/process";
import { describeConnection, libpqArgs, libpqEnv, psqlRows, withDatabase, type PgConnection } from "./connection";

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The roles a database's objects depend on, by how (pg_shdepend: `o` owner, `a` in an ACL or
 * default privileges, `r` named by a row-level security policy). The bootstrap superuser (OID 10)
 * is pinned, so pg_shdepend never records it: it is an owner when it owns a user object.
 */
const REFERENCED_ROLES = `SELECT DISTINCT d.deptype, r.rolname FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
  WHERE d.refclassid = 'pg_authid'::regclass AND d.deptype IN ('o', 'a', 'r') AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION SELECT 'o', rolname FROM pg_roles WHERE oid = 10 AND (
    EXISTS (SELECT 1 FROM pg_class WHERE oid >= 16384 AND relowner = 10 AND relkind NOT IN ('i', 'I', 't'))
    OR EXISTS (SELECT 1 FROM pg_proc WHERE oid >= 16384 AND proowner = 10)
    OR EXISTS (SELECT 1 FROM pg_type WHERE oid >= 16384 AND typowner = 10)
    OR EXISTS (SELECT 1 FROM pg_namespace WHERE oid >= 16384 AND nspowner = 10 AND nspname NOT LIKE 'pg\\_%'))
  ORDER BY 1, 2`;

/** Every role of a server with what decides whether Lifeboat may recreate it. */
const SERVER_ROLES = `SELECT r.rolname, r.rolsuper, r.oid, r.rolname = current_user FROM pg_roles r ORDER BY 1`;

/** Pairs (role, member) of role memberships. */
const MEMBERSHIPS = `SELECT g.rolname, m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member`;

/** The roles a database references, and the ones a restore may recreate (with their memberships). */
export async function referencedRoles(psql: string, c: PgConnection, env?: NodeJS.ProcessEnv): Promise<ManifestRoles> {
  const [references, roles, memberships, owner] = await Promise.all([
    psqlRows(psql, c, REFERENCED_ROLES, env),
    psqlRows(psql, c, SERVER_ROLES, env),
    psqlRows(psql, c, MEMBERSHIPS, env),
    psqlRows(psql, c, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`, env),
  ]);
  const by = (type: string) => [...new Set(references.filter(([t]) => t === type).map(([, name]) => name!))].sort();
  const owners = by("o");
  const grantees = by("a");
  const policies = by("r");
  const capturable = new Set(roles.filter(([name, superuser, oid, current]) => isCapturableRole({ name: name!, superuser: superuser === "t", oid: Number(oid), connecting: current === "t" })).map(([name]) => name!));
  // The logins that use a referenced role through membership are what an application connects as.
  const captured = new Set([...owners, ...grantees, ...policies, ...owner.map(([name]) => name!)].filter((name) => capturable.has(name)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [role, member] of memberships) {
      if (captured.has(role!) && capturable.has(member!) && !captured.has(member!)) {
        captured.add(member!);
        grew = true;
      }
    }
  }
  return { owners, grantees, policies, captured: [...captured].sort() };
}

/** One statement of a roles script and the roles it names. */
export interface RoleStatement {
  /** `create`: CREATE/ALTER/COMMENT ON/SECURITY LABEL ON a role; `grant`: a membership. */
  readonly kind: "create" | "grant";
  /** For `create` the role; for `grant` the granted role then the member. */
  readonly roles: readonly string[];
  readonly text: string;
}

/** Splits SQL into statements at semicolons outside quotes, dropping comments and psql meta-commands. */
function statements(sql: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const line of sql.split("\n")) {
    if (!quote && current === "" && (line.startsWith("--") || line.startsWith("\\") || line.trim() === "")) continue;
    for (const ch of line) {
      current += ch;
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === ";") {
        out.push(current.trim());
        current = "";
      }
    }
    if (current !== "") current += "\n";
  }
  return out;
}

/** Reads an identifier at the start of `text`: `"Quoted ""Name"""` or `plain_name`. */
function identifier(text: string): { name: string; rest: string } | undefined {
  if (text.startsWith('"')) {
    let name = "";
    for (let i = 1; i < text.length; i++) {
      if (text[i] === '"') {
        if (text[i + 1] === '"') {
          name += '"';
          i++;
        } else return { name, rest: text.slice(i + 1) };
      } else name += text[i];
    }
    return undefined;
  }
  const m = /^([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)/.exec(text);
  return m ? { name: m[1]!, rest: text.slice(m[1]!.length) } : undefined;
}

/**
 * The statements of `pg_dumpall --roles-only` output about roles: creating, altering, commenting
 * on them, and memberships (`GRANT a TO b`). Everything else (SET, comments, meta-commands) is dropped.
 */
export function parseRoleStatements(sql: string): RoleStatement[] {
  const out: RoleStatement[] = [];
  for (const text of statements(sql)) {
    const subject = /^(?:CREATE ROLE|ALTER ROLE|COMMENT ON ROLE|SECURITY LABEL(?: FOR \S+)? ON ROLE) /.exec(text);
    if (subject) {
      const role = identifier(text.slice(subject[0].length));
      if (role) out.push({ kind: "create", roles: [role.name], text });
      continue;
    }
    if (text.startsWith("GRANT ")) {
      const role = identifier(text.slice(6));
      const to = role && /^ TO /.exec(role.rest) ? identifier(role.rest.slice(4)) : undefined;
      // GRANTED BY names the granting role, which need not exist where the roles are recreated.
      if (role && to) out.push({ kind: "grant", roles: [role.name, to.name], text: `GRANT ${text.slice(6, text.length - to.rest.length)}${to.rest.replace(/ GRANTED BY .*?(;?)$/s, "$1")}` });
    }
  }
  return out;
}

/**
 * Captures the roles `keep` with `pg_dumpall --roles-only --no-role-passwords` (which reads
 * pg_roles, not pg_authid, so it works on RDS and DigitalOcean): the statements that create and
 * alter those roles and the memberships among them. No password leaves the server.
 */
export async function captureRoles(pgDumpall: string, c: PgConnection, keep: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const dump = await runTool("pg_dumpall --roles-only", pgDumpall, ["--roles-only", "--no-role-passwords", ...libpqArgs(c), "--database", c.database], libpqEnv(c, env)).catch((error: Error) => {
    throw new JobError(`Capturing the roles of ${describeConnection(c)} failed: ${error.message}`, {
      cause: error,
      hint: "Install the PostgreSQL client's pg_dumpall next to pg_dump (the same major), or set `tools.pgDump` to a directory's pg_dump that has it.",
    });
  });
  const wanted = new Set(keep);
  const kept = parseRoleStatements(dump).filter((s) => s.roles.every((r) => wanted.has(r)));
  return [`-- Roles referenced by database ${c.database}, captured by Lifeboat with pg_dumpall --roles-only --no-role-passwords.`, ...kept.map((s) => s.text), ""].join("\n");
}

/** Which of `names` the target server lacks. */
export async function missingRoles(psql: string, server: PgConnection, names: readonly string[], env?: NodeJS.ProcessEnv): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await psqlRows(psql, withDatabase(server, "postgres"), `SELECT n FROM unnest(ARRAY[${names.map(quoteLiteral).join(", ")}]::text[]) n WHERE n NOT IN (SELECT rolname FROM pg_roles) ORDER BY 1`, env);
  return rows.map(([name]) => name!);
}

/**
 * Creates `create` from a captured roles script, in one transaction: their CREATE/ALTER/COMMENT
 * statements, then every membership between roles that exist afterwards.
 */
export async function createRoles(psql: string, server: PgConnection, script: string, create: readonly string[], env?: NodeJS.ProcessEnv): Promise<void> {
  if (create.length === 0) return;
  const parsed = parseRoleStatements(script);
  const creating = new Set(create);
  const existing = new Set((await psqlRows(psql, withDatabase(server, "postgres"), "SELECT rolname FROM pg_roles", env)).map(([name]) => name!));
  const sql = [
    ...parsed.filter((s) => s.kind === "create" && creating.has(s.roles[0]!)),
    ...parsed.filter((s) => s.kind === "grant" && s.roles.some((r) => creating.has(r)) && s.roles.every((r) => creating.has(r) || existing.has(r))),
  ].map((s) => s.text);
  await psqlRows(psql, withDatabase(server, "postgres"), `BEGIN;\n${sql.join("\n")}\nCOMMIT;`, env).catch((error: Error) => {
    throw new JobError(`Creating the roles ${create.join(", ")} on ${describeConnection(withDatabase(server, "postgres"))} failed: ${error.message}`, {
      cause: error,
      hint: "Connect as a user with CREATEROLE, or create the roles yourself and restore without --create-roles.",
    });
  });
}
