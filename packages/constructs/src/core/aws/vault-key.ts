import { checkKmsAlias, checkServicePrincipal } from "./aws-names";
import { knownString } from "../deploy-time";
import { checkDays, type DurationInput } from "../duration";
import { Problems } from "../errors";

/** The engine-neutral settings of a vault key (see {@link KeySettings} for every front end's arguments). */
export interface VaultKeySettings {
  /** The key's alias, checked when known now. @default - one unique to the deployment */
  readonly alias?: unknown;
  /** Service principals that may use the key. @default - none */
  readonly services?: readonly string[];
  /**
   * How long KMS waits before deleting the key once deletion is scheduled: 7 to 30 days, time to
   * notice a mistake.
   * @default 30 days
   */
  readonly deletionWindow?: DurationInput;
  /**
   * How often KMS rotates the key material: 90 to 2,560 days.
   * @default 365 days
   */
  readonly rotationPeriod?: DurationInput;
}

export interface VaultKeyPlan {
  readonly services: readonly string[];
  readonly deletionWindowDays: number;
  readonly rotationPeriodDays: number;
}

/** KMS waits this long before deleting a key, the longest it allows: time to notice a mistake. */
export const DEFAULT_KEY_DELETION_WINDOW_DAYS = 30;
/** Automatic rotation yearly, the KMS default period. */
export const DEFAULT_KEY_ROTATION_DAYS = 365;

/**
 * Validates a vault key's settings: an alias KMS accepts, service principals, a deletion window of
 * 7 to 30 days and a rotation period of 90 to 2560 days (the ranges KMS allows).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
 */
export function checkVaultKey(settings: VaultKeySettings, problems: Problems, path = ""): VaultKeyPlan | undefined {
  const before = problems.all.length;
  const alias = knownString(settings.alias);
  if (alias !== undefined) checkKmsAlias(alias, `${path}alias`, problems);
  const services = [...new Set(settings.services ?? [])];
  services.forEach((s, i) => checkServicePrincipal(s, `${path}services[${i}]`, problems));
  const deletionWindowDays = checkDays(settings.deletionWindow ?? `${DEFAULT_KEY_DELETION_WINDOW_DAYS}d`, `${path}deletionWindow`, problems, {
    min: 7,
    max: 30,
    why: "KMS waits 7 to 30 days before deleting a key",
  });
  const rotationPeriodDays = checkDays(settings.rotationPeriod ?? `${DEFAULT_KEY_ROTATION_DAYS}d`, `${path}rotationPeriod`, problems, {
    min: 90,
    max: 2560,
    why: "KMS rotates keys every 90 to 2560 days",
  });
  if (problems.all.length > before || deletionWindowDays === undefined || rotationPeriodDays === undefined) return undefined;
  return { services, deletionWindowDays, rotationPeriodDays };
}

export function planVaultKey(settings: VaultKeySettings, subject: string): VaultKeyPlan {
  const problems = new Problems();
  const plan = checkVaultKey(settings, problems);
  problems.throwIfAny(subject);
  return plan as VaultKeyPlan;
}
