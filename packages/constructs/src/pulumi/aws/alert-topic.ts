import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as sns from "@pulumi/aws/sns";
import { alertTopicPolicyStatements, type AlertTopicPlan, knownString, planAlertTopic } from "../../core";
import { accountContext, policyJson } from "./account";
import { VaultKey } from "./vault-key";

/** Arguments of an {@link AlertTopic}. */
export interface AlertTopicArgs {
  /** Addresses that receive every alert by email (each must confirm the subscription once). */
  readonly emails?: readonly pulumi.Input<string>[];
  /** `https://` endpoints (a pager or chat integration) that receive every alert. */
  readonly httpsEndpoints?: readonly pulumi.Input<string>[];
  /**
   * The key that encrypts the topic. A key passed in must let the publishers use it
   * (`kms:Decrypt`, `kms:GenerateDataKey*`); the AWS managed `alias/aws/sns` key does not let
   * CloudWatch alarms publish, so it is refused.
   * @default - a new VaultKey named `<name>-key` usable by the publishers
   */
  readonly key?: VaultKey | pulumi.Input<string>;
  /**
   * Service principals allowed to publish, only on behalf of this account.
   * @default - CloudWatch alarms, EventBridge and AWS Backup
   */
  readonly publishers?: readonly string[];
  /** @default - the component's name */
  readonly displayName?: pulumi.Input<string>;
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
    const plan = planAlertTopic(
      { emails: args.emails, httpsEndpoints: args.httpsEndpoints, publishers: args.publishers, keyArn: args.key instanceof VaultKey ? undefined : args.key },
      `AlertTopic "${name}"`,
    );
    super("lifeboat:aws:AlertTopic", name, {}, opts);
    this.plan = plan;

    if (args.key instanceof VaultKey) {
      this.keyArn = args.key.arn;
    } else if (args.key !== undefined) {
      this.keyArn = pulumi.output(args.key);
    } else {
      this.vaultKey = new VaultKey(
        `${name}-key`,
        { description: `Lifeboat alert topic ${name}`, services: plan.publishers, ...(args.tags ? { tags: args.tags } : {}) },
        { parent: this },
      );
      this.keyArn = this.vaultKey.arn;
    }

    this.topic = new sns.Topic(
      `${name}-topic`,
      { displayName: args.displayName ?? name, kmsMasterKeyId: this.keyArn, ...(args.tags ? { tags: args.tags } : {}) },
      { parent: this },
    );
    this.arn = this.topic.arn;
    const { account, partition } = accountContext(this);
    this.topicPolicy = new sns.TopicPolicy(
      `${name}-policy`,
      { arn: this.topic.arn, policy: policyJson({ topicArn: this.topic.arn, account, partition }, (v) => alertTopicPolicyStatements({ ...v, publishers: plan.publishers })) },
      { parent: this },
    );

    const subscribe = (protocol: "email" | "https", endpoint: pulumi.Input<string>, index: number) => {
      // Named after the endpoint, not its position: reordering the list must not replace subscriptions.
      const known = knownString(endpoint);
      const suffix = known !== undefined ? createHash("sha256").update(known).digest("hex").slice(0, 8) : String(index);
      this.subscriptions.push(new sns.TopicSubscription(`${name}-${protocol}-${suffix}`, { topic: this.topic.arn, protocol, endpoint }, { parent: this }));
    };
    (args.emails ?? []).forEach((e, i) => subscribe("email", e, i));
    (args.httpsEndpoints ?? []).forEach((u, i) => subscribe("https", u, i));

    this.registerOutputs({ arn: this.arn, keyArn: this.keyArn });
  }
}
