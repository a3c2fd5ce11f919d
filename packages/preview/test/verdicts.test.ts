import { describe, expect, it } from "vitest";
import { RULES } from "@lifeboat/policies";
import type { ExampleRun } from "../src/run-examples";
import type { RecordedResource } from "@lifeboat/constructs/testing";
import { renderVerdict, verdictOf } from "../src/verdicts";

const bucket = (name: string, extra: Partial<RecordedResource> = {}): RecordedResource => ({
  urn: `urn:pulumi:dev::p::aws:s3/bucket:Bucket::${name}`,
  type: "aws:s3/bucket:Bucket",
  name,
  custom: true,
  dependencies: [],
  propertyDependencies: {},
  protect: false,
  inputs: {},
  outputs: { bucket: name, region: "us-east-1" },
  ...extra,
});
const run = (resources: RecordedResource[]): ExampleRun => ({ example: { name: "x", dir: "/x", entry: "/x/index.ts", project: "p", stack: "dev", config: {} }, stack: { resources, outputs: {} } });

describe("policy verdicts of an example", () => {
  it("lists each finding of the recorded stack with its rule, resource and fix", () => {
    const verdict = verdictOf(run([bucket("db-backups")]));
    expect(verdict?.findings.map((f) => [f.ruleId, f.resourceName])).toEqual([
      ["s3-vault-versioning", "db-backups"],
      ["s3-bucket-kms-encryption", "db-backups"],
      ["s3-bucket-public-access-block", "db-backups"],
      ["s3-vault-tls-only", "db-backups"],
      ["s3-vault-replication", "db-backups"],
    ]);
    const text = renderVerdict(run([bucket("db-backups")]));
    expect(text).toContain(`Policy verdicts (lifeboat-dr, ${RULES.length} rules): 5 finding(s), 5 blocking.`);
    expect(text).toContain("[mandatory] s3-vault-versioning  db-backups (aws:s3/bucket:Bucket): Versioning is not configured on this backup vault. Fix:");
  });

  it("says so when there is nothing to report, and nothing for an example that failed", () => {
    expect(renderVerdict(run([]))).toBe(`\n  Policy verdicts (lifeboat-dr, ${RULES.length} rules): no findings.`);
    expect(renderVerdict({ ...run([]), stack: undefined, error: "boom" } as ExampleRun)).toBe("");
  });
});
