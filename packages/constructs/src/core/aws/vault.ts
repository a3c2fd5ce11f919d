import { checkBucketName, checkKmsKeyArn, checkPrefix, checkRegion } from "./aws-names";
import { knownString } from "../deploy-time";
import { Problems } from "../errors";
import { type LifecycleRule, lifecycleRules } from "./lifecycle";
import { checkObjectLock, type ObjectLock, type ObjectLockArgs } from "./object-lock";
import { vaultReplicationRule, type ReplicationRule } from "./replication";
import { checkReplicaRetention, checkRetention, type Retention, type RetentionArgs } from "../retention";

/** The tag that marks a bucket as a backup vault, for policy packs, whatever its name. */
export const VAULT_TAG_KEY = "lifeboat:vault";

/** The engine-neutral settings of a vault; values not known until deploy time are skipped. */
export interface VaultSettings {
  readonly retention?: RetentionArgs;
  readonly objectLock?: ObjectLockArgs;
  /** A physical bucket name, when the user chose one. */
  readonly bucketName?: unknown;
  /** The ARN of an existing key, when the user passes one instead of letting the vault create it. */
  readonly keyArn?: unknown;
  readonly accessLogs?: { readonly bucket?: unknown; readonly prefix?: string };
}

/** Everything decided about a vault before resources are created. */
export interface VaultPlan {
  readonly retention: Retention;
  readonly lifecycleRules: readonly LifecycleRule[];
  readonly objectLock?: ObjectLock;
  readonly accessLogPrefix?: string;
}

/**
 * Validates a vault's settings, recording problems with argument names under `path` (`""` or
 * `"replica."`). A vault without retention of its own takes `inherited` (already validated) when given.
 */
export function checkVault(settings: VaultSettings, problems: Problems, path = "", inherited?: Retention): VaultPlan | undefined {
  const before = problems.all.length;
  const retention = settings.retention === undefined && inherited ? inherited : checkRetention(settings.retention, `${path}retention`, problems);
  const objectLock = checkObjectLock(settings.objectLock, retention, `${path}objectLock`, problems);
  const bucketName = knownString(settings.bucketName);
  if (bucketName !== undefined) checkBucketName(bucketName, `${path}bucketName`, problems);
  const keyArn = knownString(settings.keyArn);
  if (keyArn !== undefined) checkKmsKeyArn(keyArn, `${path}key`, problems);
  let accessLogPrefix: string | undefined;
  if (settings.accessLogs) {
    const target = knownString(settings.accessLogs.bucket);
    if (target !== undefined) checkBucketName(target, `${path}accessLogs.bucket`, problems);
    if (target !== undefined && target === bucketName) {
      problems.add(`${path}accessLogs.bucket`, target, "must not be the vault itself: logging a bucket into itself writes a log for every log. Use a separate log bucket.");
    }
    accessLogPrefix = checkPrefix(settings.accessLogs.prefix ?? "s3-access-logs/", `${path}accessLogs.prefix`, problems);
  }
  if (problems.all.length > before || !retention) return undefined;
  return {
    retention,
    lifecycleRules: lifecycleRules(retention),
    ...(objectLock ? { objectLock } : {}),
    ...(accessLogPrefix !== undefined ? { accessLogPrefix } : {}),
  };
}

/** Validates a vault's settings and returns its plan, or throws every problem at once. */
export function planVault(settings: VaultSettings, subject: string): VaultPlan {
  const problems = new Problems();
  const plan = checkVault(settings, problems);
  problems.throwIfAny(subject);
  return plan as VaultPlan;
}

/** The settings of a replicated vault: the primary's, and what differs for the replica. */
export interface ReplicatedVaultSettings extends VaultSettings {
  /** The primary's region when known now (from config or an explicit argument). */
  readonly primaryRegion?: string;
  readonly replica: Omit<VaultSettings, "objectLock"> & {
    readonly region: string;
    /** `false` asks explicitly for an unlocked replica. @default - the primary's Object Lock */
    readonly objectLock?: ObjectLockArgs | false;
  };
  /** @default false */
  readonly replicateDeleteMarkers?: boolean;
}

export interface ReplicatedVaultPlan {
  readonly primary: VaultPlan;
  readonly replica: VaultPlan;
  readonly replicaRegion: string;
  readonly rule: ReplicationRule;
}

/**
 * Validates a replicated vault: two valid, different regions; a replica at least as long-lived as
 * the primary; a locked primary only with a locked replica (S3 refuses to replicate into an unlocked
 * bucket from a locked one, and the copy must be as tamper-proof as the original).
 */
export function planReplicatedVault(settings: ReplicatedVaultSettings, subject: string): ReplicatedVaultPlan {
  const problems = new Problems();
  const primary = checkVault(settings, problems);
  const replicaRegion = settings.replica.region;
  if (checkRegion(replicaRegion, "replica.region", problems) && settings.primaryRegion !== undefined && checkRegion(settings.primaryRegion, "primaryRegion", problems)) {
    if (replicaRegion === settings.primaryRegion) {
      problems.add("replica.region", replicaRegion, `must differ from the primary's region (${settings.primaryRegion}): a copy in the same region does not survive a regional outage. Choose another region, such as ${replicaRegion.startsWith("us-west") ? "us-east-2" : "us-west-2"}.`);
    }
  }
  const replicaLock = settings.replica.objectLock === false ? undefined : (settings.replica.objectLock ?? settings.objectLock);
  if (settings.objectLock && !replicaLock) {
    problems.add("replica.objectLock", settings.replica.objectLock, "must be set because the primary uses Object Lock: S3 cannot replicate locked objects into an unlocked bucket, and an unlocked copy could be deleted. Give the replica an Object Lock too.");
  }
  const { objectLock: _replicaLockArgument, region: _region, ...replicaSettings } = settings.replica;
  // A replica without retention of its own keeps the primary's, whose problems are already reported
  // (when the primary's is invalid, the defaults stand in so they are not reported twice).
  const replica = checkVault(
    { ...replicaSettings, ...(replicaLock ? { objectLock: replicaLock } : {}) },
    problems,
    "replica.",
    settings.replica.retention === undefined ? (primary?.retention ?? checkRetention(undefined, "replica.retention", problems)) : undefined,
  );
  if (primary && replica) checkReplicaRetention(primary.retention, replica.retention, "replica.retention", problems);
  problems.throwIfAny(subject);
  return {
    primary: primary as VaultPlan,
    replica: replica as VaultPlan,
    replicaRegion,
    rule: vaultReplicationRule({ replicateDeleteMarkers: settings.replicateDeleteMarkers ?? false }),
  };
}
