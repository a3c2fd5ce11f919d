import { Duration, Names, RemovalPolicy, Stack, TimeZone, Token } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import {
  type AwsBackupDrOptions,
  type AwsBackupLifecycleDesign,
  type AwsBackupPlanComponentDesign,
  type AwsBackupPlanDesign,
  type AwsBackupPlanOptions,
  type AwsBackupRuleDesign,
  type AwsBackupRuleSummary,
  type BackupVaultLockPlan,
  designAwsBackupPlan,
} from "../core";
import { AlertTopic } from "./alert-topic";
import { drStackFor } from "./dr-stack";
import { givenKeyArn, type KeyInput, keyOf } from "./vault-key";

/** The DR side of an {@link AwsBackupPlan}: core's {@link AwsBackupDrOptions}, with the DR stack and key. */
export interface AwsBackupDrProps extends AwsBackupDrOptions<string> {
  /** @default - the stack's DR stack for `region` */
  readonly stack?: Stack;
  /** @default - a new VaultKey in the DR stack */
  readonly key?: KeyInput;
}

/**
 * Properties of an {@link AwsBackupPlan}: core's {@link AwsBackupPlanOptions} (selection, retention,
 * windows, lock, restore tests), with the DR stack, keys, topic and removal policy.
 */
export interface AwsBackupPlanProps extends Omit<AwsBackupPlanOptions<string>, "protect"> {
  /** The DR region every recovery point is copied to, and optionally its stack, key and vault name. */
  readonly dr: AwsBackupDrProps;
  /** Where vault failure events go: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
  /** @default - a new VaultKey (child `Key`) */
  readonly key?: KeyInput;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export type { AwsBackupRuleSummary };

/**
 * AWS Backup for managed databases: a vault encrypted with a customer key and locked, a plan with a
 * rule per tier from the objectives' retention and a copy of every recovery point to a locked vault
 * in the DR region (in the DR stack), a selection, failure notifications to the topic, and restore
 * testing. Every setting comes from core's `designAwsBackupPlan`, as in the Pulumi `AwsBackupPlan`.
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
  readonly selections: backup.CfnBackupSelection[] = [];
  readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;
  readonly restoreTestingSelection?: backup.CfnRestoreTestingSelection;
  readonly rules: readonly AwsBackupRuleSummary[];
  readonly plan: AwsBackupPlanDesign;
  /** Every resource's settings, as core designed them. */
  readonly design: AwsBackupPlanComponentDesign<string>;

