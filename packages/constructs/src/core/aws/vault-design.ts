import { crossRegionMismatch } from "./cross-region";
import { createHash } from "node:crypto";
import { knownString } from "../deploy-time";
import { Problems } from "../errors";
import type { RetentionArgs } from "../retention";
import { checkPrefix } from "./aws-names";
import type { PolicyStatement } from "./iam";
import { checkKeyDesign, type KeyDesign } from "./key-design";
import type { LifecycleRule } from "./lifecycle";
import type { ObjectLock, ObjectLockArgs } from "./object-lock";
import { type ReplicationArns, replicationRoleStatements, type ReplicationRule } from "./replication";
import { alertTopicPolicyStatements } from "./topic-policy";
import { planAlertTopic } from "./alert-topic";
import { checkVault, planReplicatedVault, type ReplicatedVaultPlan, VAULT_TAG_KEY, type VaultPlan } from "./vault";
import { type VaultArns, vaultBucketPolicyStatements, vaultReaderStatements, vaultWriterStatements } from "./vault-policies";


/**
 * The arguments of a backup vault, declared once for every front end (which adds its own types for
 * values known only at deploy time: a bucket name, a key).
 */
export interface BackupVaultSettings {
  /**
   * How long backups are kept per tier, and when they are archived.
   * @default - dailies 35 days, weeklies 90 days, monthlies 365 days, noncurrent versions 30 days, no archive
   */
  readonly retention?: RetentionArgs;
  /**
   * Make every new version write-once for a period (S3 Object Lock). Can only be chosen when the
   * bucket is created and can never be turned off.
   * @default - no Object Lock
   */
  readonly objectLock?: ObjectLockArgs;
  /**
   * Refuse deletion and replacement of the bucket and of its own key (Pulumi `protect`; CDK
   * constructs take `removalPolicy` instead).
   * @default true
   */
  readonly protect?: boolean;
}

/** Where a vault's S3 server access logs go. `B` is the front end's reference to a bucket. */
export interface VaultAccessLogs<B> {
  /**
   * The bucket that receives the logs. It must let the S3 logging service write and use SSE-S3:
   * log delivery cannot use a KMS key. It must not be the vault itself.
   */
  readonly bucket: B;
  /**
   * Where the logs go in that bucket: under `<prefix><vault bucket name>/`.
   * @default "s3-access-logs/"
   */
  readonly prefix?: string;
}

/**
 * The arguments of a vault bucket with its references, declared once with their docs and defaults.
 * Each front end fills in its own types: `N` for a bucket name, `K` for a key, `B` for a log bucket
 * (Pulumi `Input`s, CDK strings and constructs). Core validates those known now and skips the rest.
 */
export interface VaultBucketSettings<N = unknown, K = unknown, B = unknown> extends BackupVaultSettings {
  /**
   * The bucket's physical name: 3 to 63 lowercase letters, digits and hyphens.
   * @default - a unique name the engine generates
   */
  readonly bucketName?: N;
  /**
   * The key that encrypts every object: a VaultKey of the same front end, or an existing customer
   * managed key (whose policy must let the account's IAM policies grant its use). A plain key ARN
   * is checked now.
   * @default - a new VaultKey created with the vault
   */
  readonly key?: K;
  /**
   * Deliver S3 server access logs to another bucket.
   * @default - no access logs
   */
  readonly accessLogs?: VaultAccessLogs<B>;
}

/** Everything about one vault bucket, for a front end to render. */
export interface VaultBucketDesign {
  readonly plan: VaultPlan;
  /** The key to create, when the vault was not given one. */
  readonly key?: KeyDesign;
  readonly bucket: {
    readonly objectLockEnabled: boolean;
    readonly forceDestroy: false;
    /** Tags the vault adds to the user's. */
    readonly tags: Readonly<Record<string, string>>;
    readonly retain: boolean;
  };
  readonly versioning: "Enabled";
  readonly encryption: { readonly sseAlgorithm: "aws:kms"; readonly bucketKeyEnabled: true; readonly blockedEncryptionTypes: readonly ["SSE-C"] };
  readonly publicAccessBlock: { readonly blockPublicAcls: true; readonly blockPublicPolicy: true; readonly ignorePublicAcls: true; readonly restrictPublicBuckets: true };
  readonly objectOwnership: "BucketOwnerEnforced";
  readonly lifecycleRules: readonly LifecycleRule[];
  readonly objectLock?: ObjectLock;
  /** Server access logs go under `<prefix><bucket name>/` in the target bucket. */
  readonly accessLogs?: { readonly prefix: string };
  /** The bucket policy: TLS only, SSE-KMS with the vault key only. */
  readonly policyStatements: (arns: VaultArns) => PolicyStatement[];
}

