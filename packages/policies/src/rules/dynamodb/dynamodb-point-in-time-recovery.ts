import type { Rule } from "../../engine/rule";

/** Tables can be restored to any second of the last 35 days. */
export const dynamodbPointInTimeRecovery: Rule = {
  id: "dynamodb-point-in-time-recovery",
  area: "dynamodb",
  description: "DynamoDB tables have point-in-time recovery enabled.",
  cause: "pointInTimeRecovery.enabled (CloudFormation: PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled) not true.",
  explanation: "Without point-in-time recovery a bad write or delete can only be undone from an on-demand backup, if one was taken; with it, any second of the recovery window can be restored.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:dynamodb/table:Table, AWS::DynamoDB::Table, AWS::DynamoDB::GlobalTable",
  check(facts) {
    return facts.tables
      .filter((t) => t.pointInTimeRecovery !== true)
      .map((t) => ({ subject: t, property: "pointInTimeRecovery", message: "Point-in-time recovery is off.", actual: t.pointInTimeRecovery ?? null, fix: "Set pointInTimeRecovery: { enabled: true } (CloudFormation: PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true)." }));
  },
};
