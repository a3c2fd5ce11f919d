import * as pulumi from "@pulumi/pulumi";
import * as backup from "@pulumi/aws/backup";
import * as iam from "@pulumi/aws/iam";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { Provider } from "@pulumi/aws/provider";
import type * as inputs from "@pulumi/aws/types/input";
import {
  AWS_BACKUP_MANAGED_POLICIES,
  type AwsBackupPlanDesign,
  type AwsBackupRetentionArgs,
  awsBackupTrustPolicy,
  crossRegionMismatch,
  type BackupRulePlan,
  type BackupVaultLockArgs,
  type ColdStorageArgs,
  type ContinuousBackupArgs,
  type DurationInput,
  planAwsBackup,
  type RestoreTestingArgs,
  restoreTestingName,
} from "../../core";
import { accountContext } from "./account";
import { deploymentScope } from "./deployment-scope";
import { AlertTopic } from "./alert-topic";
import { configuredRegion } from "./configured-region";
import { VaultKey } from "./vault-key";

/** The disaster-recovery side of an {@link AwsBackupPlan}: a vault in another region that every rule copies to. */
export interface AwsBackupDrArgs {
  /** The DR region, for example `"us-west-2"`. Must differ from the primary's. */
  readonly region: string;
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
  /**
   * The DR vault's name: 2 to 50 letters, digits, hyphens and underscores.
   * @default - a unique name derived from `<name>-dr-vault`
   */
  readonly vaultName?: pulumi.Input<string>;
}

/** Which resources the plan backs up. Give `resources`, `tags`, or both. */
export interface AwsBackupSelectionArgs {
  /**
   * ARNs (or patterns with `*`) of the resources to back up, such as a database's `arn`.
   * @default - none
   */
  readonly resources?: readonly pulumi.Input<string>[];
  /**
   * Back up every resource carrying any of these tags (tag key → value).
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * ARNs (or patterns) never backed up, even when selected.
   * @default - none
   */
  readonly notResources?: readonly pulumi.Input<string>[];
}