/**
 * Designs a vault bucket: versioned, SSE-KMS with a bucket key (SSE-C blocked), every public access
 * block, owner-enforced, a TLS-only and vault-key-only policy, lifecycle rules per tier, optional
 * Object Lock and access logs, the `lifeboat:vault` tag, retained on delete. Records problems under
 * `path` (`""` or `"replica."`).
 */
export function checkVaultBucketDesign(name: string, settings: VaultBucketSettings, scope: string, problems: Problems, path = "", inherited?: VaultPlan["retention"]): VaultBucketDesign | undefined {
  const plan = checkVault(
    { retention: settings.retention, objectLock: settings.objectLock, bucketName: settings.bucketName, keyArn: typeof settings.key === "string" ? settings.key : undefined, accessLogs: settings.accessLogs },
    problems,
    path,
    inherited,
  );
  const retain = settings.protect ?? true;
  const key = settings.key === undefined ? checkKeyDesign(`${name}-key`, { description: `Lifeboat backup vault ${name}`, protect: retain }, scope, problems, `${path}key.`) : undefined;
  if (!plan) return undefined;
  return {
    plan,
    ...(key ? { key } : {}),
    bucket: { objectLockEnabled: plan.objectLock !== undefined, forceDestroy: false, tags: { [VAULT_TAG_KEY]: "true" }, retain },
    versioning: "Enabled",
    encryption: { sseAlgorithm: "aws:kms", bucketKeyEnabled: true, blockedEncryptionTypes: ["SSE-C"] },
    publicAccessBlock: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    objectOwnership: "BucketOwnerEnforced",
    lifecycleRules: plan.lifecycleRules,
    ...(plan.objectLock ? { objectLock: plan.objectLock } : {}),
    ...(plan.accessLogPrefix !== undefined ? { accessLogs: { prefix: plan.accessLogPrefix } } : {}),
    policyStatements: vaultBucketPolicyStatements,
  };
}

/** Designs a vault bucket, or throws every problem at once. */
export function designVaultBucket(name: string, settings: VaultBucketSettings, scope: string, subject: string): VaultBucketDesign {
  const problems = new Problems();
  const design = checkVaultBucketDesign(name, settings, scope, problems);
  problems.throwIfAny(subject);
  return design as VaultBucketDesign;
}

/** Who may do what in a vault: writers put under their prefix and never delete; readers read and list. */
export type VaultGrant = "write" | "read";

/**
 * The IAM statements of a grant on a vault under `prefix`, checked: a writer must name its source's
 * prefix (a writer for the whole vault could overwrite every source's backups).
 */
export function vaultGrantStatements(grant: VaultGrant, arns: VaultArns, prefix: string, argument = "prefix", subject = "vault grant"): PolicyStatement[] {
  const normalized = checkVaultGrantPrefix(grant, prefix, argument, subject);
  return grant === "write" ? vaultWriterStatements(arns, normalized) : vaultReaderStatements(arns, normalized);
}

/** Checks a grant's prefix and returns it ending in `/` (or `""` for a reader of the whole vault), or throws. */
export function checkVaultGrantPrefix(grant: VaultGrant, prefix: string, argument: string, subject: string): string {
  const problems = new Problems();
  const normalized = checkPrefix(prefix, argument, problems);
  if (grant === "write" && normalized === "") {
    problems.add(argument, prefix, 'must name the source a writer backs up to, such as "postgres-main": a writer for the whole vault could overwrite every source\'s backups.');
  }
  problems.throwIfAny(subject);
  return normalized;
}

/**
 * The arguments of the replica of a replicated vault, declared once; `N`, `K` and `B` as in
 * {@link VaultBucketSettings}. Protection and tags follow the primary's.
 */
export interface ReplicaSettings<N = unknown, K = unknown, B = unknown> {
  /** The replica's region, for example `"us-west-2"`. Must differ from the primary's. */
  readonly region: string;
  /**
   * The replica bucket's physical name.
   * @default - a unique name the engine generates (CDK: an explicit one, since stacks in other regions refer to it)
   */
  readonly bucketName?: N;
  /**
   * The replica's own key, in the replica's region.
   * @default - a new VaultKey in the replica's region
   */
  readonly key?: K;
  /**
   * The replica's retention; every tier at least as long as the primary's.
   * @default - the primary's retention
   */
  readonly retention?: RetentionArgs;
  /**
   * The replica's Object Lock. `false` asks for none, which is refused when the primary is locked.
   * @default - the primary's Object Lock
   */
  readonly objectLock?: ObjectLockArgs | false;
  /**
   * Deliver the replica's S3 server access logs to a bucket in the replica's region.
   * @default - no access logs
   */
  readonly accessLogs?: VaultAccessLogs<B>;
}

