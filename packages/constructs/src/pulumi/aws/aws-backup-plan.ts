import * as pulumi from "@pulumi/pulumi";
import * as backup from "@pulumi/aws/backup";
import * as iam from "@pulumi/aws/iam";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { Provider } from "@pulumi/aws/provider";
import type * as inputs from "@pulumi/aws/types/input";
import {
  type AwsBackupDrOptions,
  type AwsBackupLifecycleDesign,
  type AwsBackupPlanComponentDesign,
  type AwsBackupPlanDesign,
  type AwsBackupPlanDesignInput,
  type AwsBackupPlanOptions,
  type AwsBackupRuleSummary,
  type AwsBackupSelectionOptions,
  type AwsBackupVaultDesign,
  type AwsRestoreTestingOptions,
  awsManagedPolicyArn,
  crossRegionMismatch,
  designAwsBackupPlan,
} from "../../core";
import { accountContext } from "./account";
import { deploymentScope } from "./deployment-scope";
import { AlertTopic } from "./alert-topic";
import { configuredRegion } from "./configured-region";
import { VaultKey } from "./vault-key";

/** The disaster-recovery side of an {@link AwsBackupPlan}: a vault in another region that every rule copies to. */
export interface AwsBackupDrArgs extends AwsBackupDrOptions<pulumi.Input<string>> {
  /**
   * The AWS provider for the DR region.
   * @default - a provider for `region` with the default credentials
   */
  readonly provider?: pulumi.ProviderResource;
  /**
   * The DR vault's key, in the DR region: a {@link VaultKey} created with the DR provider, or a key ARN.
   * @default - a new VaultKey named `<name>-dr-key` in the DR region
   */
  readonly key?: VaultKey | pulumi.Input<string>;
}

/** Which resources the plan backs up. Give `resources`, `tags`, or both. */
export type AwsBackupSelectionArgs = AwsBackupSelectionOptions<pulumi.Input<string>>;

/** The restore tests of an {@link AwsBackupPlan}, with what the restored database needs. */
export type AwsRestoreTestingArgs = AwsRestoreTestingOptions<pulumi.Input<string>>;

