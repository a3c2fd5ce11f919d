import { build } from "esbuild";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The Lambda handlers, each bundled to `dist-bundle/<name>/index.js`, and the command line. */
export const BUNDLES = ["backup", "verify", "restore", "drill", "cli"] as const;
export type BundleName = (typeof BUNDLES)[number];

/** One bundle written. */
export interface BundleReport {
  readonly name: BundleName;
  readonly file: string;
  readonly bytes: number;
}

/** The package's root directory (lambda-src). */
export const PACKAGE_DIR = resolve(__dirname, "..");

/**
 * Bundles each handler into one CommonJS file exporting `handler` (and the command line into one
 * runnable file), AWS SDK v3 included and tree-shaken, for Node.js 20. Returns each file's size.
 */
export async function bundleHandlers(options: { outDir?: string; minify?: boolean } = {}): Promise<BundleReport[]> {
  const outDir = options.outDir ?? join(PACKAGE_DIR, "dist-bundle");
  const reports: BundleReport[] = [];
  await Promise.all(
    BUNDLES.map(async (name) => {
      const file = join(outDir, name, "index.js");
      await build({
        entryPoints: [join(PACKAGE_DIR, "src", name === "cli" ? "bin.ts" : `handlers/${name}.ts`)],
        outfile: file,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: options.minify ?? true,
        treeShaking: true,
        sourcemap: false,
        legalComments: "none",
        // Workspace packages resolve to their TypeScript sources, as in the tests.
        conditions: ["lifeboat-source"],
        mainFields: ["module", "main"],
        logLevel: "silent",
      });
      reports.push({ name, file, bytes: statSync(file).size });
    }),
  );
  return BUNDLES.map((n) => reports.find((r) => r.name === n)!);
}

if (require.main === module) {
  bundleHandlers().then(
    (reports) => {
      for (const r of reports) process.stdout.write(`${r.name.padEnd(8)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KiB  ${r.file}\n`);
    },
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
