import { Names, Stack } from "aws-cdk-lib";
import { RegionInfo } from "aws-cdk-lib/region-info";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { designReplicatedVault, type ReplicaSettings, type ReplicatedVaultOptions, type ReplicatedVaultPlan, replicaVaultSettings } from "../core";
import { accessLogsOf, BackupVault, type BackupVaultProps, vaultSettingsOf } from "./backup-vault";
import { drStackFor } from "./dr-stack";
import { serviceRole } from "./service-role";
import type { KeyInput } from "./vault-key";

/**
 * Where and how the replica of a {@link ReplicatedBackupVault} is kept: core's {@link ReplicaSettings}
 * with CDK values, and the stack in the replica's region. The replica bucket's name is always
 * explicit, so the primary stack refers to it by name, not through a cross-region lookup; by
 * default "<stack>-<path>-<hash>-<account>-replica", lowercase.
 */
export interface ReplicaProps extends ReplicaSettings<string, KeyInput, s3.IBucket> {
  /**
   * The stack in the replica's region that holds the replica vault and its key.
   * @default - the primary stack's DR stack for `region`, created once (`<stack>-dr-<region>`)
   */
  readonly stack?: Stack;
}

/**
 * Properties of a {@link ReplicatedBackupVault}: the primary's settings, the replica, and core's
 * {@link ReplicatedVaultOptions} (the primary's region is the stack's).
 */
export interface ReplicatedBackupVaultProps extends Omit<BackupVaultProps, "replication">, Omit<ReplicatedVaultOptions, "primaryRegion"> {
  /** Where and how the replica is kept. */
  readonly replica: ReplicaProps;
}

/**
 * A primary {@link BackupVault} in this stack and a replica vault with its own key in a stack of
 * another region, joined by S3 replication of every object (SSE-KMS ones re-encrypted with the
 * replica key) with Replication Time Control and metrics at 15 minutes. The replication role is
 * scoped to exactly the two buckets and the two keys. Delete markers are not replicated unless asked.
 *
 * The stack must name its account and region and set `crossRegionReferences: true`; the replica's
 * stack is created for you (see {@link drStackFor}).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
 *
 * @example
 * const vault = new ReplicatedBackupVault(stack, "Backups", {
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y" },
 *   replica: { region: "us-west-2" },
 * });
 */
export class ReplicatedBackupVault extends Construct {
  readonly primary: BackupVault;
  readonly replica: BackupVault;
  /** The replica bucket's explicit name, a plain string in every stack. */
  readonly replicaBucketName: string;
  /** The replica bucket's ARN, built from its name. */
  readonly replicaBucketArn: string;
  /** The stack in the replica's region. */
  readonly replicaStack: Stack;
  readonly replicationRole: iam.Role;
  readonly plan: ReplicatedVaultPlan;
  /** The construct's id, which names what others create for it (its alarms, for example). */
  readonly vaultName: string;

  constructor(scope: Construct, id: string, props: ReplicatedBackupVaultProps) {
    const subject = `ReplicatedBackupVault "${id}"`;
    const replica = props.replica ?? ({} as ReplicaProps);
    const primaryRegion = Stack.of(scope).region;
    const { stack: _stack, ...replicaSettings } = replica;
    const design = designReplicatedVault(
      id,
      {
        ...vaultSettingsOf(props),
        ...(primaryRegion && !primaryRegion.startsWith("${") ? { primaryRegion } : {}),
        replica: { ...replicaSettings, ...(replica.accessLogs ? { accessLogs: accessLogsOf(replica.accessLogs) } : {}) },
        ...(props.replicateDeleteMarkers !== undefined ? { replicateDeleteMarkers: props.replicateDeleteMarkers } : {}),
      },
      `${Stack.of(scope).stackName}/${scope.node.path}`,
      subject,
    );
    const plan = design.plan;
    const replicaStack = replica.stack ?? drStackFor(scope, plan.replicaRegion, subject);
    super(scope, id);
    this.plan = plan;
    this.vaultName = id;
    this.replicaStack = replicaStack;
    const { replica: _replica, replicateDeleteMarkers: _markers, ...primaryProps } = props;

    const account = Stack.of(this).account;
    this.replicaBucketName = replica.bucketName ?? `${Names.uniqueResourceName(this, { maxLength: 38, separator: "-" }).toLowerCase()}-${account}-replica`;
    this.replicaBucketArn = `arn:${RegionInfo.get(plan.replicaRegion).partition ?? "aws"}:s3:::${this.replicaBucketName}`;
    this.replica = new BackupVault(replicaStack, `${Stack.of(this).stackName}-${id}-replica`.replace(/[^A-Za-z0-9-]/g, "-"), {
      ...replicaVaultSettings({ ...props, replica: { ...replicaSettings, bucketName: this.replicaBucketName } }),
      ...(props.removalPolicy !== undefined ? { removalPolicy: props.removalPolicy } : {}),
    });

    const stack = Stack.of(this);
    const replication = design.replication;
    const rule = replication.rule;
    this.replicationRole = serviceRole(this, "ReplicationRole", {
      service: replication.role.trustedService,
      account: stack.account,
      description: replication.role.description,
    });
    this.primary = new BackupVault(this, "Primary", {
      ...primaryProps,
      replication: {
        role: this.replicationRole,
        rules: [
          {
            id: rule.id,
            priority: rule.priority,
            filter: { prefix: replication.filterPrefix },
            destination: s3.Bucket.fromBucketAttributes(this, "ReplicaBucket", { bucketName: this.replicaBucketName, bucketArn: this.replicaBucketArn, region: plan.replicaRegion, account }),
            kmsKey: this.replica.encryptionKey,
            storageClass: new s3.StorageClass(rule.storageClass),
            sseKmsEncryptedObjects: rule.sseKmsEncryptedObjects,
            deleteMarkerReplication: rule.deleteMarkerReplication,
            replicationTimeControl: fifteenMinutes(rule.replicationTimeMinutes),
            metrics: fifteenMinutes(rule.metricsEventThresholdMinutes),
          },
        ],
      },
    });
    // A policy of its own, not inline in the role: the bucket refers to the role, the policy to the bucket.
    this.replicationRole.attachInlinePolicy(
      new iam.Policy(this, "ReplicationPolicy", {
        statements: replication
          .policyStatements({ sourceBucketArn: this.primary.bucketArn, sourceKeyArn: this.primary.keyArn, replicaBucketArn: this.replicaBucketArn, replicaKeyArn: this.replica.keyArn })
          .map((s) => iam.PolicyStatement.fromJson(s)),
      }),
    );
  }
}

/** aws-cdk-lib offers only S3's one Replication Time Control value; core's must be it. */
function fifteenMinutes(minutes: number): s3.ReplicationTimeValue {
  if (minutes !== s3.ReplicationTimeValue.FIFTEEN_MINUTES.minutes) throw new Error(`S3 Replication Time Control is ${s3.ReplicationTimeValue.FIFTEEN_MINUTES.minutes} minutes, not ${minutes}.`);
  return s3.ReplicationTimeValue.FIFTEEN_MINUTES;
}