/** Arguments of an {@link AwsBackupPlan}: core's {@link AwsBackupPlanOptions}, with the DR provider, keys and topic. */
export interface AwsBackupPlanArgs extends AwsBackupPlanOptions<pulumi.Input<string>> {
  /** The DR region every recovery point is copied to. */
  readonly dr: AwsBackupDrArgs;
  /**
   * Where vault failure notifications go (copy job failures, S3 object failures): an
   * {@link AlertTopic}, or the ARN of a topic in the primary region whose policy lets
   * `backup.amazonaws.com` publish. Backup and restore job failures come through EventBridge: turn
   * on `awsBackupFailures` in {@link BackupAlarms}.
   */
  readonly topic: AlertTopic | pulumi.Input<string>;
  /**
   * The key that encrypts the primary vault.
   * @default - a new VaultKey named `<name>-key`
   */
  readonly key?: VaultKey | pulumi.Input<string>;
  /**
   * The primary region, to refuse a DR region equal to it before anything is created. Also checked
   * at deploy time through the providers.
   * @default - the `aws:region` config when no explicit provider is passed
   */
  readonly primaryRegion?: string;
  /**
   * Tags on the vaults, keys, role, plan and restore testing plan.
   * @default - none
   */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export type { AwsBackupRuleSummary };

/**
 * AWS Backup for a set of resources (RDS and Aurora above all): a vault encrypted with a customer
 * managed key and locked (governance by default); one rule per retention tier, with lifecycle from
 * the tier, optional cold storage and an optional continuous rule; every rule copied to a vault in
 * the DR region with a key of its own; selections by ARN and by tag under a role for AWS Backup;
 * vault notifications of failures to an SNS topic; and weekly restore tests.
 *
 * The role carries AWS's managed policies AWSBackupServiceRolePolicyForBackup and
 * AWSBackupServiceRolePolicyForRestores: AWS maintains them as services are added, and they let
 * AWS Backup act only through the resources it is handed.
 *
 * Rules of one plan whose schedules coincide (the daily and the weekly on Sundays) produce one
 * backup: AWS Backup keeps the one with the longest retention.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
 *
 * @example
 * const alerts = new AlertTopic("alerts", { emails: ["oncall@example.com"] });
 * const plan = new AwsBackupPlan("databases", {
 *   selection: { resources: ["arn:aws:rds:us-east-1:123456789012:db:orders"], tags: { backup: "aws-backup" } },
 *   retention: { daily: "35d", weekly: "90d", monthly: "1y" },
 *   dr: { region: "us-west-2" },
 *   topic: alerts,
 * });
 * export const drVault = plan.drVaultArn;
 */
export class AwsBackupPlan extends pulumi.ComponentResource {
  readonly vault: backup.Vault;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultArn: pulumi.Output<string>;
  /** The primary vault's key, when this component created it. */
  readonly vaultKey?: VaultKey;
  readonly keyArn: pulumi.Output<string>;
  readonly drRegion: string;
  readonly drProvider: pulumi.ProviderResource;
  readonly drVault: backup.Vault;
  readonly drVaultName: pulumi.Output<string>;
  readonly drVaultArn: pulumi.Output<string>;
  /** The DR vault's key, when this component created it. */
  readonly drVaultKey?: VaultKey;
  readonly drKeyArn: pulumi.Output<string>;
  readonly vaultLock?: backup.VaultLockConfiguration;
  readonly drVaultLock?: backup.VaultLockConfiguration;
  readonly role: iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly rolePolicyAttachments: iam.RolePolicyAttachment[];
  readonly backupPlan: backup.Plan;
  readonly backupPlanId: pulumi.Output<string>;
  readonly backupPlanArn: pulumi.Output<string>;
  readonly selections: backup.Selection[] = [];
  readonly notifications: backup.VaultNotifications;
  readonly restoreTestingPlan?: backup.RestoreTestingPlan;
  readonly restoreTestingSelection?: backup.RestoreTestingSelection;
  /** Each rule: name, schedule (UTC cron), retention and cold storage in days, continuous or not. */
  readonly rules: readonly AwsBackupRuleSummary[];
  /** Rules, lock, DR region, notification events and restore tests as validated and derived before creation. */
  readonly plan: AwsBackupPlanDesign;
  /** Every resource's settings, as core designed them. */
  readonly design: AwsBackupPlanComponentDesign<pulumi.Input<string>>;

