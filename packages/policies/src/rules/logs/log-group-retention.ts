import type { Rule, Violation } from "../../engine/rule";
import { days } from "../support/vaults";

/** Log groups keep events for a set time, not forever. */
export const logGroupRetention: Rule = {
  id: "log-group-retention",
  area: "logs",
  description: "CloudWatch log groups have a retention of at least `minimumLogRetentionDays`, not \"never expire\".",
  cause: "retentionInDays (CloudFormation: RetentionInDays) unset or 0 (kept forever), or below `minimumLogRetentionDays`.",
  explanation: "Backup and restore job logs are the evidence that backups ran; kept forever they grow without bound and may hold data that must not be kept indefinitely.",
  enforcement: "advisory",
  settings: ["minimumLogRetentionDays"],
  scope: "resource",
  appliesTo: "aws:cloudwatch/logGroup:LogGroup, AWS::Logs::LogGroup",
  check(facts, settings) {
    return facts.logGroups.flatMap((g): Violation[] => {
      if (!g.retentionDays) return [{ subject: g, property: "retentionDays", message: "The log group keeps events forever.", actual: g.retentionDays ?? null, fix: "Set retentionInDays (for example 30 or 90)." }];
      if (g.retentionDays < settings.minimumLogRetentionDays) return [{ subject: g, property: "retentionDays", message: `Events are kept ${days(g.retentionDays)}, less than the required ${days(settings.minimumLogRetentionDays)}.`, actual: g.retentionDays, fix: `Set retentionInDays to at least ${settings.minimumLogRetentionDays}.` }];
      return [];
    });
  },
};
