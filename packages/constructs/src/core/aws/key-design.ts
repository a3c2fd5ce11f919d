import { knownString } from "../deploy-time";
import { Problems } from "../errors";
import type { PolicyStatement } from "./iam";
import { vaultKeyPolicyStatements } from "./key-policy";
import { KMS_ALIAS_RULE, uniquePhysicalName } from "./physical-names";
import { checkVaultKey, type VaultKeySettings } from "./vault-key";

/**
 * The arguments of a customer managed key, declared once for every front end. `S` is the front end's
 * string (a Pulumi `Input`, a CDK token); core checks the values known now and skips the rest.
 */
export interface KeySettings<S = unknown> extends VaultKeySettings {
  /**
   * What the key protects, shown in the KMS console.
   * @default - "Lifeboat vault key <name>"
   */
  readonly description?: S;
  /**
   * The key's alias.
   * @default "alias/lifeboat/<name>-<suffix of the deployment scope (the Pulumi project and stack, the CDK stack)>", unique in the account and region
   */
  readonly alias?: S;
  /**
   * AWS service principals allowed to encrypt and decrypt with the key on the account's behalf, such
   * as `cloudwatch.amazonaws.com` for alarms publishing to an encrypted topic.
   * @default - none: only IAM principals of the account, through their own policies
   */
  readonly services?: readonly string[];
  /**
   * Refuse deletion and replacement of the key (Pulumi `protect`, CDK `RemovalPolicy.RETAIN`).
   * Deleting a vault key makes every backup it encrypted unreadable.
   * @default true
   */
  readonly protect?: boolean;
}

/** Everything about one customer managed key, for a front end to render. */
export interface KeyDesign {
  readonly description: string;
  /** The alias, unless the front end was given one known only at deploy time. */
  readonly alias?: string;
  readonly keyUsage: "ENCRYPT_DECRYPT";
  readonly keySpec: "SYMMETRIC_DEFAULT";
  readonly enableKeyRotation: true;
  readonly rotationPeriodDays: number;
  readonly deletionWindowDays: number;
  readonly services: readonly string[];
  /** Protect from deletion (Pulumi `protect`) / retain on delete (CDK `RemovalPolicy.RETAIN`). */
  readonly retain: boolean;
  /** The key policy, given the account and partition it is deployed in. */
  readonly policyStatements: (ids: { readonly account: string; readonly partition: string }) => PolicyStatement[];
}

/**
 * Designs a customer managed key: symmetric, rotation on, the longest deletion window, an alias unique
 * to the deployment, a policy that lets the account administer it and the named services use it.
 * Records problems under `path` and returns `undefined` when there is one.
 */
export function checkKeyDesign(name: string, settings: KeySettings, scope: string, problems: Problems, path = ""): KeyDesign | undefined {
  const plan = checkVaultKey(settings, problems, path);
  if (!plan) return undefined;
  const alias = settings.alias === undefined ? `alias/lifeboat/${uniquePhysicalName([name], scope, KMS_ALIAS_RULE)}` : knownString(settings.alias);
  return {
    description: knownString(settings.description) ?? `Lifeboat vault key ${name}`,
    ...(alias !== undefined ? { alias } : {}),
    keyUsage: "ENCRYPT_DECRYPT",
    keySpec: "SYMMETRIC_DEFAULT",
    enableKeyRotation: true,
    rotationPeriodDays: plan.rotationPeriodDays,
    deletionWindowDays: plan.deletionWindowDays,
    services: plan.services,
    retain: settings.protect ?? true,
    policyStatements: (ids) => vaultKeyPolicyStatements({ ...ids, services: plan.services }),
  };
}

/** Designs a key, or throws every problem at once. */
export function designKey(name: string, settings: KeySettings, scope: string, subject: string): KeyDesign {
  const problems = new Problems();
  const design = checkKeyDesign(name, settings, scope, problems);
  problems.throwIfAny(subject);
  return design as KeyDesign;
}

/**
 * A key a component was given, or the design of the one it creates: the one rule for "use the given
 * key or create one". `K` is the front end's key type (a Pulumi Input, a CDK `IKey`).
 */
export type KeyChoice<K> = { readonly given: K } | { readonly create: KeyDesign };

/** The choice for `given` (any value but `undefined`), else a key created from `create()`. */
export function chooseKey<K>(given: K | undefined, create: () => KeyDesign): KeyChoice<K> {
  return given !== undefined ? { given } : { create: create() };
}
