import * as pulumi from "@pulumi/pulumi";
import * as sns from "@pulumi/aws/sns";
import { type AlertTopicArguments, type AlertTopicPlan, designAlertTopic } from "../../core";
import { accountContext, policyJson } from "./account";
import { deploymentScope } from "./deployment-scope";
import { VaultKey } from "./vault-key";

/** Arguments of an {@link AlertTopic}: core's {@link AlertTopicArguments} (documented and defaulted there) with Pulumi values. */
export interface AlertTopicArgs extends AlertTopicArguments<pulumi.Input<string>, VaultKey | pulumi.Input<string>> {
  /** @default - none */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * An SNS topic for backup alerts, encrypted with a customer managed key that CloudWatch alarms,
 * EventBridge and AWS Backup may use, a topic policy that lets those services publish for this
 * account only, and email and HTTPS subscriptions.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *
 * @example
 * const alerts = new AlertTopic("alerts", { emails: ["oncall@example.com"] });
 */
export class AlertTopic extends pulumi.ComponentResource {
  readonly topic: sns.Topic;
  readonly arn: pulumi.Output<string>;
  /** The key the topic created, when it created one. */
  readonly vaultKey?: VaultKey;
  readonly keyArn: pulumi.Output<string>;
  readonly topicPolicy: sns.TopicPolicy;
  readonly subscriptions: sns.TopicSubscription[] = [];
  readonly plan: AlertTopicPlan;

  constructor(name: string, args: AlertTopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const a = args ?? {};
    const design = designAlertTopic(name, a, deploymentScope(), `AlertTopic "${name}"`);
    super("lifeboat:aws:AlertTopic", name, {}, opts);
    this.plan = { publishers: design.publishers };
    const tags = a.tags ? { tags: a.tags } : {};

    if (design.key) {
      this.vaultKey = new VaultKey(`${name}-key`, { description: design.key.description, services: design.key.services, ...tags }, { parent: this });
      this.keyArn = this.vaultKey.arn;
    } else {
      this.keyArn = a.key instanceof VaultKey ? a.key.arn : pulumi.output(a.key as pulumi.Input<string>);
    }

    this.topic = new sns.Topic(`${name}-topic`, { displayName: a.displayName ?? design.displayName, kmsMasterKeyId: this.keyArn, ...tags }, { parent: this });
    this.arn = this.topic.arn;
    const { account, partition } = accountContext(this);
    this.topicPolicy = new sns.TopicPolicy(
      `${name}-policy`,
      { arn: this.topic.arn, policy: policyJson({ topicArn: this.topic.arn, account, partition }, design.policyStatements) },
      { parent: this },
    );

    for (const subscription of design.subscriptions) {
      const endpoint = (subscription.protocol === "email" ? a.emails : a.httpsEndpoints)?.[subscription.index] as pulumi.Input<string>;
      this.subscriptions.push(
        new sns.TopicSubscription(`${name}-${subscription.protocol}-${subscription.nameSuffix}`, { topic: this.topic.arn, protocol: subscription.protocol, endpoint }, { parent: this }),
      );
    }

    this.registerOutputs({ arn: this.arn, keyArn: this.keyArn });
  }
}
