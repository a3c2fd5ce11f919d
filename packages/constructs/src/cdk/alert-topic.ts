import { createHash } from "node:crypto";
import { Stack, Token } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { alertTopicPolicyStatements, type AlertTopicPlan, type AlertTopicSettings, planAlertTopic } from "../core";
import { givenKeyArn, type KeyInput, keyOf, type VaultKey } from "./vault-key";

/** Properties of an {@link AlertTopic}. */
export interface AlertTopicProps extends Omit<AlertTopicSettings, "keyArn" | "emails" | "httpsEndpoints"> {
  /**
   * Addresses that receive every alert by email (each must confirm the subscription once).
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * `https://` endpoints (a pager or chat integration) that receive every alert.
   * @default - none
   */
  readonly httpsEndpoints?: readonly string[];
  /**
   * The key that encrypts the topic; it must let the publishers use it.
   * @default - a new VaultKey (child `Key`) usable by the publishers
   */
  readonly key?: KeyInput;
  /** @default - the construct's id */
  readonly displayName?: string;
}

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
    const plan = planAlertTopic(
      { ...(props.emails ? { emails: props.emails } : {}), ...(props.httpsEndpoints ? { httpsEndpoints: props.httpsEndpoints } : {}), ...(props.publishers ? { publishers: props.publishers } : {}), keyArn: givenKeyArn(props.key) },
      `AlertTopic "${id}"`,
    );
    super(scope, id);
    this.plan = plan;
    const key = keyOf(this, "Key", props.key, { description: `Lifeboat alert topic ${id}`, services: plan.publishers });
    if (key.created) this.vaultKey = key.created;
    const masterKey = key.key;
    this.keyArn = key.keyArn;

    this.topic = new sns.Topic(this, "Resource", { displayName: props.displayName ?? id, masterKey });
    this.topicArn = this.topic.topicArn;
    const stack = Stack.of(this);
    const statements = alertTopicPolicyStatements({ topicArn: this.topicArn, partition: stack.partition, account: stack.account, publishers: plan.publishers });
    new sns.TopicPolicy(this, "Policy", { topics: [this.topic], policyDocument: iam.PolicyDocument.fromJson({ Version: "2012-10-17", Statement: statements }) });

    const subscribe = (protocol: sns.SubscriptionProtocol, endpoint: string, index: number) => {
      // Named after the endpoint, not its position: reordering the list must not replace subscriptions.
      const suffix = Token.isUnresolved(endpoint) ? String(index) : createHash("sha256").update(endpoint).digest("hex").slice(0, 8);
      new sns.Subscription(this, `${protocol}-${suffix}`, { topic: this.topic, protocol, endpoint });
    };
    (props.emails ?? []).forEach((e, i) => subscribe(sns.SubscriptionProtocol.EMAIL, e, i));
    (props.httpsEndpoints ?? []).forEach((u, i) => subscribe(sns.SubscriptionProtocol.HTTPS, u, i));
  }
}
