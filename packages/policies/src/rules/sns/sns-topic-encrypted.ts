import { isAwsManagedKey } from "../../adapters/keys";
import type { Rule, Violation } from "../../engine/rule";

/** Topics are encrypted with a customer managed key alarms can use. */
export const snsTopicEncrypted: Rule = {
  id: "sns-topic-encrypted",
  area: "sns",
  description: "SNS topics are encrypted with a customer managed KMS key.",
  cause: "No kmsMasterKeyId (CloudFormation: KmsMasterKeyId), or the AWS managed alias/aws/sns key.",
  explanation:
    "Alert messages name buckets, databases and failures: they are encrypted at rest like the rest of the estate. The AWS managed key's policy cannot be changed, so CloudWatch alarms and EventBridge cannot publish to a topic that uses it: alerts would be dropped silently.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:sns/topic:Topic, AWS::SNS::Topic",
  check(facts) {
    return facts.topics.flatMap((t): Violation[] => {
      if (!t.kmsKeyId) return [{ subject: t, property: "kmsKeyId", message: "The topic is not encrypted.", actual: null, fix: "Set kmsMasterKeyId to a customer managed key whose policy lets the publishers use it (Lifeboat: AlertTopic)." }];
      if (isAwsManagedKey(t.kmsKeyId)) return [{ subject: t, property: "kmsKeyId", message: `The topic uses the AWS managed key ${t.kmsKeyId}, which CloudWatch alarms cannot publish with.`, actual: t.kmsKeyId, fix: "Use a customer managed key whose policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*." }];
      return [];
    });
  },
};
