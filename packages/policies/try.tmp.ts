import { readFileSync } from "node:fs";
import { factsFromPulumi, fromRecorded, evaluate, RULES, describeFinding } from "@lifeboat/policies";
const doc = JSON.parse(readFileSync("/tmp/aws.json", "utf8"));
for (const e of doc.examples) {
const res = e.resources.map(fromRecorded);
const ev = evaluate(factsFromPulumi(res), RULES);
console.log(e.name, ev.findings.map(describeFinding).join("\n") || "no findings");
}
