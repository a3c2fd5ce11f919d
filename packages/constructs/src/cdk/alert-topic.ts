import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { type AlertTopicArguments, type AlertTopicPlan, designAlertTopic } from "../core";
import { type KeyInput, keyOf, type VaultKey } from "./vault-key";

/** Properties of an {@link AlertTopic}: core's {@link AlertTopicArguments} (documented and defaulted there) with CDK values. */
export interface AlertTopicProps extends AlertTopicArguments<string, KeyInput> {}

/**
 * An SNS topic for backup alerts, encrypted with a customer managed key that CloudWatch alarms,
 * EventBridge and AWS Backup may use, a topic policy that lets those services publish for this
 * account only, and email and HTTPS subscriptions.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *
 * @example
 * const alerts = new AlertTopic(stack, "Alerts", { emails: ["oncall@example.com"] });
 */
export class AlertTopic extends Construct {
  /** The SNS topic (child id `Resource`). */
  readonly topic: sns.Topic;
  readonly topicArn: string;
  /** The key the topic created, when it created one. */
  readonly vaultKey?: VaultKey;
  readonly keyArn: string;
  readonly plan: AlertTopicPlan;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    const p = props ?? {};
    const design = designAlertTopic(id, p, `${Stack.of(scope).stackName}/${scope.node.path}`, `AlertTopic "${id}"`);
    super(scope, id);
    this.plan = { publishers: design.publishers };
    const key = keyOf(this, "Key", p.key, design.key ? { description: design.key.description, services: design.key.services } : {});
    if (key.created) this.vaultKey = key.created;
    this.keyArn = key.keyArn;

    this.topic = new sns.Topic(this, "Resource", { displayName: p.displayName ?? design.displayName, masterKey: key.key });
    this.topicArn = this.topic.topicArn;
    const stack = Stack.of(this);
    const statements = design.policyStatements({ topicArn: this.topicArn, partition: stack.partition, account: stack.account });
    new sns.TopicPolicy(this, "Policy", { topics: [this.topic], policyDocument: iam.PolicyDocument.fromJson({ Version: "2012-10-17", Statement: statements }) });

    const protocols = { email: sns.SubscriptionProtocol.EMAIL, https: sns.SubscriptionProtocol.HTTPS } as const;
    for (const subscription of design.subscriptions) {
      const endpoint = (subscription.protocol === "email" ? p.emails : p.httpsEndpoints)?.[subscription.index] as string;
      new sns.Subscription(this, `${protocols[subscription.protocol]}-${subscription.nameSuffix}`, { topic: this.topic, protocol: protocols[subscription.protocol], endpoint });
    }
  }
}
