import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import { type DurationInput, planVaultKey, type VaultKeyPlan, vaultKeyPolicyStatements } from "../../core";
import { accountContext, policyJson } from "./account";

/** Arguments of a {@link VaultKey}. */
export interface VaultKeyArgs {
  /**
   * What the key protects, shown in the KMS console.
   * @default - "Lifeboat vault key <name>"
   */
  readonly description?: pulumi.Input<string>;
  /**
   * The key's alias.
   * @default "alias/lifeboat/<name>"
   */
  readonly alias?: pulumi.Input<string>;
  /**
   * AWS service principals allowed to encrypt and decrypt with the key on the account's behalf, such
   * as `cloudwatch.amazonaws.com` for alarms publishing to an encrypted topic.
   * @default - none: only IAM principals of the account, through their own policies
   */
  readonly services?: readonly string[];
  /**
   * How long KMS waits before deleting the key once deletion is scheduled (7 to 30 days).
   * @default 30 days
   */
  readonly deletionWindow?: DurationInput;
  /**
   * How often KMS rotates the key material (90 to 2560 days). Rotation is always on.
   * @default 365 days
   */
  readonly rotationPeriod?: DurationInput;
  /**
   * Refuse `pulumi destroy` and replacements of the key. Deleting a vault key makes every backup it
   * encrypted unreadable; set `false` only for throwaway stacks.
   * @default true
   */
  readonly protect?: boolean;
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
    const plan = planVaultKey(args, `VaultKey "${name}"`);
    super("lifeboat:aws:VaultKey", name, {}, opts);
    this.plan = plan;

    const { account, partition } = accountContext(this);
    this.key = new kms.Key(
      `${name}-key`,
      {
        description: args.description ?? `Lifeboat vault key ${name}`,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        rotationPeriodInDays: plan.rotationPeriodDays,
        deletionWindowInDays: plan.deletionWindowDays,
        policy: policyJson({ account, partition }, (v) => vaultKeyPolicyStatements({ ...v, services: plan.services })),
        ...(args.tags ? { tags: args.tags } : {}),
      },
      { parent: this, protect: args.protect ?? true },
    );
    this.alias = new kms.Alias(`${name}-alias`, { name: args.alias ?? `alias/lifeboat/${name}`, targetKeyId: this.key.keyId }, { parent: this });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.registerOutputs({ arn: this.arn, keyId: this.keyId, alias: this.alias.name });
  }
}
