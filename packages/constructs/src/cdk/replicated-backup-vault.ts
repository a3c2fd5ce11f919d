import { Names, PhysicalName, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { RegionInfo } from "aws-cdk-lib/region-info";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { type ObjectLockArgs, planReplicatedVault, type ReplicatedVaultPlan, replicationRoleStatements, type RetentionArgs } from "../core";
import { BackupVault, type BackupVaultProps } from "./backup-vault";
import { drStackFor } from "./dr-stack";
import { serviceRole } from "./service-role";
import { givenKeyArn, type KeyInput } from "./vault-key";

/** Where and how the replica of a {@link ReplicatedBackupVault} is kept. */
export interface ReplicaProps {
  /** The replica's region, for example `"us-west-2"`. Must differ from the stack's. */
  readonly region: string;
  /**
   * The stack in the replica's region that holds the replica vault and its key.
   * @default - the primary stack's DR stack for `region`, created once (`<stack>-dr-<region>`)
   */
  readonly stack?: Stack;
  /**
   * The replica bucket's name. It is always explicit, so the primary stack refers to the replica
   * by name, not through a cross-region lookup.
   * @default - "<stack>-<path>-<hash>-<account>-replica", lowercase
   */
  readonly bucketName?: string;
  /**
   * The replica's own key, in the replica's region.
   * @default - a new VaultKey in the replica's stack
   */
  readonly key?: KeyInput;
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
  readonly accessLogs?: BackupVaultProps["accessLogs"];
}

/** Properties of a {@link ReplicatedBackupVault}: the primary's settings, plus the replica. */
export interface ReplicatedBackupVaultProps extends Omit<BackupVaultProps, "replication"> {
  readonly replica: ReplicaProps;
  /**
   * Copy delete markers to the replica. Off by default: a deletion in the primary, accidental or
   * malicious, must not erase the off-site copy.
   * @default false
   */
  readonly replicateDeleteMarkers?: boolean;
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
    const plan = planReplicatedVault(
      {
        ...(props.retention ? { retention: props.retention } : {}),
        ...(props.objectLock ? { objectLock: props.objectLock } : {}),
        bucketName: props.bucketName === PhysicalName.GENERATE_IF_NEEDED ? undefined : props.bucketName,
        keyArn: givenKeyArn(props.key),
        ...(props.accessLogs ? { accessLogs: { bucket: props.accessLogs.bucket.bucketName } } : {}),
        ...(primaryRegion && !primaryRegion.startsWith("${") ? { primaryRegion } : {}),
        replica: {
          region: replica.region,
          ...(replica.retention ? { retention: replica.retention } : {}),
          bucketName: replica.bucketName,
          keyArn: givenKeyArn(replica.key),
          ...(replica.accessLogs ? { accessLogs: { bucket: replica.accessLogs.bucket.bucketName } } : {}),
          ...(replica.objectLock !== undefined ? { objectLock: replica.objectLock } : {}),
        },
        replicateDeleteMarkers: props.replicateDeleteMarkers ?? false,
      },
      subject,
    );
    const replicaStack = replica.stack ?? drStackFor(scope, plan.replicaRegion, subject);
    super(scope, id);
    this.plan = plan;
    this.vaultName = id;
    this.replicaStack = replicaStack;
    const { replica: _replica, replicateDeleteMarkers: _markers, ...primaryProps } = props;

    const account = Stack.of(this).account;
    this.replicaBucketName = replica.bucketName ?? `${Names.uniqueResourceName(this, { maxLength: 38, separator: "-" }).toLowerCase()}-${account}-replica`;
    this.replicaBucketArn = `arn:${RegionInfo.get(plan.replicaRegion).partition ?? "aws"}:s3:::${this.replicaBucketName}`;
    const replicaLock = replica.objectLock === false ? undefined : (replica.objectLock ?? props.objectLock);
    this.replica = new BackupVault(replicaStack, `${Stack.of(this).stackName}-${id}-replica`.replace(/[^A-Za-z0-9-]/g, "-"), {
      bucketName: this.replicaBucketName,
      ...(replica.key !== undefined ? { key: replica.key } : {}),
      ...((replica.retention ?? props.retention) ? { retention: replica.retention ?? props.retention } : {}),
      ...(replicaLock ? { objectLock: replicaLock } : {}),
      ...(replica.accessLogs ? { accessLogs: replica.accessLogs } : {}),
      ...(props.removalPolicy !== undefined ? { removalPolicy: props.removalPolicy as RemovalPolicy } : {}),
    });

    const stack = Stack.of(this);
    const rule = plan.rule;
    this.replicationRole = serviceRole(this, "ReplicationRole", {
      service: "s3.amazonaws.com",
      account: stack.account,
      description: `Replicates the Lifeboat vault ${id} to ${plan.replicaRegion}`,
    });
    this.primary = new BackupVault(this, "Primary", {
      ...primaryProps,
      replication: {
        role: this.replicationRole,
        rules: [
          {
            id: rule.id,
            priority: rule.priority,
            filter: { prefix: "" },
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
        statements: replicationRoleStatements(
          { sourceBucketArn: this.primary.bucketArn, sourceKeyArn: this.primary.keyArn, replicaBucketArn: this.replicaBucketArn, replicaKeyArn: this.replica.keyArn },
          { replicateDeleteMarkers: rule.deleteMarkerReplication, objectLock: plan.primary.objectLock !== undefined },
        ).map((s) => iam.PolicyStatement.fromJson(s)),
      }),
    );
  }
}

/** aws-cdk-lib offers only S3's one Replication Time Control value; core's must be it. */
function fifteenMinutes(minutes: number): s3.ReplicationTimeValue {
  if (minutes !== s3.ReplicationTimeValue.FIFTEEN_MINUTES.minutes) throw new Error(`S3 Replication Time Control is ${s3.ReplicationTimeValue.FIFTEEN_MINUTES.minutes} minutes, not ${minutes}.`);
  return s3.ReplicationTimeValue.FIFTEEN_MINUTES;
}
