import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { USER_COMPILER_OPTIONS, virtualHost } from "./support/typescript";

const root = join(__dirname, "..");
const src = join(root, "packages/constructs/src");

/** An `@example` block of a doc comment in the constructs' sources. */
interface DocExample {
  /** Where it stands: `cdk/backup-vault.ts:60`. */
  readonly where: string;
  /** The public module its file belongs to: `cdk`, `pulumi/aws`, `core`… */
  readonly module: string;
  readonly code: string;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });

/** The public modules, most specific first: `core/aws` files belong to `core`, which re-exports them. */
const MODULES = ["core/digitalocean", "core", "pulumi/aws", "pulumi/digitalocean", "cdk", "testing"] as const;

/** Every `@example` block: the comment's lines after the tag, up to the next tag or the comment's end. */
function docExamples(): DocExample[] {
  const found: DocExample[] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const path = relative(src, file);
    const module = MODULES.find((m) => path.startsWith(`${m}/`)) ?? "core";
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const lines = comment[0].split("\n").map((l) => l.replace(/^\s*(\/\*\*|\*\/|\*)\s?/, "").replace(/\s*\*\/$/, ""));
      const firstLine = text.slice(0, comment.index).split("\n").length;
      lines.forEach((line, i) => {
        if (!line.startsWith("@example")) return;
        const end = lines.findIndex((l, j) => j > i && l.startsWith("@"));
        const code = lines.slice(i + 1, end < 0 ? lines.length : end).join("\n").trim();
        found.push({ where: `${path}:${firstLine + i}`, module, code });
      });
    }
  }
  return found;
}

/**
 * What an example may use without declaring it, as aws-cdk-lib's fixtures give theirs: the scope of
 * a CDK app, resources a user already has, and the provider modules under their usual names. Only
 * names an example uses and does not declare itself are added.
 */
const PULUMI_CONTEXT: Record<string, string> = {
  pulumi: 'import * as pulumi from "@pulumi/pulumi";',
  rds: 'import * as rds from "@pulumi/aws/rds";',
  iam: 'import * as iam from "@pulumi/aws/iam";',
  elasticache: 'import * as elasticache from "@pulumi/aws/elasticache";',
  DatabaseCluster: 'import { DatabaseCluster } from "@pulumi/digitalocean/databaseCluster";',
  Droplet: 'import { Droplet } from "@pulumi/digitalocean/droplet";',
  bucket: 'declare const bucket: import("@pulumi/aws/s3").Bucket;',
  db: 'declare const db: import("@pulumi/aws/rds").Instance;',
  key: "declare const key: VaultKey;",
  secretArn: "declare const secretArn: string;",
  imageUri: "declare const imageUri: string;",
  subnetIds: "declare const subnetIds: string[];",
  securityGroupIds: "declare const securityGroupIds: string[];",
  jobsSecurityGroup: 'declare const jobsSecurityGroup: import("@pulumi/aws/ec2").SecurityGroup;',
  jobRole: 'declare const jobRole: import("@pulumi/aws/iam").Role;',
  cluster: 'declare const cluster: import("@pulumi/aws/ecs").Cluster;',
  alerts: "declare const alerts: AlertTopic;",
  vault: "declare const vault: ReplicatedBackupVault;",
  job: "declare const job: BackupJob;",
  plan: "declare const plan: EstatePlan;",
  config: "declare const config: string;",
  taskStatements: "declare const taskStatements: PolicyStatement[];",
  postgresSource: "declare const postgresSource: JobSource;",
  uploadsSource: "declare const uploadsSource: JobSource;",
  runner: "declare const runner: BackupRunner;",
  estate: "declare const estate: DigitalOceanRecoveryEstate;",
  app: 'declare const app: import("@pulumi/digitalocean/app").App;',
  files: "declare const files: RunnerFiles;",
  problems: "const problems = new Problems();",
  days: "declare const days: number;",
  objectives: "declare const objectives: ObjectivesArgs;",
};

/** Where a module's or a file's examples mean something else by a name. */
const CONTEXT_OVERRIDES: Record<string, Record<string, string>> = {
  "pulumi/digitalocean": { db: 'declare const db: import("@pulumi/digitalocean/databaseCluster").DatabaseCluster;' },
  // Examples of a vault's own methods, and of a job given a single vault.
  "pulumi/aws/backup-vault.ts": { vault: "declare const vault: BackupVault;" },
  "cdk/fargate-job.ts": { vault: "declare const vault: BackupVault;" },
};

const CDK_CONTEXT: Record<string, string> = {
  Stack: 'import { Stack } from "aws-cdk-lib";',
  stack: 'const stack = new Stack(undefined, "Example", { env: { account: "123456789012", region: "us-east-1" } });',
  role: 'declare const role: import("aws-cdk-lib/aws-iam").IRole;',
  db: 'declare const db: import("aws-cdk-lib/aws-rds").DatabaseInstance;',
  secretArn: "declare const secretArn: string;",
  repository: 'declare const repository: import("aws-cdk-lib/aws-ecr").IRepository;',
  uploads: 'declare const uploads: import("aws-cdk-lib/aws-s3").IBucket;',
  cluster: 'declare const cluster: import("aws-cdk-lib/aws-ecs").ICluster;',
  vpc: 'declare const vpc: import("aws-cdk-lib/aws-ec2").IVpc;',
  jobsSecurityGroup: 'declare const jobsSecurityGroup: import("aws-cdk-lib/aws-ec2").ISecurityGroup;',
  alerts: "declare const alerts: AlertTopic;",
  vault: "declare const vault: ReplicatedBackupVault;",
  job: "declare const job: BackupJob;",
  source: "declare const source: SourceConfig;",
  postgresSource: "declare const postgresSource: JobSource;",
  taskStatements: "declare const taskStatements: PolicyStatement[];",
};

