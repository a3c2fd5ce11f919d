import type { Rule, Violation } from "../../engine/rule";
import { copyLeavesRegion } from "../../facts";

/** When required, every AWS Backup rule copies to another region. */
export const backupPlanCrossRegionCopy: Rule = {
  id: "backup-plan-cross-region-copy",
  area: "backup",
  description: "With `requireCrossRegionBackups`, every AWS Backup plan rule copies its recovery points to a vault in another region (within `allowedRegions` when set).",
  cause:
    "A plan rule with no copy action, or whose copies all go to the plan's own region (a vault of the same template, or of the same stack through the same provider, is in the plan's region) or outside `allowedRegions`.",
  explanation: "Recovery points stay in the plan's region unless copied: a regional outage takes them with the resources they protect.",
  enforcement: "mandatory",
  settings: ["requireCrossRegionBackups", "allowedRegions"],
  scope: "resource",
  appliesTo: "aws:backup/plan:Plan, AWS::Backup::BackupPlan",
  check(facts, settings) {
    const out: Violation[] = [];
    for (const plan of facts.backupPlans) {
      for (const rule of plan.rules) {
        if (settings.requireCrossRegionBackups) {
          const elsewhere = rule.copies.filter((c) => copyLeavesRegion(c, plan.region));
          if (elsewhere.length === 0) {
            out.push({ subject: plan, property: "rules.copies", message: rule.copies.length === 0 ? `Rule "${rule.name}" copies recovery points nowhere.` : `Rule "${rule.name}" copies only within ${plan.region ?? "the plan's own region"}.`, actual: rule.copies.map((c) => c.destinationVaultArn ?? null), fix: "Add a copyAction whose destinationVaultArn is a vault in the DR region." });
          }
        }
        if (settings.allowedRegions) {
          for (const c of rule.copies) {
            if (c.destinationRegion && !settings.allowedRegions.includes(c.destinationRegion)) {
              out.push({ subject: plan, property: "rules.copies", message: `Rule "${rule.name}" copies to ${c.destinationRegion}, which is not an allowed region (${settings.allowedRegions.join(", ")}).`, actual: c.destinationVaultArn ?? c.destinationRegion, fix: `Copy to a vault in ${settings.allowedRegions.join(", ")}.` });
            }
          }
        }
      }
    }
    return out;
  },
};