  constructor(name: string, args: AwsBackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    const primaryRegion = args?.primaryRegion ?? configuredRegion(opts);
    const design = designAwsBackupPlan<pulumi.Input<string>>(
      {
        ...args,
        name,
        scope: deploymentScope(),
        dr: { ...args?.dr, key: args?.dr?.key instanceof VaultKey ? undefined : args?.dr?.key } as AwsBackupPlanDesignInput<pulumi.Input<string>>["dr"],
        key: args?.key instanceof VaultKey ? undefined : args?.key,
        topic: args?.topic,
        ...(primaryRegion !== undefined ? { primaryRegion } : {}),
      },
      `AwsBackupPlan "${name}"`,
    );
    super("lifeboat:aws:AwsBackupPlan", name, {}, opts);
    this.design = design;
    this.plan = design.plan;
    this.drRegion = design.drRegion;
    const protect = design.retain;
    const tags = args.tags ? { tags: args.tags } : {};
    const dr = args.dr;

    [this.keyArn, this.vaultKey] = this.keyOf(`${name}-key`, args.key, design.vault, protect, tags, { parent: this });
    this.vault = new backup.Vault(`${name}-vault`, this.vaultArgs(design.vault, this.keyArn, tags), { parent: this, protect });
    this.vaultName = this.vault.name;
    this.vaultArn = this.vault.arn;

    this.drProvider = dr.provider ?? new Provider(`${name}-dr-provider`, { region: design.drRegion }, { parent: this });
    const inDr = { parent: this, provider: this.drProvider };
    [this.drKeyArn, this.drVaultKey] = this.keyOf(`${name}-dr-key`, dr.key, design.drVault, protect, tags, { parent: this, providers: { aws: this.drProvider } });
    this.drVault = new backup.Vault(`${name}-dr-vault`, this.vaultArgs(design.drVault, this.drKeyArn, tags), { ...inDr, protect });
    this.drVaultName = this.drVault.name;
    this.drVaultArn = this.drVault.arn;

    if (design.vault.lock) this.vaultLock = new backup.VaultLockConfiguration(`${name}-vault-lock`, { backupVaultName: this.vault.name, ...design.vault.lock }, { parent: this });
    if (design.drVault.lock) this.drVaultLock = new backup.VaultLockConfiguration(`${name}-dr-vault-lock`, { backupVaultName: this.drVault.name, ...design.drVault.lock }, inDr);

    const { partition } = accountContext(this);
    this.role = new iam.Role(`${name}-role`, { description: design.role.description, assumeRolePolicy: JSON.stringify(design.role.trustPolicy), ...tags }, { parent: this });
    this.roleArn = this.role.arn;
    this.rolePolicyAttachments = design.role.managedPolicies.map(
      (policy) => new iam.RolePolicyAttachment(`${name}-${policy.role}-policy`, { role: this.role.name, policyArn: partition.apply((p) => awsManagedPolicyArn(p, policy.name)) }, { parent: this }),
    );

    // The copy goes where the DR provider deploys; fail the deployment, not the first copy job, when that is the primary's region.
    const primaryAt = getRegionOutput({}, { parent: this }).region;
    const drAt = getRegionOutput({}, inDr).region;
    const drVaultChecked = pulumi.all([this.drVault.arn, primaryAt, drAt]).apply(([arn, primary, at]) => {
      const mismatch = crossRegionMismatch({ subject: `AwsBackupPlan "${name}"`, originalAt: primary, copyAt: at, copyRegion: design.drRegion, argument: "dr", pair: "the vault and the DR vault" });
      if (mismatch) throw new Error(mismatch);
      return arn;
    });
    this.backupPlan = new backup.Plan(
      `${name}-plan`,
      {
        name: design.planName,
        rules: design.rules.map(
          (rule): inputs.backup.PlanRule => ({
            ruleName: rule.name,
            targetVaultName: this.vault.name,
            schedule: rule.schedule,
            scheduleExpressionTimezone: design.scheduleTimezone,
            startWindow: rule.startWindowMinutes,
            completionWindow: rule.completionWindowMinutes,
            enableContinuousBackup: rule.continuous,
            lifecycle: lifecycleOf(rule.lifecycle),
            copyActions: [{ destinationVaultArn: drVaultChecked, lifecycle: lifecycleOf(rule.copy.lifecycle) }],
          }),
        ),
        ...tags,
      },
      { parent: this, dependsOn: [...(this.vaultLock ? [this.vaultLock] : []), ...(this.drVaultLock ? [this.drVaultLock] : [])] },
    );
    this.backupPlanId = this.backupPlan.id;
    this.backupPlanArn = this.backupPlan.arn;
    this.rules = design.summary;

    const afterRole = { parent: this, dependsOn: this.rolePolicyAttachments };
    for (const selection of design.selections) {
      this.selections.push(
        new backup.Selection(
          `${name}-selection-${selection.role}`,
          {
            name: selection.name,
            planId: this.backupPlan.id,
            iamRoleArn: this.role.arn,
            ...(selection.resources ? { resources: [...selection.resources] } : {}),
            ...(selection.conditions ? { selectionTags: selection.conditions.map((c) => ({ type: c.type, key: c.key, value: c.value })) } : {}),
            ...(selection.notResources.length > 0 ? { notResources: [...selection.notResources] } : {}),
          },
          afterRole,
        ),
      );
    }

    const topicArn = args.topic instanceof AlertTopic ? args.topic.arn : pulumi.output(args.topic);
    this.notifications = new backup.VaultNotifications(
      `${name}-notifications`,
      { backupVaultName: this.vault.name, snsTopicArn: topicArn, backupVaultEvents: [...design.notificationEvents] },
      { parent: this },
    );

    if (design.restoreTesting) {
      const { plan: testing, selection } = design.restoreTesting;
      this.restoreTestingPlan = new backup.RestoreTestingPlan(
        `${name}-restore-testing`,
        {
          name: testing.name,
          scheduleExpression: testing.schedule,
          scheduleExpressionTimezone: testing.scheduleTimezone,
          startWindowHours: testing.startWindowHours,
          recoveryPointSelection: {
            algorithm: testing.algorithm,
            includeVaults: [this.vault.arn],
            recoveryPointTypes: [...testing.recoveryPointTypes],
            selectionWindowDays: testing.selectionWindowDays,
          },
          ...tags,
        },
        // The name is fixed (AWS allows no hyphens, so no auto-name): replace by deleting first.
        { parent: this, deleteBeforeReplace: true },
      );
      this.restoreTestingSelection = new backup.RestoreTestingSelection(
        `${name}-restore-testing-selection`,
        {
          name: selection.name,
          restoreTestingPlanName: this.restoreTestingPlan.name,
          protectedResourceType: selection.resourceType,
          protectedResourceArns: [...selection.resources],
          iamRoleArn: this.role.arn,
          validationWindowHours: selection.validationWindowHours,
          ...(selection.metadataOverrides !== undefined ? { restoreMetadataOverrides: selection.metadataOverrides } : {}),
        },
        { parent: this, deleteBeforeReplace: true, dependsOn: this.rolePolicyAttachments },
      );
    }

    this.registerOutputs({
      vaultName: this.vaultName,
      vaultArn: this.vaultArn,
      drVaultName: this.drVaultName,
      drVaultArn: this.drVaultArn,
      drRegion: this.drRegion,
      backupPlanId: this.backupPlanId,
      roleArn: this.roleArn,
      rules: this.rules,
    });
  }