/** The identifiers of `code`, not the words of its strings and comments. */
function identifiers(code: string): Set<string> {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, code);
  const names = new Set<string>();
  // Open braces inside each `${` of a template: where one closes at 0, the template's text resumes.
  const templates: number[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier) names.add(scanner.getTokenValue());
    else if (token === ts.SyntaxKind.TemplateHead) templates.push(0);
    else if (token === ts.SyntaxKind.OpenBraceToken && templates.length) templates[templates.length - 1]!++;
    else if (token === ts.SyntaxKind.CloseBraceToken && templates.length) {
      if (templates[templates.length - 1] === 0) {
        if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) templates.pop();
      } else templates[templates.length - 1]!--;
    }
  }
  return names;
}
const declares = (code: string, name: string) => new RegExp(`\\b(const|let|var|function|class|import)\\s+(\\{[^}]*\\b)?${name.replace(/\$/g, "\\$")}\\b`).test(code);

/**
 * The example as a module: the context it uses, then imports of every name it uses from
 * Lifeboat's modules (its own module first, then core, then the others), then its code.
 */
function exampleModule(example: DocExample, exportsOf: Map<string, Set<string>>): string {
  const file = example.where.split(":")[0]!;
  const context = { ...(example.module === "cdk" ? CDK_CONTEXT : PULUMI_CONTEXT), ...CONTEXT_OVERRIDES[example.module], ...CONTEXT_OVERRIDES[file] };
  const lines: string[] = [];
  const taken = new Set<string>();
  let code = example.code;
  const used = identifiers(code);
  // Context lines may use more names (types, `Stack`, `Problems`): close over them, keep their order.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, line] of Object.entries(context)) {
      if (taken.has(name) || !used.has(name) || declares(code, name)) continue;
      taken.add(name);
      for (const more of identifiers(line)) used.add(more);
      grew = true;
    }
  }
  for (const [name, line] of Object.entries(context)) if (taken.has(name)) lines.push(line);
  const order = [example.module, "core", ...MODULES.filter((m) => m !== example.module && m !== "core")];
  const imports = new Map<string, string[]>();
  for (const name of used) {
    if (taken.has(name) || declares(code, name)) continue;
    const from = order.find((m) => exportsOf.get(m)?.has(name));
    if (from) imports.set(from, [...(imports.get(from) ?? []), name]);
  }
  for (const [from, names] of imports) lines.unshift(`import { ${names.sort().join(", ")} } from "@lifeboat/constructs/${from}";`);
  // An example's `export const` keeps its value used; the rest might be unused, which is fine in a snippet.
  code = code.replace(/^import .*$/gm, (line) => (lines.some((l) => l === line) ? "" : line));
  return `${lines.join("\n")}\n${code}\nexport {};\n`;
}

describe("doc comments' @example blocks", () => {
  const examples = docExamples();

  it("are found in the constructs' sources, at least one per public component", () => {
    expect(examples.length).toBeGreaterThanOrEqual(40);
    expect([...new Set(examples.map((e) => e.module))]).toEqual(expect.arrayContaining(["core", "pulumi/aws", "pulumi/digitalocean", "cdk", "testing"]));
  });

  it("each compile against the packages as a user's program imports them", () => {
    // ES modules in examples/aws-cdk (which depends on every provider the examples use), so imports
    // resolve as in a user's project, sources through the workspace condition, top-level await allowed.
    const dir = join(root, "examples/aws-cdk");
    const options = USER_COMPILER_OPTIONS;
    const virtual = new Map<string, string>();
    const host = virtualHost(virtual);

    // First the modules alone, for the names each exports (types too); the second program reuses them.
    const entry = (m: string) => join(dir, `__doc_module_${m.replace("/", "_")}__.mts`);
    for (const m of MODULES) virtual.set(entry(m), `export * from "@lifeboat/constructs/${m}";\n`);
    const modules = ts.createProgram([...MODULES.map(entry)], options, host);
    const checker = modules.getTypeChecker();
    const exportsOf = new Map(
      MODULES.map((m) => {
        const symbol = checker.getSymbolAtLocation(modules.getSourceFile(entry(m))!)!;
        return [m, new Set(checker.getExportsOfModule(symbol).map((s) => s.name))];
      }),
    );

    const files = examples.map((example, i) => {
      // A CommonJS module as the examples are, or an ES module where the example awaits at its top.
      const file = join(dir, `__doc_example_${i}__.${/^(const .* = )?await /m.test(example.code) ? "mts" : "ts"}`);
      virtual.set(file, exampleModule(example, exportsOf));
      return { file, example };
    });
    const program = ts.createProgram([...MODULES.map(entry), ...files.map((f) => f.file)], options, host, modules);

    const problems = files.flatMap(({ file, example }) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `${example.where}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")} (line ${line} of:\n${virtual.get(file)})`;
      }),
    );

    expect(problems).toEqual([]);
  }, 600_000);
});
