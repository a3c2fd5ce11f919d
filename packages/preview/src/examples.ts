import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A Pulumi example program found under `examples/`. */
export interface ExampleProgram {
  /** The folder name, such as `aws`. */
  readonly name: string;
  readonly dir: string;
  /** The program's entry file. */
  readonly entry: string;
  /** The project name from `Pulumi.yaml`. */
  readonly project: string;
  readonly stack: string;
  /** Config from `Pulumi.<stack>.yaml`, keys namespaced the way the engine passes them. */
  readonly config: Record<string, string>;
}

/**
 * Finds every Pulumi program under `examplesDir` (a folder with a `Pulumi.yaml`), with the config of
 * its `stack` when a `Pulumi.<stack>.yaml` exists.
 */
export function discoverExamples(examplesDir: string, stack = "dev"): ExampleProgram[] {
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(examplesDir, d.name, "Pulumi.yaml")))
    .map((d) => loadExample(join(examplesDir, d.name), stack))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads one example's project file and stack config. */
export function loadExample(dir: string, stack = "dev"): ExampleProgram {
  const project = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { name?: string; main?: string };
  if (!project?.name) throw new Error(`${join(dir, "Pulumi.yaml")} has no \`name\`.`);
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  const config: Record<string, string> = {};
  if (existsSync(stackFile)) {
    const raw = (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> })?.config ?? {};
    for (const [key, value] of Object.entries(raw)) {
      if (value !== null && typeof value === "object" && "secure" in value) continue; // secrets need the Pulumi CLI
      const namespaced = key.includes(":") ? key : `${project.name}:${key}`;
      config[namespaced] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  const entry = join(dir, project.main ?? "index.ts");
  return { name: dir.split("/").pop() as string, dir, entry, project: project.name, stack, config };
}