/** The arguments of a replicated vault beyond the primary's. */
export interface ReplicatedVaultOptions {
  /**
   * The primary's region, used to refuse a replica in the same region before anything is created.
   * @default - the region the front end can read from its configuration, if any
   */
  readonly primaryRegion?: string;
  /**
   * Copy delete markers to the replica. Off by default: a deletion in the primary, accidental or
   * malicious, must not erase the off-site copy.
   * @default false
   */
  readonly replicateDeleteMarkers?: boolean;
}

/** The arguments of a replicated vault, declared once: the primary's, the replica's and the options. */
export interface ReplicatedBackupVaultSettings<N = unknown, K = unknown, B = unknown> extends VaultBucketSettings<N, K, B>, ReplicatedVaultOptions {
  /** Where and how the replica is kept. */
  readonly replica: ReplicaSettings<N, K, B>;
}

/** Everything about a replicated vault, for a front end to render. */
export interface ReplicatedVaultDesign {
  /** Both vaults' retention, lifecycle and Object Lock, and the replication rule, as validated. */
  readonly plan: ReplicatedVaultPlan;
  readonly primary: VaultBucketDesign;
  readonly replica: VaultBucketDesign;
  readonly replicaRegion: string;
  readonly replication: {
    readonly rule: ReplicationRule;
    /** Every object (an empty prefix filter). */
    readonly filterPrefix: "";
    readonly role: { readonly description: string; readonly trustedService: "s3.amazonaws.com" };
    /** The replication role's policy, scoped to exactly the two buckets and the two keys. */
    readonly policyStatements: (arns: ReplicationArns) => PolicyStatement[];
  };
}

/**
 * Plans a replicated vault from the arguments as a front end received them: a key given as an ARN
 * is checked as one, a key object (a `VaultKey`) is the front end's to render.
 */
export function planReplicatedVaultFrom(
  settings: ReplicatedBackupVaultSettings,
  subject: string,
): ReplicatedVaultPlan {
  const replica = settings.replica ?? ({} as ReplicaSettings);
  return planReplicatedVault(
    {
      retention: settings.retention,
      objectLock: settings.objectLock,
      bucketName: settings.bucketName,
      keyArn: typeof settings.key === "string" ? settings.key : undefined,
      accessLogs: settings.accessLogs,
      ...(settings.primaryRegion !== undefined ? { primaryRegion: settings.primaryRegion } : {}),
      replica: {
        region: replica.region,
        retention: replica.retention,
        bucketName: replica.bucketName,
        keyArn: typeof replica.key === "string" ? replica.key : undefined,
        accessLogs: replica.accessLogs,
        ...(replica.objectLock !== undefined ? { objectLock: replica.objectLock } : {}),
      },
      replicateDeleteMarkers: settings.replicateDeleteMarkers ?? false,
    },
    subject,
  );
}

/**
 * Designs a replicated vault: two vault buckets in two regions with their own keys, and S3 replication
 * of every object (re-encrypted with the replica key) with Replication Time Control and metrics.
 * Throws every problem at once.
 */
export function designReplicatedVault(
  name: string,
  settings: ReplicatedBackupVaultSettings,
  scope: string,
  subject: string,
): ReplicatedVaultDesign {
  const plan = planReplicatedVaultFrom(settings, subject);
  const problems = new Problems();
  const primary = checkVaultBucketDesign(`${name}-primary`, settings, scope, problems);
  const replicaDesign = checkVaultBucketDesign(`${name}-replica`, replicaVaultSettings(settings), scope, problems, "replica.");
  problems.throwIfAny(subject);
  return {
    plan,
    primary: primary as VaultBucketDesign,
    replica: replicaDesign as VaultBucketDesign,
    replicaRegion: plan.replicaRegion,
    replication: {
      rule: plan.rule,
      filterPrefix: "",
      role: { description: `Replicates the Lifeboat vault ${name} to ${plan.replicaRegion}`, trustedService: "s3.amazonaws.com" },
      policyStatements: (arns) => replicationRoleStatements(arns, { replicateDeleteMarkers: plan.rule.deleteMarkerReplication, objectLock: plan.primary.objectLock !== undefined }),
    },
  };
}

/** The primary vault's own settings: a replicated vault's without the replica and its options. */
export function primaryVaultSettings<N, K, B>(settings: ReplicatedBackupVaultSettings<N, K, B>): VaultBucketSettings<N, K, B> {
  const { replica: _replica, primaryRegion: _primaryRegion, replicateDeleteMarkers: _markers, ...primary } = settings;
  return primary;
}

/**
 * The replica vault's own settings: the replica's name, key and access logs; its retention and
 * Object Lock, else the primary's (`objectLock: false` for none); the primary's protection.
 */
