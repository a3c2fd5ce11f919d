import type { Rule } from "../../engine/rule";

/** An alarm tells someone. */
export const cloudwatchAlarmActions: Rule = {
  id: "cloudwatch-alarm-actions",
  area: "cloudwatch",
  description: "CloudWatch metric alarms have actions enabled and at least one alarm action.",
  cause: "actionsEnabled false, or no alarmActions (CloudFormation: ActionsEnabled, AlarmActions).",
  explanation: "A backup-freshness alarm that notifies nobody is found out at restore time, when it is too late.",
  enforcement: "advisory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:cloudwatch/metricAlarm:MetricAlarm, AWS::CloudWatch::Alarm",
  check(facts) {
    return facts.alarms
      .filter((a) => !a.actionsEnabled || a.alarmActions.length === 0)
      .map((a) => ({
        subject: a,
        property: "alarmActions",
        message: a.actionsEnabled ? "The alarm has no alarm action: it notifies nobody." : "The alarm's actions are disabled.",
        actual: { actionsEnabled: a.actionsEnabled, alarmActions: a.alarmActions },
        fix: "Set alarmActions to an SNS topic that pages someone (Lifeboat: AlertTopic), and actionsEnabled true.",
      }));
  },
};