/** The restore tests of an {@link AwsBackupPlan}, with what the restored database needs. */
export interface AwsRestoreTestingArgs extends RestoreTestingArgs {
  /**
   * The databases tested (ARNs or patterns).
   * @default ["*"] - every protected database of `resourceType` with a recovery point in the vault
   */
  readonly resources?: readonly pulumi.Input<string>[];
  /**
   * Restore settings AWS Backup cannot infer, such as `dbSubnetGroupName`, `vpcSecurityGroupIds` or a
   * smaller `dbInstanceClass`.
   * @default - what AWS Backup infers from the recovery point
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html
   */
  readonly metadataOverrides?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Arguments of an {@link AwsBackupPlan}. */
export interface AwsBackupPlanArgs {
  /** What is backed up. */
  readonly selection: AwsBackupSelectionArgs;
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
   * How long recovery points are kept per tier; one rule per tier that outlives the one before it.
   * @default - dailies 35 days, weeklies 90 days, monthlies 365 days
   */
  readonly retention?: AwsBackupRetentionArgs;
  /**
   * Move recovery points to cold storage (where the resource type supports it; RDS does not).
   * @default - never
   */
  readonly coldStorage?: ColdStorageArgs;
  /**
   * Add a continuous backup rule (point-in-time restore, at most 35 days). For RDS, AWS Backup then
   * manages the instance's automated backup retention, which then differs from the program's.
   * @default - no continuous rule
   */
  readonly continuousBackup?: ContinuousBackupArgs | boolean;
  /**
   * When backups start each day, `"hh:mm"` in UTC. It must leave the start window clear of the
   * protected databases' maintenance windows and the hour before them (AWS Backup does not start an
   * RDS backup there).
   * @default "01:00", or the first whole hour clear of `maintenanceWindows`
   */
  readonly backupTime?: string;
  /**
   * The weekly maintenance windows of the protected databases, such as `"sun:05:00-sun:06:00"`.
   * @default - none known (values known only at deploy time are not checked)
   */
  readonly maintenanceWindows?: readonly pulumi.Input<string>[];
  /**
   * How long after `backupTime` a job may start before it is cancelled (at least 1 hour).
   * @default 1 hour
   */
  readonly startWindow?: DurationInput;
  /**
   * How long after `backupTime` a job must finish; longer than `startWindow`.
   * @default 1 day
   */
  readonly completionWindow?: DurationInput;
  /**
   * The key that encrypts the primary vault.
   * @default - a new VaultKey named `<name>-key`
   */
  readonly key?: VaultKey | pulumi.Input<string>;
  /**
   * The primary vault's name: 2 to 50 letters, digits, hyphens and underscores.
   * @default - a unique name derived from `<name>-vault`
   */
  readonly vaultName?: pulumi.Input<string>;
  /**
   * AWS Backup Vault Lock on both vaults. `false` leaves them unlocked and must be said explicitly.
   * A `COMPLIANCE` lock cannot be removed by anyone once `changeableFor` has passed.
   * @default { mode: "GOVERNANCE" } - minimum retention the shortest rule's, no maximum
   */
  readonly lock?: BackupVaultLockArgs | false;
  /**
   * Test restores of the backed-up databases on a schedule. `false` turns them off.
   * @default - weekly, RDS instances, latest recovery point of the last 7 days, kept 1 hour
   */
  readonly restoreTesting?: AwsRestoreTestingArgs | false;
  /**
   * The primary region, to refuse a DR region equal to it before anything is created. Also checked
   * at deploy time through the providers.
   * @default - the `aws:region` config when no explicit provider is passed
   */
  readonly primaryRegion?: string;
  /**
   * Refuse `pulumi destroy` and replacements of the vaults and of the keys this component creates.
   * @default true
   */
  readonly protect?: boolean;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** One rule as the runbook prints it. */
export interface AwsBackupRuleSummary {
  readonly name: string;
  readonly schedule: string;
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
  readonly continuous: boolean;
}

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

