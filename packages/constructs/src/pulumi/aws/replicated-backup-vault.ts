import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { Provider } from "@pulumi/aws/provider";
import {
  designReplicatedVault,
  primaryVaultSettings,
  replicaRegionMismatch,
  type ReplicaSettings,
  type ReplicatedVaultOptions,
  type ReplicatedVaultPlan,
  replicaVaultSettings,
  serviceTrustPolicy,
} from "../../core";
import { accountContext, policyJson } from "./account";
import { BackupVault, type BackupVaultArgs } from "./backup-vault";
import { configuredRegion } from "./configured-region";
import { deploymentScope } from "./deployment-scope";
import type { VaultKey } from "./vault-key";

/**
 * Where and how the replica of a {@link ReplicatedBackupVault} is kept: core's {@link ReplicaSettings}
 * with Pulumi values, and the provider of the replica's region.
 */
export interface ReplicaArgs extends ReplicaSettings<pulumi.Input<string>, VaultKey | pulumi.Input<string>, pulumi.Input<string>> {
  /**
   * The AWS provider for the replica's region.
   * @default - a provider for `region` with the default credentials
   */
  readonly provider?: pulumi.ProviderResource;
}

/**
 * Arguments of a {@link ReplicatedBackupVault}: the primary's settings, the replica, and core's
 * {@link ReplicatedVaultOptions}. `primaryRegion` defaults to the `aws:region` config (or
 * AWS_REGION) when no explicit provider is passed, and is also checked at deploy time.
 */
export interface ReplicatedBackupVaultArgs extends BackupVaultArgs, ReplicatedVaultOptions {
  /** Where and how the replica is kept. */
  readonly replica: ReplicaArgs;
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
    const settings = { ...args, replica, ...(primaryRegion !== undefined ? { primaryRegion } : {}) };
    const design = designReplicatedVault(name, settings, deploymentScope(), `ReplicatedBackupVault "${name}"`);
    super("lifeboat:aws:ReplicatedBackupVault", name, {}, opts);
    const plan = design.plan;
    this.plan = plan;
    this.vaultName = name;
    const tags = args.tags ? { tags: args.tags } : {};

    const { provider: _provider, ...replicaSettings } = replica;
    this.primary = new BackupVault(`${name}-primary`, { ...primaryVaultSettings(settings), ...tags }, { parent: this });
    this.replicaProvider = replica.provider ?? new Provider(`${name}-replica-provider`, { region: design.replicaRegion }, { parent: this });
    this.replica = new BackupVault(
      `${name}-replica`,
      { ...replicaVaultSettings({ ...settings, replica: replicaSettings }), ...tags },
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

    const replication = design.replication;
    this.replicationRole = new iam.Role(
      `${name}-replication-role`,
      {
        description: replication.role.description,
        assumeRolePolicy: primaryContext.account.apply((account) => JSON.stringify(serviceTrustPolicy(replication.role.trustedService, account))),
        ...tags,
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
          replication.policyStatements,
        ),
      },
      { parent: this },
    );

    const rule = replication.rule;
    const enabled = (on: boolean) => (on ? "Enabled" : "Disabled");
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
            filter: { prefix: replication.filterPrefix },
            deleteMarkerReplication: { status: enabled(rule.deleteMarkerReplication) },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: enabled(rule.sseKmsEncryptedObjects) } },
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
