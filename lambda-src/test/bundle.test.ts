import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleHandlers, PACKAGE_DIR } from "../src/bundle";

describe("the Lambda bundles", () => {
  it("are one CommonJS file per handler exporting handler, with the AWS SDK tree-shaken in", async () => {
    const reports = await bundleHandlers();

    for (const r of reports) process.stdout.write(`bundle ${r.name}: ${(r.bytes / 1024).toFixed(0)} KiB\n`);
    expect(reports.map((r) => r.name)).toEqual(["backup", "verify", "restore", "drill", "cli"]);
    for (const r of reports.filter((r) => r.name !== "cli")) {
      expect(r.file).toBe(join(PACKAGE_DIR, "dist-bundle", r.name, "index.js"));
      const loaded = require(r.file) as { handler?: unknown };
      expect(typeof loaded.handler).toBe("function");
      // The whole SDK would be tens of megabytes; S3 and Secrets Manager tree-shaken fit in 2 MiB.
      expect(r.bytes).toBeLessThan(2 * 1024 * 1024);
    }
  });

  it("are what the Dockerfile copies, and every file it copies exists", async () => {
    await bundleHandlers();
    const dockerfile = readFileSync(join(PACKAGE_DIR, "Dockerfile"), "utf8");

    const sources = [...dockerfile.matchAll(/^COPY\s+(\S+)\s+\S+$/gm)].map((m) => m[1]!);

    expect(sources).toEqual(["docker/build-postgres-client.sh", "dist-bundle/backup/index.js", "dist-bundle/verify/index.js", "dist-bundle/restore/index.js", "dist-bundle/drill/index.js", "dist-bundle/cli/index.js", "docker/lifeboat"]);
    for (const source of sources) expect(existsSync(join(PACKAGE_DIR, source)), source).toBe(true);
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:22$/m);
    expect(dockerfile).toMatch(/^ARG POSTGRES_CLIENT_VERSIONS="15\.\d+ 16\.\d+ 17\.\d+ 18\.\d+"$/m);
    expect(dockerfile).toMatch(/^COPY --from=postgres-clients \/opt\/postgresql \/opt\/postgresql$/m);
  });

  it("builds from files the package contains: every file the Dockerfile copies is in npm pack's list", async () => {
    await bundleHandlers();
    const dockerfile = readFileSync(join(PACKAGE_DIR, "Dockerfile"), "utf8");
    const sources = [...dockerfile.matchAll(/^COPY\s+(\S+)\s+\S+$/gm)].map((m) => m[1]!);

    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--loglevel=error"], { cwd: PACKAGE_DIR, maxBuffer: 64 * 1024 * 1024 });
    const packed = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));

    expect(packed.has("Dockerfile")).toBe(true);
    expect(sources.filter((source) => !packed.has(source))).toEqual([]);
  }, 120_000);
});
