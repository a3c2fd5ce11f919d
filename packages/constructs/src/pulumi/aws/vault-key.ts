import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import { designKey, type KeySettings, type VaultKeyPlan } from "../../core";
import { deploymentScope } from "./deployment-scope";
import { accountContext, policyJson } from "./account";

/** Arguments of a {@link VaultKey}: core's {@link KeySettings} (documented and defaulted there), with Pulumi values. */
export interface VaultKeyArgs extends KeySettings<pulumi.Input<string>> {
  /** @default - none */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A symmetric customer-managed KMS key for a vault or an alert topic: rotation on, the longest
 * deletion window, an alias, and a key policy that lets the account administer it and the named AWS
 * services use it.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk
 *
 * @example
 * const key = new VaultKey("alerts", { services: ["cloudwatch.amazonaws.com"] });
 */
export class VaultKey extends pulumi.ComponentResource {
  /** The KMS key. */
  readonly key: kms.Key;
  readonly alias: kms.Alias;
  /** The key's ARN: what buckets, topics and IAM policies refer to. */
  readonly arn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  /** The validated settings. */
  readonly plan: VaultKeyPlan;

  constructor(name: string, args: VaultKeyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const a = args ?? {};
    const design = designKey(name, a, deploymentScope(), `VaultKey "${name}"`);
    super("lifeboat:aws:VaultKey", name, {}, opts);
    this.plan = { rotationPeriodDays: design.rotationPeriodDays, deletionWindowDays: design.deletionWindowDays, services: design.services } as VaultKeyPlan;

    const { account, partition } = accountContext(this);
    this.key = new kms.Key(
      `${name}-key`,
      {
        description: a.description ?? design.description,
        keyUsage: design.keyUsage,
        customerMasterKeySpec: design.keySpec,
        enableKeyRotation: design.enableKeyRotation,
        rotationPeriodInDays: design.rotationPeriodDays,
        deletionWindowInDays: design.deletionWindowDays,
        policy: policyJson({ account, partition }, (v) => design.policyStatements(v)),
        ...(a.tags ? { tags: a.tags } : {}),
      },
      { parent: this, protect: design.retain },
    );
    this.alias = new kms.Alias(`${name}-alias`, { name: a.alias ?? (design.alias as string), targetKeyId: this.key.keyId }, { parent: this });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.registerOutputs({ arn: this.arn, keyId: this.keyId, alias: this.alias.name });
  }
}
