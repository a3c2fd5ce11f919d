// PostgreSQL client tools newer than Debian 12's (pg_dump, pg_restore, pg_dumpall, psql and libpq of
// major 18), built from Debian's source package once per machine and cached by version. Only 18: it
// dumps every server from 13 on, and the tests restore with 15 (Debian's) or 18. (17's source package
// is listed for trixie, but its files were not downloadable from the mirror this was written on.)
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export const name = "postgres-clients";

/** Majors to build, and the Debian suite whose source package has each. */
const majors = [{ major: 18, suite: "sid" }];

/** What the build needs from Debian (release tarballs since PostgreSQL 17 need bison and flex). */
const buildDepends = ["gcc", "make", "libc6-dev", "bison", "flex", "bzip2", "xz-utils", "zlib1g-dev", "perl"];

/** The cached build of `major`, if any: `${cache}/postgresql-client-<version>`, newest first. */
function cachedBuild(ctx, major) {
  if (!existsSync(ctx.cacheDir)) return undefined;
  const dirs = readdirSync(ctx.cacheDir).filter((d) => d.startsWith(`postgresql-client-${major}.`));
  dirs.sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
  return dirs[0] ? join(ctx.cacheDir, dirs[0]) : undefined;
}

/** The newest upstream version of source package `postgresql-<major>` apt knows, e.g. "18.6". */
async function sourceVersion(ctx, major) {
  const out = await ctx.run("apt-cache", ["showsrc", `postgresql-${major}`]);
  const versions = [...out.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]);
  versions.sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
  if (!versions[0]) throw new ctx.ProvisionError(`apt knows no source package postgresql-${major}: check the deb-src entry in /etc/apt/sources.list.d/lifeboat-deb-src.sources and run apt-get update`);
  return { debian: versions[0], upstream: versions[0].replace(/-[^-]*$/, "").replace(/^\d+:/, "") };
}

let sharedCache;
/** One autoconf cache for every major's configure: the second one skips most checks. */
function configureCache(ctx) {
  sharedCache ??= join(ctx.scratch("pg-configure"), "config.cache");
  return sharedCache;
}

async function build(ctx, major, version, into) {
  const work = ctx.scratch(`pg${major}`);
  await ctx.run("apt-get", ["source", "--download-only", "-qq", `postgresql-${major}=${version.debian}`], { cwd: work });
  const tarball = readdirSync(work).find((f) => /\.orig\.tar\.(bz2|gz|xz)$/.test(f));
  if (!tarball) throw new ctx.ProvisionError(`apt-get source postgresql-${major} gave no .orig tarball in ${work}`);
  await ctx.run("tar", ["xf", tarball], { cwd: work });
  const src = join(work, readdirSync(work).find((f) => f.startsWith("postgresql-") && !f.includes(".tar") && !f.endsWith(".dsc"))) ;
  // Built with its final prefix (binaries find libpq through it), installed under a staging root.
  const final = join(ctx.cacheDir, `postgresql-client-${version.upstream}`);
  // Only what the jobs and tests run is built: no server, no backend-only static libraries, psql
  // only for the newest major (it talks to every server), optimised lightly (the tools mostly wait on I/O).
  for (const dir of ["src/port", "src/common"]) await ctx.run("sed", ["-i", "-E", "s/^(all:.*) lib(pgport|pgcommon)_srv\\.a/\\1/", join(dir, "Makefile")], { cwd: src });
  const env = { ...process.env, CFLAGS: "-O1 -g0" };
  await ctx.run("./configure", [`--prefix=${final}`, `--cache-file=${configureCache(ctx)}`, "--without-icu", "--without-readline", "--without-openssl", "--without-zstd", "--without-lz4", "--without-llvm", "--without-gssapi", "--without-ldap", "--disable-nls", "--without-perl", "--without-python", "--without-tcl"], { cwd: src, env });
  const make = (dir, ...targets) => ctx.run("make", ["-s", `-j${ctx.jobs}`, "-C", dir, ...targets], { cwd: src, env });
  await make("src/backend", "generated-headers");
  const stage = join(into, ".stage");
  const parts = ["src/interfaces/libpq", "src/bin/pg_dump", ...(major === Math.max(...majors.map((m) => m.major)) ? ["src/bin/psql"] : [])];
  for (const dir of parts) await make(dir, "install", `DESTDIR=${stage}`);
  for (const entry of readdirSync(join(stage, final))) renameSync(join(stage, final, entry), join(into, entry));
  rmSync(stage, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

export async function ensure(ctx) {
  const lines = [];
  for (const { major, suite } of majors) {
    const present = cachedBuild(ctx, major);
    if (present && existsSync(join(present, "bin", "pg_dump"))) {
      lines.push(`${major} present`);
      continue;
    }
    await ctx.apt(buildDepends, `Building PostgreSQL ${major} client tools`);
    await ctx.debSources(majors.map((m) => m.suite), "PostgreSQL client tools newer than Debian 12's");
    const version = await sourceVersion(ctx, major);
    const result = await ctx.cached(`postgresql-client`, version.upstream, (into) => build(ctx, major, version, into));
    lines.push(result.built ? `built ${version.upstream} in ${result.seconds} s` : `${version.upstream} present`);
  }
  console.log(`${name}: ${lines.join("; ")} (${ctx.cacheDir})`);
}