  constructor(scope: Construct, id: string, props: AwsBackupPlanProps) {
    const subject = `AwsBackupPlan "${id}"`;
    const stack = Stack.of(scope);
    const { removalPolicy: _removal, ...options } = props ?? ({} as AwsBackupPlanProps);
    const design = designAwsBackupPlan<string>(
      {
        ...options,
        name: id,
        scope: `${stack.stackName}/${scope.node.path}/${id}`,
        dr: { ...props?.dr, key: givenKeyArn(props?.dr?.key) } as AwsBackupPlanProps["dr"],
        key: givenKeyArn(props?.key),
        topic: props?.topic,
        ...(Token.isUnresolved(stack.region) ? {} : { primaryRegion: stack.region }),
      },
      subject,
    );
    const dr = props.dr;
    const drStack = dr.stack ?? drStackFor(scope, design.drRegion, subject);
    super(scope, id);
    this.design = design;
    this.plan = design.plan;
    this.drStack = drStack;
    this.rules = design.summary;
    const removalPolicy = props.removalPolicy ?? (design.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    const topic = props.topic instanceof AlertTopic ? props.topic.topic : sns.Topic.fromTopicArn(this, "Topic", props.topic);

    this.vault = new backup.BackupVault(this, "Resource", {
      ...(design.vault.name !== undefined ? { backupVaultName: design.vault.name } : {}),
      encryptionKey: keyOf(this, "Key", props.key, { description: design.vault.keyDescription, removalPolicy }).key,
      notificationTopic: topic,
      notificationEvents: design.notificationEvents as backup.BackupVaultEvents[],
      ...(design.vault.lock ? { lockConfiguration: lockOf(design.vault.lock) } : {}),
      removalPolicy,
    });
    this.vaultName = this.vault.backupVaultName;

    const drScope = new Construct(drStack, `${Names.uniqueId(this)}-dr`);
    this.drVault = new backup.BackupVault(drScope, "Vault", {
      ...(design.drVault.name !== undefined ? { backupVaultName: design.drVault.name } : {}),
      encryptionKey: keyOf(drScope, "Key", dr.key, { description: design.drVault.keyDescription, removalPolicy }).key,
      ...(design.drVault.lock ? { lockConfiguration: lockOf(design.drVault.lock) } : {}),
      removalPolicy,
    });
    this.drVaultName = this.drVault.backupVaultName;

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("backup.amazonaws.com"),
      description: design.role.description,
      managedPolicies: design.role.managedPolicies.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p.name)),
    });
    // The L2 role writes its own trust policy; core's is the one AWS documents for AWS Backup.
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = design.role.trustPolicy;
    this.roleArn = this.role.roleArn;

    this.backupPlan = new backup.BackupPlan(this, "Plan", { backupPlanName: design.planName, backupPlanRules: design.rules.map((rule) => this.ruleOf(rule, design.scheduleTimezone)) });

    for (const selection of design.selections) {
      this.selections.push(
        new backup.CfnBackupSelection(this, selection.role === "resources" ? "SelectionResources" : "SelectionTags", {
          backupPlanId: this.backupPlan.backupPlanId,
          backupSelection: {
            selectionName: selection.name,
            iamRoleArn: this.roleArn,
            ...(selection.resources ? { resources: [...selection.resources] } : {}),
            ...(selection.conditions ? { listOfTags: selection.conditions.map((c) => ({ conditionType: c.type, conditionKey: c.key, conditionValue: c.value })) } : {}),
            ...(selection.notResources.length > 0 ? { notResources: [...selection.notResources] } : {}),
          },
        }),
      );
    }

    if (design.restoreTesting) {
      const { plan: testing, selection } = design.restoreTesting;
      this.restoreTestingPlan = new backup.CfnRestoreTestingPlan(this, "RestoreTesting", {
        restoreTestingPlanName: testing.name,
        scheduleExpression: testing.schedule,
        scheduleExpressionTimezone: testing.scheduleTimezone,
        startWindowHours: testing.startWindowHours,
        recoveryPointSelection: {
          algorithm: testing.algorithm,
          includeVaults: [this.vault.backupVaultArn],
          recoveryPointTypes: [...testing.recoveryPointTypes],
          selectionWindowDays: testing.selectionWindowDays,
        },
      });
      this.restoreTestingSelection = new backup.CfnRestoreTestingSelection(this, "RestoreTestingSelection", {
        restoreTestingSelectionName: selection.name,
        restoreTestingPlanName: this.restoreTestingPlan.restoreTestingPlanName,
        protectedResourceType: selection.resourceType,
        protectedResourceArns: [...selection.resources],
        iamRoleArn: this.roleArn,
        validationWindowHours: selection.validationWindowHours,
        ...(selection.metadataOverrides !== undefined ? { restoreMetadataOverrides: { ...selection.metadataOverrides } } : {}),
      });
    }
  }

  private ruleOf(rule: AwsBackupRuleDesign, timezone: string): backup.BackupPlanRule {
    return new backup.BackupPlanRule({
      ruleName: rule.name,
      backupVault: this.vault,
      scheduleExpression: events.Schedule.expression(rule.schedule),
      scheduleExpressionTimezone: TimeZone.of(timezone),
      startWindow: Duration.minutes(rule.startWindowMinutes),
      completionWindow: Duration.minutes(rule.completionWindowMinutes),
      enableContinuousBackup: rule.continuous,
      ...lifecycleOf(rule.lifecycle),
      copyActions: [{ destinationBackupVault: this.drVault, ...lifecycleOf(rule.copy.lifecycle) }],
    });
  }
}

function lifecycleOf(lifecycle: AwsBackupLifecycleDesign): { deleteAfter: Duration; moveToColdStorageAfter?: Duration } {
  return {
    deleteAfter: Duration.days(lifecycle.deleteAfterDays),
    ...(lifecycle.coldStorageAfterDays !== undefined ? { moveToColdStorageAfter: Duration.days(lifecycle.coldStorageAfterDays) } : {}),
  };
}

function lockOf(lock: BackupVaultLockPlan): backup.LockConfiguration {
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    ...(lock.maxRetentionDays !== undefined ? { maxRetention: Duration.days(lock.maxRetentionDays) } : {}),
    ...(lock.changeableForDays !== undefined ? { changeableFor: Duration.days(lock.changeableForDays) } : {}),
  };
}
