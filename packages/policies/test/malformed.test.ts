import { describe, expect, it } from "vitest";
import { evaluate, factsFromPulumi, factsFromTemplate, RULES } from "../src";
import { compliantStack } from "./fixtures/pulumi-stack";
import { compliantTemplate } from "./fixtures/template";

// Values of every shape a property could hold, including the engine's unknown sentinels.
const SHAPES: unknown[] = [null, undefined, 0, -1, 1.5, NaN, "", "x", "true", true, false, [], [null], [1, "a"], {}, { a: null }, [{}], [[[]]], "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "${?}", { "Fn::If": [] }];

function* mutations(properties: Record<string, unknown>): Generator<Record<string, unknown>> {
  for (const key of Object.keys(properties)) for (const shape of SHAPES) yield { ...properties, [key]: shape };
  for (const shape of SHAPES) yield { properties: shape } as Record<string, unknown>;
}

describe("malformed properties", () => {
  it("never make the Pulumi adapter or a rule throw", () => {
    const stack = compliantStack();
    let runs = 0;
    for (let i = 0; i < stack.length; i++) {
      for (const properties of mutations(stack[i]!.properties as Record<string, unknown>)) {
        const mutated = stack.map((r, j) => (j === i ? { ...r, properties } : r));
        const { findings } = evaluate(factsFromPulumi(mutated), RULES);
        // A rule that throws becomes a finding on `lifeboat:rule/<id>`; none may.
        expect(findings.filter((f) => f.resource.startsWith("lifeboat:rule/"))).toEqual([]);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(1000);
  });

  it("never make the CloudFormation adapter or a rule throw", () => {
    const template = compliantTemplate();
    for (const [id, resource] of Object.entries(template.Resources)) {
      for (const properties of mutations(resource.Properties ?? {})) {
        const mutated = { Resources: { ...template.Resources, [id]: { ...resource, Properties: properties } } };
        const { findings } = evaluate(factsFromTemplate(mutated), RULES);
        expect(findings.filter((f) => f.resource.startsWith("lifeboat:rule/"))).toEqual([]);
      }
    }
    for (const junk of [null, 1, "x", [], { Resources: null }, { Resources: { A: null, B: 1, C: { Type: 3 } } }]) {
      expect(() => evaluate(factsFromTemplate(junk as never), RULES)).not.toThrow();
    }
  });

  it("still reports the weakness a malformed value hides behind", () => {
    const stack = compliantStack().map((r) => (r.name === "backups-primary-versioning" ? { ...r, properties: { bucket: "backups-primary-0a1b2c3", versioningConfiguration: "Enabled" } } : r));
    expect(evaluate(factsFromPulumi(stack), RULES).findings.map((f) => f.ruleId)).toEqual(["s3-vault-versioning"]);
  });
});
