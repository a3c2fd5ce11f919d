import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { describeFinding, evaluate, factsFromTemplate, LifeboatPolicyPlugin, RULES, runCli, type SarifLog } from "../src";
import { compliantTemplate, withCfn } from "./fixtures/template";

const dir = mkdtempSync(join(tmpdir(), "lifeboat-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command in-process and captures what it writes. */
function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
  return { code, stdout, stderr };
}

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The compliant template with the vault's versioning suspended: one mandatory finding. */
const unversioned = () => withCfn(compliantTemplate(), "VaultBucket", (p) => ({ ...p, VersioningConfiguration: { Status: "Suspended" } }));

describe("lifeboat-policies check on CloudFormation templates", () => {
  it("passes a compliant template with exit code 0", () => {
    const file = write("ok/template.json", compliantTemplate());

    const { code, stdout } = run("check", file);

    expect(stdout).toContain(`${file} (cloudformation): no findings.`);
    expect(code).toBe(0);
  });

  it("prints the findings the CDK plugin reports for the same template and exits 1 on a mandatory one", () => {
    const file = write("bad/template.json", unversioned());
    const expected = evaluate(factsFromTemplate(unversioned()), RULES).findings;
    const plugin = new LifeboatPolicyPlugin().validate({ templatePaths: [file] } as unknown as Parameters<LifeboatPolicyPlugin["validate"]>[0]);

    const { code, stdout } = run("check", file);

    expect(expected.map((f) => f.ruleId)).toEqual(["s3-vault-versioning"]);
    for (const finding of expected) expect(stdout).toContain(describeFinding(finding));
    expect(plugin.violations.map((v) => [v.ruleName, v.violatingResources[0]?.resourceLogicalId])).toEqual([["s3-vault-versioning", "VaultBucket"]]);
    expect(code).toBe(1);
  });

  it("reads a YAML template with short-form intrinsics as its JSON equivalent", () => {
    const yamlText = stringify(unversioned())
      .replace(/KMSMasterKeyID:\n(\s+)Fn::GetAtt:\n\s+- VaultKey\n\s+- Arn/, "KMSMasterKeyID: !GetAtt VaultKey.Arn")
      .replace(/Bucket:\n(\s+)Ref: VaultBucket/, "Bucket: !Ref VaultBucket");
    expect(yamlText).toContain("!GetAtt VaultKey.Arn");
    expect(yamlText).toContain("!Ref VaultBucket");
    const file = write("yaml/template.yaml", yamlText);

    const { code, stdout } = run("check", "--json", file);

    const report = JSON.parse(stdout) as { files: { kind: string; findings: { ruleId: string; resource: string }[] }[] };
    expect(report.files.map((f) => [f.kind, f.findings.map((x) => `${x.ruleId} ${x.resource}`)])).toEqual([["cloudformation", ["s3-vault-versioning VaultBucket"]]]);
    expect(code).toBe(1);
  });

  it("finds every template in a cdk.out folder and skips its manifests and assets", () => {
    write("cdk.out/manifest.json", { version: "48.0.0", artifacts: {} });
    write("cdk.out/Prod.assets.json", { version: "48.0.0", files: {} });
    write("cdk.out/asset.0123abcd/index.json", { Resources: { Broken: "not a resource" } });
    write("cdk.out/Prod.template.json", compliantTemplate());
    write("cdk.out/Staging.template.json", unversioned());

    const { code, stdout } = run("check", join(dir, "cdk.out"));

    expect(stdout).toContain("Prod.template.json (cloudformation): no findings.");
    expect(stdout).toContain("Staging.template.json (cloudformation): 1 finding(s), 1 blocking.");
    expect(stdout).toContain("2 file(s)");
    expect(code).toBe(1);
  });

  it("judges each template of a cdk.out folder in its stack's region, from the assembly's manifest", () => {
    const bucket = { Resources: { Data: { Type: "AWS::S3::Bucket", Properties: {} } } };
    write("regions/cdk.out/manifest.json", { version: "48.0.0", artifacts: { Eu: { type: "aws:cloudformation:stack", environment: "aws://123456789012/eu-west-1", properties: { templateFile: "Eu.template.json" } }, Us: { type: "aws:cloudformation:stack", environment: "aws://123456789012/us-east-1", properties: { templateFile: "Us.template.json" } } } });
    write("regions/cdk.out/Eu.template.json", bucket);
    write("regions/cdk.out/Us.template.json", bucket);
    const config = write("regions/config.json", { allowedRegions: ["eu-west-1"] });

    const { stdout } = run("check", "--json", "--config", config, join(dir, "regions/cdk.out"));

    const report = JSON.parse(stdout) as { files: { path: string; findings: { ruleId: string }[] }[] };
    const regionFindings = (name: string) => report.files.find((f) => f.path.endsWith(name))!.findings.filter((f) => f.ruleId === "data-store-allowed-regions").length;
    expect(regionFindings("Eu.template.json")).toBe(0);
    expect(regionFindings("Us.template.json")).toBe(1);
  });

  it("does not fail on a finding its configuration exempts, and still reports it", () => {
    const file = write("exempt/template.json", unversioned());
    const config = write("exempt/config.json", { exemptions: [{ resources: "VaultBucket", rules: ["s3-vault-versioning"], reason: "legacy bucket, replaced in Q1" }] });

    const { code, stdout } = run("check", "--config", config, file);

    expect(stdout).toContain("[exempted (config): legacy bucket, replaced in Q1] s3-vault-versioning");
    expect(code).toBe(0);
  });
});

describe("lifeboat-policies check on Pulumi output", () => {
  it("judges `pulumi preview --json` by its steps' new inputs, with the provider's region", () => {
    const stack = "urn:pulumi:dev::shop::";
    const provider = `${stack}pulumi:providers:aws::west`;
    const preview = {
      steps: [
        { op: "create", urn: provider, newState: { urn: provider, type: "pulumi:providers:aws", custom: true, inputs: { region: "us-west-2" } } },
        {
          op: "create",
          urn: `${stack}aws:s3/bucket:Bucket::backup-vault`,
          newState: { urn: `${stack}aws:s3/bucket:Bucket::backup-vault`, type: "aws:s3/bucket:Bucket", custom: true, provider: `${provider}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`, inputs: { bucket: "shop-backup-vault", tags: { "lifeboat:vault": "true" } } },
        },
        { op: "delete", urn: `${stack}aws:s3/bucket:Bucket::old`, oldState: { urn: `${stack}aws:s3/bucket:Bucket::old`, type: "aws:s3/bucket:Bucket", inputs: {} } },
      ],
      changeSummary: { create: 2, delete: 1 },
    };
    const file = write("preview.json", preview);

    const { code, stdout } = run("check", "--json", file);

    const report = JSON.parse(stdout) as { files: { kind: string; findings: { ruleId: string; resourceName: string; blocking: boolean }[] }[] };
    const findings = report.files[0]!.findings;
    expect(report.files[0]!.kind).toBe("pulumi-preview");
    expect(findings.map((f) => f.resourceName)).not.toContain("old");
    expect(findings.filter((f) => f.blocking).map((f) => f.ruleId)).toEqual(expect.arrayContaining(["s3-vault-versioning", "s3-bucket-kms-encryption"]));
    expect(code).toBe(1);
  });
});

describe("lifeboat-policies check SARIF", () => {
  it("writes SARIF 2.1.0 whose results name a rule of the driver and point at the resource's line", () => {
    const file = write("sarif/template.json", unversioned());
    const sarifPath = join(dir, "sarif/out.sarif");

    const { code } = run("check", "--sarif", sarifPath, file);

    const sarif = JSON.parse(readFileSync(sarifPath, "utf8")) as SarifLog & { runs: any[] };
    expect(code).toBe(1);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe("lifeboat-policies");
    expect(driver.version).toMatch(/^\d+\.\d+\.\d+/);
    const ruleIds = driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ruleIds).size).toBe(RULES.length);
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(["error", "warning", "note"]).toContain(rule.defaultConfiguration.level);
    }
    const [result, ...others] = sarif.runs[0].results;
    expect(others).toEqual([]);
    expect(result.ruleId).toBe("s3-vault-versioning");
    expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(result.level).toBe("error");
    expect(result.message.text).toContain("Fix:");
    const location = result.locations[0].physicalLocation;
    expect(location.artifactLocation.uri).toBe("sarif/template.json");
    const line = readFileSync(file, "utf8").split("\n")[location.region.startLine - 1];
    expect(line).toContain('"VaultBucket"');
    expect(result.partialFingerprints["lifeboatFinding/v1"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("records an exempted finding as a suppression with its reason", () => {
    const file = write("sarif-exempt/template.json", withCfn(unversioned(), "VaultBucket", (p) => ({ ...p, Tags: [...p.Tags, { Key: "lifeboat:exempt", Value: "s3-vault-versioning" }, { Key: "lifeboat:exempt-reason", Value: "legacy bucket, replaced in Q1" }] })));
    const sarifPath = join(dir, "sarif-exempt/out.sarif");

    const { code } = run("check", "--sarif", sarifPath, file);

    const results = (JSON.parse(readFileSync(sarifPath, "utf8")) as { runs: { results: any[] }[] }).runs[0]!.results;
    expect(results.map((r) => [r.ruleId, r.suppressions])).toEqual([["s3-vault-versioning", [{ kind: "external", justification: "legacy bucket, replaced in Q1" }]]]);
    expect(code).toBe(0);
  });
});

describe("lifeboat-policies usage errors", () => {
  it("exits 2 and names every problem: no command, a missing file, a bad config", () => {
    const missing = join(dir, "nope.json");
    const badConfig = write("bad-config.json", { rules: { "no-such-rule": { enforcement: "advisory" } } });

    const none = run();
    const both = run("check", "--config", badConfig, missing);

    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no command given");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`\`${missing}\` does not exist`);
    expect(both.stderr).toContain("no-such-rule");
  });

  it("exits 2 on a file that is neither a template nor Pulumi output, and on an unknown option", () => {
    const other = write("package.json", { name: "x", version: "1.0.0" });

    const notTemplate = run("check", other);
    const unknownOption = run("check", "--sarfi", "x.sarif", other);

    expect(notTemplate.code).toBe(2);
    expect(notTemplate.stderr).toContain("is not a CloudFormation template");
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("--sarfi");
  });

  it("prints its usage with --help and exits 0", () => {
    const { code, stdout } = run("--help");

    expect(stdout).toContain("Usage: lifeboat-policies check");
    expect(code).toBe(0);
  });
});
