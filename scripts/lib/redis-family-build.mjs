// A Redis-family server (Redis 8, Valkey 9) built from Debian's source package, for provisioning steps.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Ensures `<cache>/<pkg>-<version>/bin/<pkg>-server` (and `-cli`) for the newest `major`.x source
 * package of Debian `suite`; no network when a build of that major is cached. Built without TLS,
 * systemd or modules (the tests need the server and its replication protocol only).
 */
export async function ensureRedisFamily(ctx, pkg, suite, major) {
  const server = `${pkg}-server`;
  const cached = existsSync(ctx.cacheDir)
    ? readdirSync(ctx.cacheDir).filter((d) => d.startsWith(`${pkg}-${major}.`) && existsSync(join(ctx.cacheDir, d, "bin", server)))
    : [];
  if (cached.length > 0) {
    console.log(`${pkg}-${major}: ${join(ctx.cacheDir, cached.sort().at(-1), "bin", server)} (cached)`);
    return;
  }
  await ctx.debSources([suite], `${pkg} ${major} for the Redis-family tests`);
  const index = await ctx.run("apt-cache", ["showsrc", pkg]);
  const versions = [...index.matchAll(/^Version: (?:\d+:)?([^\s-]+)(?:-\S+)?$/gm)].map((m) => m[1]).filter((v) => v.startsWith(`${major}.`));
  versions.sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
  if (!versions[0]) throw new ctx.ProvisionError(`Debian ${suite} has no ${pkg} ${major}.x source package (apt-cache showsrc ${pkg})`);
  const version = versions[0];
  const { dir, built, seconds } = await ctx.cached(pkg, version, async (into) => {
    const work = ctx.scratch(pkg);
    await ctx.run("apt-get", ["source", "--download-only", "-qq", "-o", "APT::Sandbox::User=root", pkg], { cwd: work });
    const orig = readdirSync(work).find((f) => f.startsWith(`${pkg}_${version}.orig.tar`));
    if (!orig) throw new ctx.ProvisionError(`apt-get source ${pkg} downloaded no ${pkg}_${version}.orig.tar.*`);
    const tree = join(work, "tree");
    await ctx.run("mkdir", ["-p", tree]);
    await ctx.run("tar", ["-xf", join(work, orig), "-C", tree, "--strip-components=1"]);
    await ctx.run("make", [`-j${ctx.jobs}`, "BUILD_TLS=no", "USE_SYSTEMD=no", "MALLOC=libc", "BUILD_WITH_MODULES=no"], { cwd: tree });
    await ctx.run("mkdir", ["-p", join(into, "bin")]);
    for (const program of [server, `${pkg}-cli`]) await ctx.run("cp", [join(tree, "src", program), join(into, "bin", program)]);
  });
  console.log(`${pkg}-${major}: ${join(dir, "bin", server)}${built ? ` (built in ${seconds} s)` : ""}`);
}
