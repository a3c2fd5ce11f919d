import { Duration, Names, RemovalPolicy, Stack, TimeZone } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import {
  AWS_BACKUP_MANAGED_POLICIES,
  type AwsBackupPlanDesign,
  type AwsBackupPlanSettings,
  awsBackupTrustPolicy,
  type BackupRulePlan,
  type BackupVaultLockPlan,
  planAwsBackup,
  type RestoreTestingArgs,
  restoreTestingName,
} from "../core";
import { AlertTopic } from "./alert-topic";
import { drStackFor } from "./dr-stack";
import { givenKeyArn, type KeyInput, keyOf } from "./vault-key";

/** Properties of an {@link AwsBackupPlan}. */
export interface AwsBackupPlanProps
  extends Omit<AwsBackupPlanSettings, "drRegion" | "primaryRegion" | "vaultName" | "drVaultName" | "keyArn" | "drKeyArn" | "selection" | "restoreTesting"> {
  /** What to back up: resource ARNs (RDS instances, Aurora clusters) and/or tags. */
  readonly selection: { readonly resources?: readonly string[]; readonly tags?: Readonly<Record<string, string>>; readonly notResources?: readonly string[] };
  /** The DR region every recovery point is copied to, and optionally its stack, key and vault name. */
  readonly dr: {
    readonly region: string;
    /** @default - the stack's DR stack for `region` */
    readonly stack?: Stack;
    /** @default - a new VaultKey in the DR stack */
    readonly key?: KeyInput;
    /** @default - a name CloudFormation generates */
    readonly vaultName?: string;
  };
  /** Where vault failure events go: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
  /** @default - a new VaultKey (child `Key`) */
  readonly key?: KeyInput;
  /** @default - a name CloudFormation generates */
  readonly vaultName?: string;
  /**
   * Restore testing settings, plus which resources to test; `false` turns it off.
   * @default - weekly restore tests of the newest recovery point of every selected resource type
   */
  readonly restoreTesting?: (RestoreTestingArgs & { readonly resources?: readonly string[] }) | false;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A rule as planned, for the posture. */
export interface AwsBackupRuleSummary {
  readonly name: string;
  readonly schedule: string;
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
  readonly continuous: boolean;
}

/**
 * AWS Backup for managed databases: a vault encrypted with a customer key and locked, a plan with a
 * rule per tier from the objectives' retention and a copy of every recovery point to a locked vault
 * in the DR region (in the DR stack), a selection, failure notifications to the topic, and restore
 * testing.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
 *
 * @example
 * new AwsBackupPlan(stack, "AwsBackup", { selection: { resources: [db.instanceArn] }, dr: { region: "us-west-2" }, topic: alerts });
 */
export class AwsBackupPlan extends Construct {
  /** The primary AWS Backup vault (child id `Resource`). */
  readonly vault: backup.BackupVault;
  readonly vaultName: string;
  readonly drStack: Stack;
  readonly drVault: backup.BackupVault;
  readonly drVaultName: string;
  readonly role: iam.Role;
  readonly roleArn: string;
  readonly backupPlan: backup.BackupPlan;
  readonly rules: readonly AwsBackupRuleSummary[];
  readonly plan: AwsBackupPlanDesign;

  constructor(scope: Construct, id: string, props: AwsBackupPlanProps) {
    const subject = `AwsBackupPlan "${id}"`;
    const dr = props.dr ?? ({} as AwsBackupPlanProps["dr"]);
    const primaryRegion = Stack.of(scope).region;
    const { selection, dr: _dr, topic: _topic, key, vaultName, restoreTesting, removalPolicy: _removal, ...settings } = props;
    const plan = planAwsBackup(
      {
        ...settings,
        ...(restoreTesting !== undefined ? { restoreTesting } : {}),
        drRegion: dr.region,
        ...(primaryRegion && !primaryRegion.startsWith("${") ? { primaryRegion } : {}),
        vaultName,
        drVaultName: dr.vaultName,
        keyArn: givenKeyArn(key),
        drKeyArn: givenKeyArn(dr.key),
        ...(selection !== undefined ? { selection } : {}),
      },
      subject,
    );
    const drStack = dr.stack ?? drStackFor(scope, plan.drRegion, subject);
    super(scope, id);
    this.plan = plan;
    this.drStack = drStack;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const topic = props.topic instanceof AlertTopic ? props.topic.topic : sns.Topic.fromTopicArn(this, "Topic", props.topic);

    this.vault = new backup.BackupVault(this, "Resource", {
      ...(vaultName !== undefined ? { backupVaultName: vaultName } : {}),
      encryptionKey: keyOf(this, "Key", key, { description: `Lifeboat AWS Backup vault ${id}`, removalPolicy }).key,
      notificationTopic: topic,
      notificationEvents: plan.vaultEvents as backup.BackupVaultEvents[],
      ...(plan.lock ? { lockConfiguration: lockOf(plan.lock) } : {}),
      removalPolicy,
    });
    this.vaultName = this.vault.backupVaultName;

    const drScope = new Construct(drStack, `${Names.uniqueId(this)}-dr`);
    this.drVault = new backup.BackupVault(drScope, "Vault", {
      ...(dr.vaultName !== undefined ? { backupVaultName: dr.vaultName } : {}),
      encryptionKey: keyOf(drScope, "Key", dr.key, { description: `Lifeboat AWS Backup DR vault ${id}`, removalPolicy }).key,
      ...(plan.lock ? { lockConfiguration: lockOf(plan.lock) } : {}),
      removalPolicy,
    });
    this.drVaultName = this.drVault.backupVaultName;

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("backup.amazonaws.com"),
      description: `AWS Backup backs up and restores for the Lifeboat plan ${id}`,
      managedPolicies: AWS_BACKUP_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = awsBackupTrustPolicy();
    this.roleArn = this.role.roleArn;

    this.backupPlan = new backup.BackupPlan(this, "Plan", { backupPlanRules: plan.rules.map((rule) => this.ruleOf(rule)) });
    this.rules = plan.rules.map((r) => ({
      name: r.name,
      schedule: r.schedule,
      deleteAfterDays: r.deleteAfterDays,
      ...(r.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: r.coldStorageAfterDays } : {}),
      continuous: r.continuous,
    }));

    const notResources = selection.notResources?.length ? { notResources: [...selection.notResources] } : {};
    if (selection.resources?.length) {
      new backup.CfnBackupSelection(this, "SelectionResources", {
        backupPlanId: this.backupPlan.backupPlanId,
        backupSelection: { selectionName: `${id}-resources`, iamRoleArn: this.roleArn, resources: [...selection.resources], ...notResources },
      });
    }
    if (plan.selectionTags.length > 0) {
      new backup.CfnBackupSelection(this, "SelectionTags", {
        backupPlanId: this.backupPlan.backupPlanId,
        backupSelection: {
          selectionName: `${id}-tags`,
          iamRoleArn: this.roleArn,
          listOfTags: plan.selectionTags.map((t) => ({ conditionType: "STRINGEQUALS", conditionKey: t.key, conditionValue: t.value })),
          ...notResources,
        },
      });
    }

    if (plan.restoreTesting) {
      const rt = plan.restoreTesting;
      const testing = restoreTesting || {};
      const base = `${Stack.of(this).stackName}-${id}`;
      const testingPlan = new backup.CfnRestoreTestingPlan(this, "RestoreTesting", {
        restoreTestingPlanName: restoreTestingName(base, "restore_testing", Stack.of(this).stackName),
        scheduleExpression: rt.schedule,
        scheduleExpressionTimezone: "Etc/UTC",
        startWindowHours: rt.startWindowHours,
        recoveryPointSelection: {
          algorithm: rt.algorithm,
          includeVaults: [this.vault.backupVaultArn],
          recoveryPointTypes: [...rt.recoveryPointTypes],
          selectionWindowDays: rt.selectionWindowDays,
        },
      });
      new backup.CfnRestoreTestingSelection(this, "RestoreTestingSelection", {
        restoreTestingSelectionName: restoreTestingName(base, rt.resourceType.toLowerCase(), Stack.of(this).stackName),
        restoreTestingPlanName: testingPlan.restoreTestingPlanName,
        protectedResourceType: rt.resourceType,
        protectedResourceArns: testing.resources?.length ? [...testing.resources] : ["*"],
        iamRoleArn: this.roleArn,
        validationWindowHours: rt.validationWindowHours,
      });
    }
  }

  private ruleOf(rule: BackupRulePlan): backup.BackupPlanRule {
    const lifecycle = {
      deleteAfter: Duration.days(rule.deleteAfterDays),
      ...(rule.coldStorageAfterDays !== undefined ? { moveToColdStorageAfter: Duration.days(rule.coldStorageAfterDays) } : {}),
    };
    return new backup.BackupPlanRule({
      ruleName: rule.name,
      backupVault: this.vault,
      scheduleExpression: events.Schedule.expression(rule.schedule),
      scheduleExpressionTimezone: TimeZone.of("Etc/UTC"),
      startWindow: Duration.minutes(rule.startWindowMinutes),
      completionWindow: Duration.minutes(rule.completionWindowMinutes),
      enableContinuousBackup: rule.continuous,
      ...lifecycle,
      copyActions: [{ destinationBackupVault: this.drVault, ...lifecycle }],
    });
  }
}

function lockOf(lock: BackupVaultLockPlan): backup.LockConfiguration {
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    ...(lock.maxRetentionDays !== undefined ? { maxRetention: Duration.days(lock.maxRetentionDays) } : {}),
    ...(lock.changeableForDays !== undefined ? { changeableFor: Duration.days(lock.changeableForDays) } : {}),
  };
}
