import { basename, dirname, join } from "node:path";

/**
 * Another tool of the same PostgreSQL client installation as `tool`: `pg_dumpall` next to a
 * configured `/usr/lib/postgresql/17/bin/pg_dump`, or by name on the PATH when `tool` is a bare name.
 */
export function siblingTool(tool: string, name: string): string {
  return tool.includes("/") ? join(dirname(tool), name) : basename(name);
}