  constructor(name: string, args: AwsBackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    const dr = args?.dr ?? ({} as AwsBackupDrArgs);
    const primaryRegion = args?.primaryRegion ?? configuredRegion(opts);
    const plan = planAwsBackup(
      {
        ...(args.retention !== undefined ? { retention: args.retention } : {}),
        ...(args.coldStorage !== undefined ? { coldStorage: args.coldStorage } : {}),
        ...(args.continuousBackup !== undefined ? { continuousBackup: args.continuousBackup } : {}),
        ...(args.backupTime !== undefined ? { backupTime: args.backupTime } : {}),
        ...(args.maintenanceWindows !== undefined ? { maintenanceWindows: args.maintenanceWindows } : {}),
        ...(args.startWindow !== undefined ? { startWindow: args.startWindow } : {}),
        ...(args.completionWindow !== undefined ? { completionWindow: args.completionWindow } : {}),
        ...(args.lock !== undefined ? { lock: args.lock } : {}),
        ...(args.restoreTesting !== undefined ? { restoreTesting: args.restoreTesting } : {}),
        drRegion: dr.region,
        ...(primaryRegion !== undefined ? { primaryRegion } : {}),
        vaultName: args.vaultName,
        drVaultName: dr.vaultName,
        keyArn: args.key instanceof VaultKey ? undefined : args.key,
        drKeyArn: dr.key instanceof VaultKey ? undefined : dr.key,
        ...(args.selection !== undefined ? { selection: args.selection } : {}),
      },
      `AwsBackupPlan "${name}"`,
    );
    super("lifeboat:aws:AwsBackupPlan", name, {}, opts);
    this.plan = plan;
    this.drRegion = plan.drRegion;
    const protect = args.protect ?? true;
    const tags = args.tags ? { tags: args.tags } : {};

    if (args.key instanceof VaultKey) {
      this.keyArn = args.key.arn;
    } else if (args.key !== undefined) {
      this.keyArn = pulumi.output(args.key);
    } else {
      this.vaultKey = new VaultKey(`${name}-key`, { description: `Lifeboat AWS Backup vault ${name}`, protect, ...tags }, { parent: this });
      this.keyArn = this.vaultKey.arn;
    }
    this.vault = new backup.Vault(
      `${name}-vault`,
      { ...(args.vaultName !== undefined ? { name: args.vaultName } : {}), kmsKeyArn: this.keyArn, forceDestroy: false, ...tags },
      { parent: this, protect },
    );
    this.vaultName = this.vault.name;
    this.vaultArn = this.vault.arn;

    this.drProvider = dr.provider ?? new Provider(`${name}-dr-provider`, { region: plan.drRegion }, { parent: this });
    const inDr = { parent: this, provider: this.drProvider };
    if (dr.key instanceof VaultKey) {
      this.drKeyArn = dr.key.arn;
    } else if (dr.key !== undefined) {
      this.drKeyArn = pulumi.output(dr.key);
    } else {
      this.drVaultKey = new VaultKey(`${name}-dr-key`, { description: `Lifeboat AWS Backup DR vault ${name}`, protect, ...tags }, { parent: this, providers: { aws: this.drProvider } });
      this.drKeyArn = this.drVaultKey.arn;
    }
    this.drVault = new backup.Vault(
      `${name}-dr-vault`,
      { ...(dr.vaultName !== undefined ? { name: dr.vaultName } : {}), kmsKeyArn: this.drKeyArn, forceDestroy: false, ...tags },
      { ...inDr, protect },
    );
    this.drVaultName = this.drVault.name;
    this.drVaultArn = this.drVault.arn;

    if (plan.lock) {
      const lock = {
        minRetentionDays: plan.lock.minRetentionDays,
        ...(plan.lock.maxRetentionDays !== undefined ? { maxRetentionDays: plan.lock.maxRetentionDays } : {}),
        ...(plan.lock.changeableForDays !== undefined ? { changeableForDays: plan.lock.changeableForDays } : {}),
      };
      this.vaultLock = new backup.VaultLockConfiguration(`${name}-vault-lock`, { backupVaultName: this.vault.name, ...lock }, { parent: this });
      this.drVaultLock = new backup.VaultLockConfiguration(`${name}-dr-vault-lock`, { backupVaultName: this.drVault.name, ...lock }, inDr);
    }

    const { partition } = accountContext(this);
    this.role = new iam.Role(
      `${name}-role`,
      { description: `AWS Backup backs up and restores for the Lifeboat plan ${name}`, assumeRolePolicy: JSON.stringify(awsBackupTrustPolicy()), ...tags },
      { parent: this },
    );
    this.roleArn = this.role.arn;
    this.rolePolicyAttachments = AWS_BACKUP_MANAGED_POLICIES.map(
      (policy) =>
        new iam.RolePolicyAttachment(
          `${name}-${policy.endsWith("ForBackup") ? "backup" : "restore"}-policy`,
          { role: this.role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` },
          { parent: this },
        ),
    );

    // The copy goes where the DR provider deploys; fail the deployment, not the first copy job, when that is the primary's region.
    const primaryAt = getRegionOutput({}, { parent: this }).region;
    const drAt = getRegionOutput({}, inDr).region;
    const drVaultChecked = pulumi.all([this.drVault.arn, primaryAt, drAt]).apply(([arn, primary, at]) => {
      const mismatch = crossRegionMismatch({ subject: `AwsBackupPlan "${name}"`, originalAt: primary, copyAt: at, copyRegion: plan.drRegion, argument: "dr", pair: "the vault and the DR vault" });
      if (mismatch) throw new Error(mismatch);
      return arn;
    });
    const lifecycleOf = (rule: BackupRulePlan) => ({
      deleteAfter: rule.deleteAfterDays,
      ...(rule.coldStorageAfterDays !== undefined ? { coldStorageAfter: rule.coldStorageAfterDays } : {}),
    });
    this.backupPlan = new backup.Plan(
      `${name}-plan`,
      {
        rules: plan.rules.map(
          (rule): inputs.backup.PlanRule => ({
            ruleName: rule.name,
            targetVaultName: this.vault.name,
            schedule: rule.schedule,
            scheduleExpressionTimezone: "Etc/UTC",
            startWindow: rule.startWindowMinutes,
            completionWindow: rule.completionWindowMinutes,
            enableContinuousBackup: rule.continuous,
            lifecycle: lifecycleOf(rule),
            copyActions: [{ destinationVaultArn: drVaultChecked, lifecycle: lifecycleOf(rule) }],
          }),
        ),
        ...tags,
      },
      { parent: this, dependsOn: [...(this.vaultLock ? [this.vaultLock] : []), ...(this.drVaultLock ? [this.drVaultLock] : [])] },
    );
    this.backupPlanId = this.backupPlan.id;
    this.backupPlanArn = this.backupPlan.arn;
    this.rules = plan.rules.map((r) => ({
      name: r.name,
      schedule: r.schedule,
      deleteAfterDays: r.deleteAfterDays,
      ...(r.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: r.coldStorageAfterDays } : {}),
      continuous: r.continuous,
    }));

    const selection = args.selection;
    const notResources = selection.notResources?.length ? { notResources: [...selection.notResources] } : {};
    const afterRole = { parent: this, dependsOn: this.rolePolicyAttachments };
    if (selection.resources?.length) {
      this.selections.push(
        new backup.Selection(`${name}-selection-resources`, { planId: this.backupPlan.id, iamRoleArn: this.role.arn, resources: [...selection.resources], ...notResources }, afterRole),
      );
    }
    if (plan.selectionTags.length > 0) {
      this.selections.push(
        new backup.Selection(
          `${name}-selection-tags`,
          { planId: this.backupPlan.id, iamRoleArn: this.role.arn, selectionTags: plan.selectionTags.map((t) => ({ type: "STRINGEQUALS", key: t.key, value: t.value })), ...notResources },
          afterRole,
        ),
      );
    }

    const topicArn = args.topic instanceof AlertTopic ? args.topic.arn : pulumi.output(args.topic);
    this.notifications = new backup.VaultNotifications(
      `${name}-notifications`,
      { backupVaultName: this.vault.name, snsTopicArn: topicArn, backupVaultEvents: [...plan.vaultEvents] },
      { parent: this },
    );

    if (plan.restoreTesting) {
      const rt = plan.restoreTesting;
      const testing = args.restoreTesting || {};
      this.restoreTestingPlan = new backup.RestoreTestingPlan(
        `${name}-restore-testing`,
        {
          name: restoreTestingName(name, "restore_testing", deploymentScope()),
          scheduleExpression: rt.schedule,
          scheduleExpressionTimezone: "Etc/UTC",
          startWindowHours: rt.startWindowHours,
          recoveryPointSelection: {
            algorithm: rt.algorithm,
            includeVaults: [this.vault.arn],
            recoveryPointTypes: [...rt.recoveryPointTypes],
            selectionWindowDays: rt.selectionWindowDays,
          },
          ...tags,
        },
        // The name is fixed (AWS allows no hyphens, so no auto-name): replace by deleting first.
        { parent: this, deleteBeforeReplace: true },
      );
      this.restoreTestingSelection = new backup.RestoreTestingSelection(
        `${name}-restore-testing-selection`,
        {
          name: restoreTestingName(name, rt.resourceType.toLowerCase(), deploymentScope()),
          restoreTestingPlanName: this.restoreTestingPlan.name,
          protectedResourceType: rt.resourceType,
          protectedResourceArns: testing.resources?.length ? [...testing.resources] : ["*"],
          iamRoleArn: this.role.arn,
          validationWindowHours: rt.validationWindowHours,
          ...(testing.metadataOverrides !== undefined ? { restoreMetadataOverrides: testing.metadataOverrides } : {}),
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
}
