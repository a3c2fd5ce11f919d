// Debian packages the tests use as they are: PostgreSQL 15 (server and client tools), zstd, Redis.
import { existsSync } from "node:fs";

export const name = "debian";

/** Each package with how to tell it is there without asking dpkg (a hand-built binary counts). */
const wanted = [
  { pkg: "postgresql-15", present: (ctx) => existsSync("/usr/lib/postgresql/15/bin/pg_ctl") },
  { pkg: "zstd", present: (ctx) => Boolean(ctx.which("zstd")) },
  { pkg: "redis-server", present: (ctx) => Boolean(ctx.which("redis-server")) },
  { pkg: "redis-tools", present: (ctx) => Boolean(ctx.which("redis-cli")) },
];

export async function ensure(ctx) {
  const missing = wanted.filter((w) => !w.present(ctx)).map((w) => w.pkg);
  if (missing.length === 0) {
    console.log(`${name}: ${wanted.map((w) => w.pkg).join(", ")} present`);
    return;
  }
  await ctx.apt(missing, "The tests");
  console.log(`${name}: installed ${missing.join(", ")}`);
}
