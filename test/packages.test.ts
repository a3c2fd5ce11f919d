import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  types?: string;
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = (dir: string) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as PackageJson;
/** The packages published to npm, by folder. */
const PUBLISHED = ["packages/constructs", "packages/policies", "lambda-src"];
const workspace = new Map(["packages/constructs", "packages/policies", "packages/preview", "lambda-src", "examples/aws"].map((d) => [read(d).name, read(d)]));

/** The .d.ts files node10 resolution tries for a subpath, through the typesVersions pattern `*`. */
function typesVersionsTargets(pkg: PackageJson, subpath: string): string[] {
  const patterns = pkg.typesVersions?.["*"]?.["*"] ?? [];
  return patterns.map((p) => p.replace("*", subpath)).flatMap((p) => (p.endsWith(".d.ts") ? [p] : [`${p}.d.ts`, `${p}/index.d.ts`]));
}

describe.each(PUBLISHED)("the published package in %s", (dir) => {
  const pkg = read(dir);

  it("depends on the other Lifeboat packages by a range their version satisfies, never `*`", () => {
    const internal = Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies }).filter(([name]) => workspace.has(name));

    for (const [name, range] of internal) expect(`${name}@${range}`).toBe(`${name}@^${workspace.get(name)!.version}`);
  });

  it("ships its README and the repository's LICENSE", () => {
    expect(pkg.files).toEqual(expect.arrayContaining(["README.md", "LICENSE"]));
    expect(readFileSync(join(root, dir, "LICENSE"), "utf8")).toBe(readFileSync(join(root, "LICENSE"), "utf8"));
    expect(readFileSync(join(root, dir, "README.md"), "utf8")).toContain(`# ${pkg.name}`);
  });

  it("needs no build tool at run time", () => {
    const runtime = Object.keys(pkg.dependencies ?? {});

    expect(runtime.filter((name) => ["esbuild", "typescript", "tsx", "vitest"].includes(name))).toEqual([]);
  });

  it("resolves every subpath's types with node10 resolution (typesVersions) to the file `exports` names", () => {
    const subpaths = Object.entries(pkg.exports ?? {}).filter(([key, target]) => key !== "./package.json" && typeof target === "object");

    expect(subpaths.length).toBeGreaterThan(0);
    for (const [key, target] of subpaths) {
      const types = (target as Record<string, string>).types as string;
      const tried = key === "." ? [pkg.types as string] : typesVersionsTargets(pkg, key.slice(2));
      // node10 takes the first candidate that exists once built; it must be the file exports name.
      const normalize = (p: string) => p.replace(/^\.\//, "");
      const first = tried.map(normalize).find((p) => p === normalize(types) || existsSync(join(root, dir, p.replace(/^dist\//, "src/").replace(/\.d\.ts$/, ".ts"))));
      expect(`${key} → ${first}`).toBe(`${key} → ${normalize(types)}`);
    }
  });
});

describe("the jobs package", () => {
  it("ships every file its Dockerfile copies", () => {
    const pkg = read("lambda-src");
    // `COPY --from=<stage>` copies from an earlier build stage, not from the package.
    const sources = [...readFileSync(join(root, "lambda-src/Dockerfile"), "utf8").matchAll(/^COPY\s+(?!--from=)(?:--\S+\s+)*(\S+)\s+\S+$/gm)].map((m) => m[1] as string);

    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(pkg.files?.some((f) => source === f || source.startsWith(`${f}/`)), source).toBe(true);
  });
});
