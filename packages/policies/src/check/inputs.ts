import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parse as parseYaml, Scalar, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from "yaml";
import { type CloudFormationTemplate, factsFromTemplate } from "../adapters/cloudformation/from-template";
import { factsFromPulumi } from "../adapters/pulumi/from-pulumi";
import { linkReplicasAcrossStacks } from "../cdk/policy-validation-plugin";
import type { StackFacts } from "../facts";
import { isPreviewJson, isStackExport, resourcesFromPreview, resourcesFromStackExport } from "./pulumi-json";

/** What a file holds, as far as the checker is concerned. */
export type InputKind = "cloudformation" | "pulumi-preview" | "pulumi-stack-export";

/** One file the checker judges: its kind, its text (for line numbers) and its facts. */
export interface CheckedInput {
  readonly path: string;
  readonly kind: InputKind;
  readonly text: string;
  readonly facts: StackFacts;
}

/** Extensions looked at inside a directory; a file named on the command line is read whatever its name. */
const EXTENSIONS = new Set([".json", ".yaml", ".yml", ".template"]);
/** Folders never entered: dependencies and version control hold no templates of the user's. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "asset", ".cache"]);

/** A problem with the command line or an input: exit code 2, every problem listed. */
export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/**
 * Reads every path: a file is judged or refused (a usage error naming it); a directory (`cdk.out`,
 * `.aws-sam/build`, `.serverless`, a folder of templates) contributes each template or Pulumi JSON
 * file inside it and skips other JSON (manifests, asset descriptions).
 */
export function readInputs(paths: readonly string[], options: { readonly region?: string } = {}): CheckedInput[] {
  const problems: string[] = [];
  const inputs: CheckedInput[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      problems.push(`\`${path}\` does not exist: name a CloudFormation template, a \`pulumi preview --json\` file or a folder such as cdk.out.`);
      continue;
    }
    if (stat.isDirectory()) {
      const regions = cloudAssemblyRegions(path);
      const found = filesUnder(path).flatMap((file) => {
        const region = options.region ?? regions.get(file);
        const read = readOne(file, region ? { region } : {});
        return typeof read === "string" ? [] : [read];
      });
      // One cloud assembly is one estate: a bucket another stack replicates into is a replica, as the CDK plugin sees it.
      const linked = linkReplicasAcrossStacks(found.filter((i) => i.kind === "cloudformation").map((i) => ({ ...i, region: options.region ?? regions.get(i.path) })));
      found.splice(0, found.length, ...found.map((i) => linked.find((l) => l.path === i.path) ?? i));
      if (found.length === 0) problems.push(`\`${path}\` holds no CloudFormation template or Pulumi JSON (looked at ${[...EXTENSIONS].join(", ")} files): point at cdk.out, a template or a \`pulumi preview --json\` file.`);
      inputs.push(...found);
    } else {
      const read = readOne(path, options);
      if (typeof read === "string") problems.push(read);
      else inputs.push(read);
    }
  }
  if (problems.length > 0) throw new UsageError(problems);
  return inputs;
}

/**
 * A CDK cloud assembly's (`cdk.out`) stack regions, by template path, from its manifest.json: each
 * stack artifact's environment (`aws://<account>/<region>`), unless the app left it unknown.
 */
function cloudAssemblyRegions(dir: string): Map<string, string> {
  const regions = new Map<string, string>();
  let manifest: { artifacts?: Record<string, { type?: string; environment?: string; properties?: { templateFile?: string } }> };
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch {
    return regions;
  }
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const region = /^aws:\/\/[^/]*\/([a-z0-9-]+)$/.exec(artifact?.environment ?? "")?.[1];
    if (artifact?.type === "aws:cloudformation:stack" && artifact.properties?.templateFile && region && region !== "unknown-region") {
      regions.set(join(dir, artifact.properties.templateFile), region);
    }
  }
  return regions;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith("asset.")) out.push(...filesUnder(path));
    } else if (EXTENSIONS.has(extname(entry.name))) out.push(path);
  }
  return out;
}

/** The file judged, or why it cannot be. */
function readOne(path: string, options: { readonly region?: string }): CheckedInput | string {
  const text = readFileSync(path, "utf8");
  let document: unknown;
  try {
    document = text.trimStart().startsWith("{") || extname(path) === ".json" ? JSON.parse(text) : parseYaml(text, { customTags: CLOUDFORMATION_TAGS });
  } catch (err) {
    return `\`${path}\` is neither JSON nor YAML (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): fix the file or leave it out.`;
  }
  if (isPreviewJson(document)) return { path, kind: "pulumi-preview", text, facts: factsFromPulumi(resourcesFromPreview(document)) };
  if (isStackExport(document)) return { path, kind: "pulumi-stack-export", text, facts: factsFromPulumi(resourcesFromStackExport(document)) };
  if (isTemplate(document)) return { path, kind: "cloudformation", text, facts: factsFromTemplate(document, options.region ? { region: options.region } : {}) };
  return `\`${path}\` is not a CloudFormation template (no \`Resources\`) nor \`pulumi preview --json\` output (no \`steps\`) nor \`pulumi stack export\` output: name one of those.`;
}

function isTemplate(document: unknown): document is CloudFormationTemplate {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return false;
  const resources = (document as Record<string, unknown>).Resources;
  return resources !== null && typeof resources === "object" && !Array.isArray(resources);
}

/** The short forms of CloudFormation's intrinsic functions (`!Ref`, `!GetAtt`, `!Sub`, ...) as their long forms. */
const INTRINSICS = ["Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString"];

const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = [
  { tag: "!Ref", resolve: (value: string) => ({ Ref: value }) } as ScalarTag,
  { tag: "!Condition", resolve: (value: string) => ({ Condition: value }) } as ScalarTag,
  ...INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => [
    {
      tag: `!${name}`,
      // `!GetAtt Bucket.Arn` is the scalar form of `Fn::GetAtt: [Bucket, Arn]`.
      resolve: (value: string) => ({ [`Fn::${name}`]: name === "GetAtt" ? splitOnce(value) : value }),
    } as ScalarTag,
    { tag: `!${name}`, collection: "seq", resolve: (seq: YAMLSeq) => new Scalar({ [`Fn::${name}`]: seq.toJSON() }) } as unknown as CollectionTag,
    { tag: `!${name}`, collection: "map", resolve: (map: YAMLMap) => new Scalar({ [`Fn::${name}`]: map.toJSON() }) } as unknown as CollectionTag,
  ]),
];

function splitOnce(value: string): string[] {
  const dot = value.indexOf(".");
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}
