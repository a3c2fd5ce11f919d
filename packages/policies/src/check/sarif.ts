import { createHash } from "node:crypto";
import { relative, sep } from "node:path";
import type { Finding } from "../engine/finding";
import type { Rule } from "../engine/rule";
import type { CheckedInput } from "./inputs";

/** A SARIF 2.1.0 log: the subset `lifeboat-policies check` writes, which GitHub code scanning reads. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly SarifRun[];
}

interface SarifRun {
  readonly tool: { readonly driver: { readonly name: string; readonly version: string; readonly informationUri: string; readonly rules: readonly SarifRule[] } };
  readonly results: readonly SarifResult[];
}

interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string };
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: { readonly tags: readonly string[] };
}

type SarifLevel = "error" | "warning" | "note";

interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: { readonly text: string };
  readonly locations: readonly unknown[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly suppressions?: readonly { readonly kind: "external"; readonly justification: string }[];
}

/** A finding of one input file. */
export interface FileFinding {
  readonly input: CheckedInput;
  readonly finding: Finding;
}

const LEVEL: Record<Finding["enforcement"], SarifLevel> = { mandatory: "error", advisory: "warning" };

/**
 * The findings as SARIF 2.1.0: one run, every rule in the driver (so code scanning can show rules
 * without findings), each result located at its resource's line in the file and fingerprinted by
 * rule, file and resource so alerts follow a resource across commits. Exempted findings are kept,
 * as suppressions with their reason.
 */
export function toSarif(findings: readonly FileFinding[], rules: readonly Rule[], options: { readonly version: string; readonly root: string }): SarifLog {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "lifeboat-policies",
            version: options.version,
            informationUri: "https://www.npmjs.com/package/@lifeboat/policies",
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: `${r.description} ${r.cause}` },
              help: { text: r.explanation },
              defaultConfiguration: { level: LEVEL[r.enforcement] },
              properties: { tags: ["disaster-recovery", r.area] },
            })),
          },
        },
        results: findings.map(({ input, finding }) => {
          const uri = relative(options.root, input.path).split(sep).join("/");
          return {
            ruleId: finding.ruleId,
            ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
            level: finding.knownAfterDeploy ? "note" : LEVEL[finding.enforcement],
            message: { text: `${finding.resourceName} (${finding.resourceType}): ${finding.message} Found: ${JSON.stringify(finding.actual)}. Fix: ${finding.fix}` },
            locations: [
              {
                physicalLocation: { artifactLocation: { uri }, region: { startLine: lineOf(input.text, finding) } },
                logicalLocations: [{ fullyQualifiedName: finding.resource, name: finding.resourceName, kind: "resource" }],
              },
            ],
            partialFingerprints: { "lifeboatFinding/v1": createHash("sha256").update(`${finding.ruleId}\0${uri}\0${finding.resource}`).digest("hex").slice(0, 32) },
            ...(finding.exemption ? { suppressions: [{ kind: "external" as const, justification: finding.exemption.reason }] } : {}),
          };
        }),
      },
    ],
  };
}

/** The 1-based line where the resource is declared (its logical id or URN in quotes, or as a YAML key), else 1. */
function lineOf(text: string, finding: Finding): number {
  for (const needle of [`"${finding.resource}"`, `${finding.resource}:`]) {
    const at = text.indexOf(needle);
    if (at >= 0) return text.slice(0, at).split("\n").length;
  }
  return 1;
}
