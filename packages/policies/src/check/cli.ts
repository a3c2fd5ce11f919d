import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { evaluate } from "../engine/evaluate";
import { describeFinding, isBlocking } from "../engine/finding";
import type { Rule } from "../engine/rule";
import { checkConfig, type PolicyConfig } from "../engine/settings";
import { RULES } from "../rules";
import { PACKAGE_VERSION } from "../version";
import { type CheckedInput, readInputs, UsageError } from "./inputs";
import { type FileFinding, toSarif } from "./sarif";

/** Where the command writes: the real process streams, or a test's buffers. */
export interface CheckIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The directory SARIF paths are relative to. @default process.cwd() */
  readonly cwd?: string;
}

export const USAGE = `Usage: lifeboat-policies check [options] <file or folder>...

Judges CloudFormation templates (cdk.out, SAM and Serverless output, JSON or YAML) and Pulumi's
\`pulumi preview --json\` or \`pulumi stack export\` output with Lifeboat's disaster-recovery rules,
without the Pulumi engine. Exits 1 when a mandatory finding is not exempted, 2 on a usage error.

Options:
  --config <file>   policy configuration (JSON: settings, per-rule enforcement, exemptions), as the CDK plugin takes
  --region <name>   the region templates deploy to, when they do not say
  --sarif <file>    also write the findings as SARIF 2.1.0 (for code scanning)
  --json            print the findings as one JSON document instead of text
  -h, --help        print this help
`;

/** Runs `lifeboat-policies <args>` and returns its exit code: 0 passed, 1 a blocking finding, 2 a usage error. */
export function runCli(args: readonly string[], io: CheckIo, rules: readonly Rule[] = RULES): number {
  try {
    return check(args, io, rules);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`lifeboat-policies: ${err.problems.length === 1 ? "" : `${err.problems.length} problems:\n`}${err.problems.map((p) => (err.problems.length === 1 ? p : `  - ${p}`)).join("\n")}\n\n${USAGE}`);
    return 2;
  }
}

function check(args: readonly string[], io: CheckIo, rules: readonly Rule[]): number {
  const { command, paths, options } = parse(args);
  if (options.help || command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  const problems: string[] = [];
  if (command !== "check") problems.push(command === undefined ? "no command given: run `lifeboat-policies check <file or folder>...`." : `unknown command \`${command}\`: the only command is \`check\`.`);
  if (command === "check" && paths.length === 0) problems.push("`check` needs at least one file or folder, such as `cdk.out` or the output of `pulumi preview --json`.");
  const config = options.config === undefined ? undefined : readConfig(options.config, rules, problems);
  let inputs: CheckedInput[] = [];
  try {
    inputs = readInputs(paths, options.region ? { region: options.region } : {});
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new UsageError(problems);

  const findings: FileFinding[] = inputs.flatMap((input) => evaluate(input.facts, rules, config).findings.map((finding) => ({ input, finding })));
  const blocking = findings.filter((f) => isBlocking(f.finding)).length;

  if (options.sarif !== undefined) writeFileSync(options.sarif, `${JSON.stringify(toSarif(findings, rules, { version: PACKAGE_VERSION, root: io.cwd ?? process.cwd() }), null, 2)}\n`);
  if (options.json) {
    const files = inputs.map((input) => ({ path: input.path, kind: input.kind, findings: findings.filter((f) => f.input === input).map((f) => ({ ...f.finding, blocking: isBlocking(f.finding) })) }));
    io.stdout(`${JSON.stringify({ tool: "lifeboat-policies", version: PACKAGE_VERSION, files, summary: { files: inputs.length, rules: rules.length, findings: findings.length, blocking } }, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const input of inputs) {
      const own = findings.filter((f) => f.input === input);
      lines.push(`${input.path} (${input.kind}): ${own.length === 0 ? "no findings." : `${own.length} finding(s), ${own.filter((f) => isBlocking(f.finding)).length} blocking.`}`);
      for (const { finding } of own) lines.push(`  ${describeFinding(finding)}`);
    }
    lines.push(`lifeboat-policies ${PACKAGE_VERSION}: ${inputs.length} file(s), ${rules.length} rules, ${findings.length} finding(s), ${blocking} blocking.`);
    io.stdout(`${lines.join("\n")}\n`);
  }
  return blocking > 0 ? 1 : 0;
}

function parse(args: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { config: { type: "string" }, region: { type: "string" }, sarif: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
    const [command, ...paths] = positionals;
    return { command, paths, options: values };
  } catch (err) {
    throw new UsageError([`${err instanceof Error ? err.message : String(err)}.`]);
  }
}

function readConfig(path: string, rules: readonly Rule[], problems: string[]): PolicyConfig | undefined {
  let config: PolicyConfig;
  try {
    config = JSON.parse(readFileSync(path, "utf8")) as PolicyConfig;
  } catch (err) {
    problems.push(`\`--config\` (${path}) cannot be read as JSON (${err instanceof Error ? err.message : String(err)}): pass a JSON file of settings, \`rules\` and \`exemptions\`.`);
    return undefined;
  }
  problems.push(...checkConfig(config, rules.map((r) => r.id)).map((p) => `\`--config\` (${path}): ${p}`));
  return config;
}
