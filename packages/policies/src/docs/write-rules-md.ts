// Writes packages/policies/RULES.md from the rules: `npm run rules-md -w packages/policies`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../rules";
import { renderRulesMarkdown } from "./rules-md";

writeFileSync(join(__dirname, "../../RULES.md"), renderRulesMarkdown(RULES));