  /** The key given (a VaultKey or an ARN), or a new VaultKey with the design's description. */
  private keyOf(
    name: string,
    given: VaultKey | pulumi.Input<string> | undefined,
    vault: AwsBackupVaultDesign<pulumi.Input<string>>,
    protect: boolean,
    tags: { tags?: AwsBackupPlanArgs["tags"] },
    opts: pulumi.ComponentResourceOptions,
  ): [pulumi.Output<string>, VaultKey | undefined] {
    if (given instanceof VaultKey) return [given.arn, undefined];
    if (given !== undefined) return [pulumi.output(given), undefined];
    const key = new VaultKey(name, { description: vault.keyDescription, protect, ...tags }, opts);
    return [key.arn, key];
  }

  private vaultArgs(vault: AwsBackupVaultDesign<pulumi.Input<string>>, kmsKeyArn: pulumi.Input<string>, tags: { tags?: AwsBackupPlanArgs["tags"] }): backup.VaultArgs {
    return { ...(vault.name !== undefined ? { name: vault.name } : {}), kmsKeyArn, forceDestroy: vault.forceDestroy, ...tags };
  }
}

function lifecycleOf(lifecycle: AwsBackupLifecycleDesign): inputs.backup.PlanRuleLifecycle {
  return { deleteAfter: lifecycle.deleteAfterDays, ...(lifecycle.coldStorageAfterDays !== undefined ? { coldStorageAfter: lifecycle.coldStorageAfterDays } : {}) };
}