export function replicaVaultSettings<N, K, B>(settings: ReplicatedBackupVaultSettings<N, K, B>): VaultBucketSettings<N, K, B> {
  const replica = settings.replica ?? ({} as ReplicaSettings<N, K, B>);
  const retention = replica.retention ?? settings.retention;
  const objectLock = replica.objectLock === false ? undefined : (replica.objectLock ?? settings.objectLock);
  return {
    ...(retention !== undefined ? { retention } : {}),
    ...(objectLock ? { objectLock } : {}),
    ...(settings.protect !== undefined ? { protect: settings.protect } : {}),
    ...(replica.bucketName !== undefined ? { bucketName: replica.bucketName } : {}),
    ...(replica.key !== undefined ? { key: replica.key } : {}),
    ...(replica.accessLogs ? { accessLogs: replica.accessLogs } : {}),
  };
}

/**
 * The message when a replica's provider deploys to the wrong region (checked at deploy time, when
 * the regions are known): {@link crossRegionMismatch} for a replicated vault.
 */
export function replicaRegionMismatch(component: string, primaryAt: string, replicaAt: string, replicaRegion: string): string | undefined {
  return crossRegionMismatch({ subject: component, originalAt: primaryAt, copyAt: replicaAt, copyRegion: replicaRegion, argument: "replica", pair: "the primary and the replica" });
}

/**
 * The arguments of an alert topic, declared once for every front end. `S` is the front end's string
 * (a Pulumi `Input`, a CDK token), `K` its key (a VaultKey, or an existing key).
 */
export interface AlertTopicArguments<S = unknown, K = unknown> {
  /**
   * Addresses that receive every alert by email (each must confirm the subscription once).
   * @default - none
   */
  readonly emails?: readonly S[];
  /**
   * `https://` endpoints (a pager or chat integration) that receive every alert.
   * @default - none
   */
  readonly httpsEndpoints?: readonly S[];
  /**
   * The key that encrypts the topic. A key passed in must let the publishers use it
   * (`kms:Decrypt`, `kms:GenerateDataKey*`); the AWS managed `alias/aws/sns` key does not let
   * CloudWatch alarms publish, so it is refused.
   * @default - a new VaultKey usable by the publishers
   */
  readonly key?: K;
  /**
   * Service principals allowed to publish, only on behalf of this account.
   * @default - CloudWatch alarms, EventBridge and AWS Backup
   */
  readonly publishers?: readonly string[];
  /** @default - the component's name */
  readonly displayName?: S;
}

/** One subscription of an alert topic, named after its endpoint so reordering never replaces it. */
export interface SubscriptionDesign {
  readonly protocol: "email" | "https";
  /** Index into the emails or endpoints given. */
  readonly index: number;
  /** The child's name suffix: a hash of the endpoint when known now, else its position. */
  readonly nameSuffix: string;
}

/** Everything about an alert topic, for a front end to render. */
export interface AlertTopicDesign {
  readonly publishers: readonly string[];
  /** The display name: the one given when known now, else the component's name (a front end passes a deploy-time one through). */
  readonly displayName: string;
  /** The key to create, when the topic was not given one: usable by the publishers. */
  readonly key?: KeyDesign;
  readonly subscriptions: readonly SubscriptionDesign[];
  /** The topic policy: the publishers may publish for this account only. */
  readonly policyStatements: (ids: { readonly topicArn: string; readonly account: string; readonly partition: string }) => PolicyStatement[];
}

/** Designs an alert topic, or throws every problem at once. */
export function designAlertTopic(
  name: string,
  settings: AlertTopicArguments,
  scope: string,
  subject: string,
): AlertTopicDesign {
  const plan = planAlertTopic({ emails: settings.emails, httpsEndpoints: settings.httpsEndpoints, publishers: settings.publishers, keyArn: typeof settings.key === "string" ? settings.key : undefined }, subject);
  const key = settings.key === undefined ? checkKeyDesign(`${name}-key`, { description: `Lifeboat alert topic ${name}`, services: plan.publishers }, scope, new Problems()) : undefined;
  const subscription = (protocol: "email" | "https") => (endpoint: unknown, index: number): SubscriptionDesign => {
    const known = knownString(endpoint);
    return { protocol, index, nameSuffix: known !== undefined ? createHash("sha256").update(known).digest("hex").slice(0, 8) : String(index) };
  };
  return {
    publishers: plan.publishers,
    displayName: knownString(settings.displayName) ?? name,
    ...(key ? { key } : {}),
    subscriptions: [...(settings.emails ?? []).map(subscription("email")), ...(settings.httpsEndpoints ?? []).map(subscription("https"))],
    policyStatements: (ids) => alertTopicPolicyStatements({ ...ids, publishers: plan.publishers }),
  };
}

