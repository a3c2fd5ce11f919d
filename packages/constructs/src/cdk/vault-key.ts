import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { designKey, type KeySettings, type VaultKeyPlan } from "../core";
import { cdkPolicyDocument } from "./policy";

/** Properties of a {@link VaultKey}: core's {@link KeySettings} (documented and defaulted there) with CDK values, and a removal policy instead of `protect`. */
export interface VaultKeyProps extends Omit<KeySettings<string>, "protect"> {
  /**
   * What happens to the key when it leaves the stack. Deleting a vault key makes every backup it
   * encrypted unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A symmetric customer managed KMS key for a vault, a topic or a job: rotation on, the longest
 * deletion window, an alias, and a key policy that lets the account administer it and the named AWS
 * services use it. Retained when removed from the stack.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk
 *
 * @example
 * const key = new VaultKey(stack, "AlertsKey", { services: ["cloudwatch.amazonaws.com"] });
 */
export class VaultKey extends Construct {
  /** The KMS key (child id `Resource`). */
  readonly key: kms.Key;
  readonly alias: kms.Alias;
  /** The key's ARN: what buckets, topics and IAM policies refer to. */
  readonly keyArn: string;
  readonly keyId: string;
  /** The validated settings. */
  readonly plan: VaultKeyPlan;

  constructor(scope: Construct, id: string, props: VaultKeyProps = {}) {
    const p = props ?? {};
    const retained = p.removalPolicy === undefined || p.removalPolicy === RemovalPolicy.RETAIN;
    // A stack's name is unique in its account and region: two stacks never ask for one alias.
    const design = designKey(id, { ...p, protect: retained }, `${Stack.of(scope).stackName}/${scope.node.path}`, `VaultKey "${id}"`);
    super(scope, id);
    this.plan = { rotationPeriodDays: design.rotationPeriodDays, deletionWindowDays: design.deletionWindowDays, services: design.services };
    const stack = Stack.of(this);
    this.key = new kms.Key(this, "Resource", {
      description: p.description ?? design.description,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: design.enableKeyRotation,
      rotationPeriod: Duration.days(design.rotationPeriodDays),
      pendingWindow: Duration.days(design.deletionWindowDays),
      policy: cdkPolicyDocument(design.policyStatements({ partition: stack.partition, account: stack.account })),
      removalPolicy: p.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.alias = new kms.Alias(this, "Alias", { aliasName: p.alias ?? (design.alias as string), targetKey: this.key });
    this.keyArn = this.key.keyArn;
    this.keyId = this.key.keyId;
  }
}

/** A key given as a {@link VaultKey}, an `IKey` or an ARN. */
export type KeyInput = VaultKey | kms.IKey | string;

/** The ARN of a key given as a VaultKey, an IKey or an ARN. */
export function keyArnOf(key: KeyInput): string {
  return key instanceof VaultKey ? key.keyArn : typeof key === "string" ? key : key.keyArn;
}

/** The ARN of a key given as an ARN, for validation (a VaultKey or an IKey is valid by construction). */
export function givenKeyArn(key: KeyInput | undefined): string | undefined {
  return typeof key === "string" ? key : undefined;
}

/**
 * The key a construct uses: the one given (a VaultKey, an IKey or an ARN), or a new VaultKey under
 * `scope` with id `id`, which is then returned as `created`.
 */
export function keyOf(scope: Construct, id: string, given: KeyInput | undefined, props: VaultKeyProps): { key: kms.IKey; keyArn: string; created?: VaultKey } {
  if (given === undefined) {
    const created = new VaultKey(scope, id, props);
    return { key: created.key, keyArn: created.keyArn, created };
  }
  if (given instanceof VaultKey) return { key: given.key, keyArn: given.keyArn };
  if (typeof given === "string") return { key: kms.Key.fromKeyArn(scope, `Given${id}`, given), keyArn: given };
  return { key: given, keyArn: given.keyArn };
}
