import { existsSync, readFileSync } from "node:fs";
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

    expect(sources).toEqual(["dist-bundle/backup/index.js", "dist-bundle/verify/index.js", "dist-bundle/restore/index.js", "dist-bundle/drill/index.js", "dist-bundle/cli/index.js", "docker/lifeboat"]);
    for (const source of sources) expect(existsSync(join(PACKAGE_DIR, source)), source).toBe(true);
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:22$/m);
    expect(dockerfile).toMatch(/postgresql15 zstd redis6/);
  });
});
