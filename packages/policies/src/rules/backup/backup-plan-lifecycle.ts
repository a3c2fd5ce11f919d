import type { BackupLifecycleFact } from "../../facts";
import type { Rule, Violation } from "../../engine/rule";
import { days } from "../support/vaults";

/** AWS Backup lifecycles are ones AWS Backup accepts. */
export const backupPlanLifecycle: Rule = {
  id: "backup-plan-lifecycle",
  area: "backup",
  description: "AWS Backup plan rules and their copies delete recovery points at least 90 days after moving them to cold storage; continuous backups keep at most 35 days and never go cold.",
  cause: "deleteAfter < coldStorageAfter + 90 days in a rule or a copy action; or enableContinuousBackup with deleteAfter over 35 days or a coldStorageAfter.",
  explanation: "AWS Backup refuses these lifecycles (cold storage bills 90 days minimum; point-in-time recovery is limited to 35 days), so the plan fails at deploy or its backups are not what it says.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:backup/plan:Plan, AWS::Backup::BackupPlan",
  check(facts) {
    const out: Violation[] = [];
    for (const plan of facts.backupPlans) {
      for (const rule of plan.rules) {
        const judge = (l: BackupLifecycleFact | undefined, where: string) => {
          if (l?.coldStorageAfterDays !== undefined && l.deleteAfterDays !== undefined && l.deleteAfterDays < l.coldStorageAfterDays + 90) {
            out.push({ subject: plan, property: "rules", message: `${where} deletes after ${days(l.deleteAfterDays)}, less than cold storage (${days(l.coldStorageAfterDays)}) + 90 days.`, actual: l, fix: `Set deleteAfter to at least ${l.coldStorageAfterDays + 90}, or remove coldStorageAfter.` });
          }
        };
        judge(rule.lifecycle, `Rule "${rule.name}"`);
        rule.copies.forEach((c, i) => judge(c.lifecycle, `Copy ${i + 1} of rule "${rule.name}"`));
        if (rule.continuous && ((rule.lifecycle?.deleteAfterDays ?? 35) > 35 || rule.lifecycle?.coldStorageAfterDays !== undefined)) {
          out.push({ subject: plan, property: "rules", message: `Rule "${rule.name}" is continuous but keeps ${rule.lifecycle?.deleteAfterDays ? days(rule.lifecycle.deleteAfterDays) : "forever"}${rule.lifecycle?.coldStorageAfterDays !== undefined ? " and moves to cold storage" : ""}.`, actual: rule.lifecycle ?? null, fix: "Keep continuous backups at most 35 days with no cold storage; use a separate snapshot rule for longer retention." });
        }
      }
    }
    return out;
  },
};
