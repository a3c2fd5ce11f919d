import type { PolicyStatement } from "./iam";

/** The services that raise Lifeboat's alerts: CloudWatch alarms, EventBridge rules, AWS Backup vault events. */
export const ALERT_PUBLISHERS: readonly string[] = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com"];

/**
 * An alert topic's policy: the account manages the topic, and the named services may publish to it
 * only on behalf of this account (`aws:SourceAccount`, against the confused deputy).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
export function alertTopicPolicyStatements(args: { topicArn: string; partition: string; account: string; publishers: readonly string[] }): PolicyStatement[] {
  return [
    {
      Sid: "AccountManagesTopic",
      Effect: "Allow",
      Principal: { AWS: `arn:${args.partition}:iam::${args.account}:root` },
      Action: [
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:AddPermission",
        "sns:RemovePermission",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:ListSubscriptionsByTopic",
        "sns:Publish",
      ],
      Resource: [args.topicArn],
    },
    {
      Sid: "ServicesPublishAlerts",
      Effect: "Allow",
      Principal: { Service: [...args.publishers] },
      Action: ["sns:Publish"],
      Resource: [args.topicArn],
      Condition: { StringEquals: { "aws:SourceAccount": args.account } },
    },
  ];
}
