import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { Provider } from "@pulumi/aws/provider";
import {
  type ObjectLockArgs,
  planReplicatedVaultFrom,
  replicaRegionMismatch,
  type ReplicatedVaultPlan,
  replicationRoleStatements,
  type RetentionArgs,
  serviceTrustPolicy,
} from "../../core";
import { accountContext, policyJson } from "./account";
import { BackupVault, type BackupVaultArgs } from "./backup-vault";
import { configuredRegion } from "./configured-region";
import type { VaultKey } from "./vault-key";

/** Where and how the replica of a {@link ReplicatedBackupVault} is kept. */
export interface ReplicaArgs {
  /** The replica's region, for example `"us-west-2"`. Must differ from the primary's. */
  readonly region: string;
  /**
   * The AWS provider for the replica's region.
   * @default - a provider for `region` with the default credentials
   */
  readonly provider?: pulumi.ProviderResource;
  /** @default - a unique name derived from the component's name */
  readonly bucketName?: pulumi.Input<string>;
  /**
   * The replica's own key, in the replica's region.
   * @default - a new VaultKey in the replica's region
   */
  readonly key?: VaultKey | pulumi.Input<string>;
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
  /** @default - no access logs */
  readonly accessLogs?: BackupVaultArgs["accessLogs"];
}

/** Arguments of a {@link ReplicatedBackupVault}: the primary's settings, plus the replica. */
export interface ReplicatedBackupVaultArgs extends BackupVaultArgs {
  readonly replica: ReplicaArgs;
  /**
   * The primary's region, used to refuse a replica in the same region before anything is created.
   * Also checked at deploy time through the providers.
   * @default - the `aws:region` config (or AWS_REGION) when no explicit provider is passed
   */
  readonly primaryRegion?: string;
  /**
   * Copy delete markers to the replica. Off by default: a deletion in the primary, accidental or
   * malicious, must not erase the off-site copy.
   * @default false
   */
  readonly replicateDeleteMarkers?: boolean;
}

/**
 * A primary {@link BackupVault} and a replica vault in another region with its own key, joined by
 * S3 replication of every object (SSE-KMS ones re-encrypted with the replica key) with Replication
 * Time Control and metrics at 15 minutes. The replication role is scoped to exactly the two buckets
 * and the two keys. Delete markers are not replicated unless asked.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
 *
 * @example
 * const vault = new ReplicatedBackupVault("backups", {
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y" },
 *   replica: { region: "us-west-2" },
 * });
 */
export class ReplicatedBackupVault extends pulumi.ComponentResource {
  readonly primary: BackupVault;
  readonly replica: BackupVault;
  /** The provider the replica's resources use. */
  readonly replicaProvider: pulumi.ProviderResource;
  readonly replicationRole: iam.Role;
  readonly replicationPolicy: iam.RolePolicy;
  readonly replication: s3.BucketReplicationConfig;
  readonly plan: ReplicatedVaultPlan;
  /** The component's name, which names what others create for it (its alarms, for example). */
  readonly vaultName: string;

  constructor(name: string, args: ReplicatedBackupVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    const primaryRegion = args.primaryRegion ?? configuredRegion(opts);
    const replica = args.replica ?? ({} as ReplicaArgs);
    const plan = planReplicatedVaultFrom({ ...args, replica, ...(primaryRegion !== undefined ? { primaryRegion } : {}) }, `ReplicatedBackupVault "${name}"`);
    super("lifeboat:aws:ReplicatedBackupVault", name, {}, opts);
    this.plan = plan;
    this.vaultName = name;
    const { replica: _replica, primaryRegion: _primaryRegion, replicateDeleteMarkers: _markers, ...primaryArgs } = args;

    this.primary = new BackupVault(`${name}-primary`, primaryArgs, { parent: this });
    this.replicaProvider = replica.provider ?? new Provider(`${name}-replica-provider`, { region: plan.replicaRegion }, { parent: this });
    const replicaLock = replica.objectLock === false ? undefined : (replica.objectLock ?? args.objectLock);
    this.replica = new BackupVault(
      `${name}-replica`,
      {
        ...(replica.bucketName !== undefined ? { bucketName: replica.bucketName } : {}),
        ...(replica.key !== undefined ? { key: replica.key } : {}),
        retention: replica.retention ?? args.retention,
        ...(replicaLock ? { objectLock: replicaLock } : {}),
        ...(replica.accessLogs ? { accessLogs: replica.accessLogs } : {}),
        ...(args.protect !== undefined ? { protect: args.protect } : {}),
        ...(args.tags ? { tags: args.tags } : {}),
      },
      { parent: this, providers: { aws: this.replicaProvider } },
    );

    const primaryContext = accountContext(this.primary);
    const regionsChecked = pulumi
      .all([primaryContext.region, accountContext(this.replica).region])
      .apply(([primaryAt, replicaAt]) => {
        const mismatch = replicaRegionMismatch(`ReplicatedBackupVault "${name}"`, primaryAt, replicaAt, plan.replicaRegion);
        if (mismatch) throw new Error(mismatch);
        return true;
      });

    const replicateDeleteMarkers = plan.rule.deleteMarkerReplication;
    this.replicationRole = new iam.Role(
      `${name}-replication-role`,
      {
        description: `Replicates the Lifeboat vault ${name} to ${plan.replicaRegion}`,
        assumeRolePolicy: primaryContext.account.apply((account) => JSON.stringify(serviceTrustPolicy("s3.amazonaws.com", account))),
        ...(args.tags ? { tags: args.tags } : {}),
      },
      { parent: this },
    );
    this.replicationPolicy = new iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: this.replicationRole.id,
        policy: policyJson(
          {
            sourceBucketArn: this.primary.bucketArn,
            sourceKeyArn: this.primary.keyArn,
            replicaBucketArn: this.replica.bucketArn,
            replicaKeyArn: this.replica.keyArn,
          },
          (arns) => replicationRoleStatements(arns, { replicateDeleteMarkers, objectLock: plan.primary.objectLock !== undefined }),
        ),
      },
      { parent: this },
    );

    const rule = plan.rule;
    this.replication = new s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: this.primary.bucket.id,
        role: pulumi.all([this.replicationRole.arn, regionsChecked]).apply(([arn]) => arn),
        rules: [
          {
            id: rule.id,
            status: "Enabled",
            priority: rule.priority,
            filter: { prefix: "" },
            deleteMarkerReplication: { status: rule.deleteMarkerReplication ? "Enabled" : "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: this.replica.bucketArn,
              storageClass: rule.storageClass,
              encryptionConfiguration: { replicaKmsKeyId: this.replica.keyArn },
              replicationTime: { status: "Enabled", time: { minutes: rule.replicationTimeMinutes } },
              metrics: { status: "Enabled", eventThreshold: { minutes: rule.metricsEventThresholdMinutes } },
            },
          },
        ],
      },
      { parent: this, dependsOn: [this.primary.versioning, this.replica.versioning, this.replicationPolicy] },
    );

    this.registerOutputs({
      primaryBucketName: this.primary.bucketName,
      replicaBucketName: this.replica.bucketName,
      replicaRegion: plan.replicaRegion,
    });
  }
}
