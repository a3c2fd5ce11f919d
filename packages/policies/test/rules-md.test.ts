import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderRulesMarkdown, RULES } from "../src";

describe("RULES.md", () => {
  it("is up to date with the rules (regenerate with `npm run rules-md -w packages/policies`)", () => {
    expect(readFileSync(join(__dirname, "../RULES.md"), "utf8")).toBe(renderRulesMarkdown(RULES));
  });
  it("lists every rule with its cause, explanation and settings", () => {
    const text = renderRulesMarkdown(RULES);
    for (const rule of RULES) {
      expect(text).toContain(`### ${rule.id}`);
      expect(text).toContain(rule.cause);
      expect(text).toContain(rule.explanation);
      for (const s of rule.settings) expect(text).toContain(`\`${s}\``);
    }
  });
});
