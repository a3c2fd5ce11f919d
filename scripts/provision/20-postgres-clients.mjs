// PostgreSQL client tools newer than Debian 12's (pg_dump, pg_restore, pg_dumpall, psql and libpq of
// majors 17 and 18), built from Debian's source packages once per machine and cached by version.
// 18 dumps every server from 13 on; 17 is the pg_restore a PostgreSQL 17 target gets, and the tests
// restore with 15 (Debian's), 17 and 18.
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { join } from "node:path";

export const name = "postgres-clients";

/**
 * Majors to build, the Debian suite whose source package has each, and for some a pinned release
 * whose original tarball is fetched from Debian's pool (checked against the SHA-256 that its signed
 * .dsc states) when the version apt lists cannot be downloaded: trixie's index names postgresql-17
 * 17.12-0+deb13u1, whose files the mirror answered with 404 on 2026-11-30, while 17.11-0+deb13u1's
 * were there.
 */
const majors = [
  { major: 18, suite: "sid" },
  {
    major: 17,
    suite: "trixie",
    pinned: { debian: "17.11-0+deb13u1", upstream: "17.11", tarball: "postgresql-17_17.11.orig.tar.bz2", sha256: "dd27f2b3c59e73ed14aa3324901242bf69a032a6347805f274e6260322d42979" },
  },
];

/** What every build holds in `bin/`. */
const tools = ["pg_dump", "pg_restore", "pg_dumpall", "psql"];

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

/** Whether apt can download source package `postgresql-<major>` of `version` (its files may be gone from the mirror). */
async function downloadable(ctx, major, version) {
  return ctx.run("apt-get", ["source", "--print-uris", "-qq", `postgresql-${major}=${version.debian}`]).then(async (out) => {
    const url = /'(http[^']+\.orig\.tar\.[a-z0-9]+)'/.exec(out)?.[1];
    if (!url) return false;
    const response = await fetch(url, { method: "HEAD" }).catch(() => undefined);
    return response?.ok === true;
  }, () => false);
}

let sharedCache;
/** One autoconf cache for every major's configure: the second one skips most checks. */
function configureCache(ctx) {
  sharedCache ??= join(ctx.scratch("pg-configure"), "config.cache");
  return sharedCache;
}

/** Downloads `pinned.tarball` from Debian's pool into `work`, checking its SHA-256. */
async function downloadPinned(ctx, major, pinned, work) {
  const url = `http://deb.debian.org/debian/pool/main/p/postgresql-${major}/${pinned.tarball}`;
  const response = await fetch(url).catch((e) => {
    throw new ctx.ProvisionError(`downloading ${url} failed: ${e.message}`);
  });
  if (!response.ok || !response.body) throw new ctx.ProvisionError(`downloading ${url} failed: HTTP ${response.status}`);
  const file = join(work, pinned.tarball);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  if (sha256 !== pinned.sha256) throw new ctx.ProvisionError(`${url} has SHA-256 ${sha256}, not ${pinned.sha256} as postgresql-${major}_${pinned.debian}.dsc states`);
}

async function build(ctx, major, version, into) {
  const work = ctx.scratch(`pg${major}`);
  if (version.pinned) await downloadPinned(ctx, major, version.pinned, work);
  else await ctx.run("apt-get", ["source", "--download-only", "-qq", `postgresql-${major}=${version.debian}`], { cwd: work });
  const tarball = readdirSync(work).find((f) => /\.orig\.tar\.(bz2|gz|xz)$/.test(f));
  if (!tarball) throw new ctx.ProvisionError(`apt-get source postgresql-${major} gave no .orig tarball in ${work}`);
  await ctx.run("tar", ["xf", tarball], { cwd: work });
  const src = join(work, readdirSync(work).find((f) => f.startsWith("postgresql-") && !f.includes(".tar") && !f.endsWith(".dsc"))) ;
  // Built with its final prefix (binaries find libpq through it), installed under a staging root.
  const final = join(ctx.cacheDir, `postgresql-client-${version.upstream}`);
  // Only what the jobs and tests run is built: no server, no backend-only static libraries, optimised
  // lightly (the tools mostly wait on I/O). The jobs run each major's psql beside its pg_dump.
  for (const dir of ["src/port", "src/common"]) await ctx.run("sed", ["-i", "-E", "s/^(all:.*) lib(pgport|pgcommon)_srv\\.a/\\1/", join(dir, "Makefile")], { cwd: src });
  const env = { ...process.env, CFLAGS: "-O1 -g0" };
  await ctx.run("./configure", [`--prefix=${final}`, `--cache-file=${configureCache(ctx)}`, "--without-icu", "--without-readline", "--without-openssl", "--without-zstd", "--without-lz4", "--without-llvm", "--without-gssapi", "--without-ldap", "--disable-nls", "--without-perl", "--without-python", "--without-tcl"], { cwd: src, env });
  const make = (dir, ...targets) => ctx.run("make", ["-s", `-j${ctx.jobs}`, "-C", dir, ...targets], { cwd: src, env });
  await make("src/backend", "generated-headers");
  const stage = join(into, ".stage");
  const parts = ["src/interfaces/libpq", "src/bin/pg_dump", "src/bin/psql"];
  for (const dir of parts) await make(dir, "install", `DESTDIR=${stage}`);
  for (const entry of readdirSync(join(stage, final))) renameSync(join(stage, final, entry), join(into, entry));
  rmSync(stage, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

export async function ensure(ctx) {
  const lines = [];
  for (const { major, pinned } of majors) {
    const present = cachedBuild(ctx, major);
    if (present && tools.every((tool) => existsSync(join(present, "bin", tool)))) {
      lines.push(`${major} present`);
      continue;
    }
    // A build of an earlier version of this step that lacks a tool is built again.
    if (present) rmSync(present, { recursive: true, force: true });
    await ctx.apt(buildDepends, `Building PostgreSQL ${major} client tools`);
    await ctx.debSources(majors.map((m) => m.suite), "PostgreSQL client tools newer than Debian 12's");
    let version = await sourceVersion(ctx, major);
    if (pinned && !(await downloadable(ctx, major, version))) version = { ...pinned, pinned };
    const result = await ctx.cached(`postgresql-client`, version.upstream, (into) => build(ctx, major, version, into));
    lines.push(result.built ? `built ${version.upstream} in ${result.seconds} s` : `${version.upstream} present`);
  }
  console.log(`${name}: ${lines.join("; ")} (${ctx.cacheDir})`);
}
