import { knownString } from "../deploy-time";
import type { DurationInput } from "../duration";
import { LifeboatValidationError, Problems } from "../errors";
import {
  AWS_BACKUP_MANAGED_POLICIES,
  type AwsBackupPlanDesign,
  type AwsBackupRetentionArgs,
  awsBackupTrustPolicy,
  type BackupRulePlan,
  type BackupVaultLockArgs,
  type BackupVaultLockPlan,
  type ColdStorageArgs,
  type ContinuousBackupArgs,
  planAwsBackup,
  type RestoreTestingAlgorithm,
  type RestoreTestingArgs,
  restoreTestingName,
} from "./aws-backup";
import type { PolicyDocument } from "./iam";
import { type NameRule, uniquePhysicalName } from "./physical-names";

/**
 * The disaster-recovery side of an AWS Backup plan: a vault in another region that every rule copies
 * to. `V` is the front end's value type (a Pulumi `Input<string>`, a CDK token string).
 */
export interface AwsBackupDrOptions<V = string> {
  /** The DR region, for example `"us-west-2"`. Must differ from the primary's. */
  readonly region: string;
  /**
   * The DR vault's name: 2 to 50 letters, digits, hyphens and underscores.
   * @default - a unique name the engine generates
   */
  readonly vaultName?: V;
}

/** Which resources an AWS Backup plan backs up. Give `resources`, `tags`, or both. */
export interface AwsBackupSelectionOptions<V = string> {
  /**
   * ARNs (or patterns with `*`) of the resources to back up, such as a database's ARN.
   * @default - none; `tags` must be given
   */
  readonly resources?: readonly V[];
  /**
   * Back up every resource carrying any of these tags (tag key → value).
   * @default - none; `resources` must be given
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * ARNs (or patterns) never backed up, even when selected.
   * @default - none
   */
  readonly notResources?: readonly V[];
}

/** The restore tests of an AWS Backup plan, with what the restored database needs. */
export interface AwsRestoreTestingOptions<V = string> extends RestoreTestingArgs {
  /**
   * The databases tested (ARNs or patterns).
   * @default ["*"] - every protected database of `resourceType` with a recovery point in the vault
   */
  readonly resources?: readonly V[];
  /**
   * Restore settings AWS Backup cannot infer, such as `dbSubnetGroupName`, `vpcSecurityGroupIds` or a
   * smaller `dbInstanceClass`.
   * @default - what AWS Backup infers from the recovery point
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html
   */
  readonly metadataOverrides?: Readonly<Record<string, V>>;
}

/**
 * The arguments of an AWS Backup plan, declared once for every front end (Pulumi `AwsBackupPlanArgs`
 * and CDK `AwsBackupPlanProps` extend it with their DR provider or stack, keys and topic).
 */
export interface AwsBackupPlanOptions<V = string> {
  /** What is backed up. */
  readonly selection: AwsBackupSelectionOptions<V>;
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
  readonly maintenanceWindows?: readonly V[];
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
   * The primary vault's name: 2 to 50 letters, digits, hyphens and underscores.
   * @default - a unique name the engine generates
   */
  readonly vaultName?: V;
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
  readonly restoreTesting?: AwsRestoreTestingOptions<V> | false;
  /**
   * Keep the vaults and the keys this component creates when the stack is destroyed or the resource
   * replaced (Pulumi `protect`, CDK `RemovalPolicy.RETAIN`).
   * @default true
   */
  readonly protect?: boolean;
}

/** What a front end hands {@link designAwsBackupPlan} besides the declared arguments. */
export interface AwsBackupPlanDesignInput<V = string> extends AwsBackupPlanOptions<V> {
  /** The component's name (Pulumi) or id (CDK): role descriptions and physical names start with it. */
  readonly name: string;
  /** What tells this deployment apart (Pulumi `<project>/<stack>`, the CDK stack and path), for unique physical names. */
  readonly scope: string;
  /** The DR side; `key` is a key ARN given as a value, `undefined` when the front end has a key object or creates one. */
  readonly dr: AwsBackupDrOptions<V> & { readonly key?: unknown };
  /** A key ARN given as a value; `undefined` when the front end has a key object or creates one. */
  readonly key?: unknown;
  /** The topic given (an object or an ARN); only its presence is checked. */
  readonly topic: unknown;
  /** @default - unknown; a DR region equal to it is refused */
  readonly primaryRegion?: string;
}

/** One rule as the runbook prints it. */
export interface AwsBackupRuleSummary {
  readonly name: string;
  readonly schedule: string;
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
  readonly continuous: boolean;
}

/** When AWS Backup deletes a recovery point and moves it to cold storage, in days. */
export interface AwsBackupLifecycleDesign {
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
}

/** One rule of the plan as rendered: target the primary vault, copy to the DR vault with the same lifecycle. */
export interface AwsBackupRuleDesign {
  readonly name: string;
  /** AWS Backup cron expression in {@link AwsBackupPlanComponentDesign.scheduleTimezone}. */
  readonly schedule: string;
  readonly startWindowMinutes: number;
  readonly completionWindowMinutes: number;
  readonly continuous: boolean;
  readonly lifecycle: AwsBackupLifecycleDesign;
  /** The copy action to the DR vault. */
  readonly copy: { readonly lifecycle: AwsBackupLifecycleDesign };
}

/** One backup selection: by ARN (`resources`) or by tag (`tags`), both under the plan's role. */
export interface AwsBackupSelectionDesign<V = string> {
  /** `resources` or `tags`: the child's role in its name (`<name>-selection-resources`, CDK `SelectionResources`). */
  readonly role: "resources" | "tags";
  /** The selection's name: letters, digits, `-`, `_` and `.`, at most 50, unique to the deployment. */
  readonly name: string;
  readonly resources?: readonly V[];
  readonly conditions?: readonly { readonly type: "STRINGEQUALS"; readonly key: string; readonly value: string }[];
  readonly notResources: readonly V[];
}

/** The restore testing plan and its selection, as rendered. */
export interface AwsRestoreTestingDesign<V = string> {
  readonly plan: {
    /** Letters, digits and underscores, at most 50, unique to the deployment. */
    readonly name: string;
    readonly schedule: string;
    readonly scheduleTimezone: string;
    readonly startWindowHours: number;
    readonly algorithm: RestoreTestingAlgorithm;
    readonly recoveryPointTypes: readonly ("SNAPSHOT" | "CONTINUOUS")[];
    readonly selectionWindowDays: number;
  };
  readonly selection: {
    readonly name: string;
    readonly resourceType: "RDS" | "Aurora";
    readonly resources: readonly (V | "*")[];
    readonly validationWindowHours: number;
    readonly metadataOverrides?: Readonly<Record<string, V>>;
  };
}

/** One AWS Backup vault as rendered: its name (or an engine-generated one), its key's description, its lock. */
export interface AwsBackupVaultDesign<V = string> {
  readonly name?: V;
  /** The description of the key created for the vault when none is given. */
  readonly keyDescription: string;
  /** Never delete a vault that still holds recovery points. */
  readonly forceDestroy: false;
  readonly lock?: BackupVaultLockPlan;
}

/** Everything about an AWS Backup plan component that a front end renders: no decision is left to it. */
export interface AwsBackupPlanComponentDesign<V = string> {
  /** The validated rules, lock, DR region, events and restore tests (from {@link planAwsBackup}). */
  readonly plan: AwsBackupPlanDesign;
  readonly drRegion: string;
  readonly vault: AwsBackupVaultDesign<V>;
  readonly drVault: AwsBackupVaultDesign<V>;
  /** Keep the vaults and created keys on delete and replacement (Pulumi `protect`, CDK `RemovalPolicy.RETAIN`). */
  readonly retain: boolean;
  /** The vault events sent to the topic: failures only. */
  readonly notificationEvents: readonly string[];
  /** The role AWS Backup assumes to back up and restore. */
  readonly role: {
    readonly description: string;
    readonly trustPolicy: PolicyDocument;
    /** AWS managed policies, each with the child role its attachment is named by (`<name>-backup-policy`). */
    readonly managedPolicies: readonly { readonly role: "backup" | "restore"; readonly name: string }[];
  };
  /**
   * The backup plan's name, unique to the deployment: AWS Backup refuses a second plan of one name in
   * an account and region, so a fixed name (CDK's default is the construct id) collides between stacks.
   */
  readonly planName: string;
  /** The time zone of every schedule. */
  readonly scheduleTimezone: "Etc/UTC";
  readonly rules: readonly AwsBackupRuleDesign[];
  readonly summary: readonly AwsBackupRuleSummary[];
  readonly selections: readonly AwsBackupSelectionDesign<V>[];
  readonly restoreTesting?: AwsRestoreTestingDesign<V>;
}

/** AWS Backup plan and selection names: letters, digits, `-`, `_` and `.`, at most 50. */
export const BACKUP_SELECTION_NAME_RULE: NameRule = { maxLength: 50, allowed: /[A-Za-z0-9._-]/, separator: "-" };
/** The time zone of AWS Backup schedules and restore tests: UTC, as the cron expressions are written. */
export const AWS_BACKUP_SCHEDULE_TIMEZONE = "Etc/UTC";

/** The ARN of an AWS managed policy, such as one of {@link AWS_BACKUP_MANAGED_POLICIES}. */
export function awsManagedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

function lifecycleOf(rule: BackupRulePlan): AwsBackupLifecycleDesign {
  return { deleteAfterDays: rule.deleteAfterDays, ...(rule.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: rule.coldStorageAfterDays } : {}) };
}

/** Records problems of what {@link planAwsBackup} does not see: the topic, the restore tests' ARNs and overrides. */
function checkComponentArguments<V>(input: AwsBackupPlanDesignInput<V>, problems: Problems): void {
  if (input.topic === undefined || input.topic === null || input.topic === "") {
    problems.add("topic", input.topic, "is required: copy job failures nobody hears of protect nothing. Pass an AlertTopic or the ARN of a topic that lets backup.amazonaws.com publish.");
  }
  const testing = input.restoreTesting;
  if (testing) {
    (testing.resources ?? []).forEach((value, i) => {
      const arn = knownString(value);
      if (arn !== undefined && arn !== "*" && !/^arn:aws[a-z-]*:rds:/.test(arn)) {
        problems.add(`restoreTesting.resources[${i}]`, arn, 'is not an RDS or Aurora ARN: restore tests restore databases. Write the full ARN, like "arn:aws:rds:us-east-1:123456789012:db:orders", or "*".');
      }
    });
    if (testing.resources !== undefined && testing.resources.length === 0) {
      problems.add("restoreTesting.resources", testing.resources, 'is empty: list the databases to test, leave it out to test every one ("*"), or set restoreTesting: false.');
    }
    const overrides = testing.metadataOverrides;
    // A Pulumi Output of the whole map is not a plain object: its keys are known only at deploy time.
    if (overrides !== undefined && overrides !== null && Object.getPrototypeOf(overrides) === Object.prototype) {
      for (const key of Object.keys(overrides)) {
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) {
          problems.add(`restoreTesting.metadataOverrides.${key}`, key, 'is not a restore metadata key: use AWS Backup\'s camelCase names, like "dbInstanceClass" or "dbSubnetGroupName".');
        }
      }
    }
  }
}

/**
 * Designs an AWS Backup plan component: validates every argument (all problems in one error, before
 * anything is created) and decides every resource's settings: the primary and DR vaults with their
 * keys and locks, the failure notifications, the role AWS Backup assumes with its managed policies,
 * one rule per tier copied to the DR vault with the same lifecycle, the selections by ARN and by tag,
 * and the restore testing plan and selection with names unique to the deployment.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
 */
export function designAwsBackupPlan<V>(input: AwsBackupPlanDesignInput<V>, subject: string): AwsBackupPlanComponentDesign<V> {
  const problems = new Problems();
  let plan: AwsBackupPlanDesign | undefined;
  try {
    plan = planAwsBackup(
      {
        ...input,
        drRegion: input.dr?.region,
        drVaultName: input.dr?.vaultName,
        keyArn: input.key,
        drKeyArn: input.dr?.key,
      },
      subject,
    );
  } catch (error) {
    if (!(error instanceof LifeboatValidationError)) throw error;
    problems.addAll(error.problems);
  }
  checkComponentArguments(input, problems);
  problems.throwIfAny(subject);
  const valid = plan as AwsBackupPlanDesign;

  const { name, scope } = input;
  const selection = input.selection;
  const notResources = [...(selection.notResources ?? [])];
  const selections: AwsBackupSelectionDesign<V>[] = [];
  if (selection.resources?.length) {
    selections.push({ role: "resources", name: uniquePhysicalName([name, "resources"], scope, BACKUP_SELECTION_NAME_RULE), resources: [...selection.resources], notResources });
  }
  if (valid.selectionTags.length > 0) {
    selections.push({
      role: "tags",
      name: uniquePhysicalName([name, "tags"], scope, BACKUP_SELECTION_NAME_RULE),
      conditions: valid.selectionTags.map((t) => ({ type: "STRINGEQUALS" as const, key: t.key, value: t.value })),
      notResources,
    });
  }

  const testing = input.restoreTesting || {};
  const rt = valid.restoreTesting;
  const restoreTesting: AwsRestoreTestingDesign<V> | undefined = rt && {
    plan: {
      name: restoreTestingName(name, "restore_testing", scope),
      schedule: rt.schedule,
      scheduleTimezone: AWS_BACKUP_SCHEDULE_TIMEZONE,
      startWindowHours: rt.startWindowHours,
      algorithm: rt.algorithm,
      recoveryPointTypes: rt.recoveryPointTypes,
      selectionWindowDays: rt.selectionWindowDays,
    },
    selection: {
      name: restoreTestingName(name, rt.resourceType.toLowerCase(), scope),
      resourceType: rt.resourceType,
      resources: testing.resources?.length ? [...testing.resources] : ["*"],
      validationWindowHours: rt.validationWindowHours,
      ...(testing.metadataOverrides !== undefined ? { metadataOverrides: testing.metadataOverrides } : {}),
    },
  };

  const lock = valid.lock ? { lock: valid.lock } : {};
  return {
    plan: valid,
    drRegion: valid.drRegion,
    vault: { ...(input.vaultName !== undefined ? { name: input.vaultName } : {}), keyDescription: `Lifeboat AWS Backup vault ${name}`, forceDestroy: false, ...lock },
    drVault: { ...(input.dr.vaultName !== undefined ? { name: input.dr.vaultName } : {}), keyDescription: `Lifeboat AWS Backup DR vault ${name}`, forceDestroy: false, ...lock },
    retain: input.protect ?? true,
    notificationEvents: valid.vaultEvents,
    role: {
      description: `AWS Backup backs up and restores for the Lifeboat plan ${name}`,
      trustPolicy: awsBackupTrustPolicy(),
      managedPolicies: AWS_BACKUP_MANAGED_POLICIES.map((policy) => ({ role: policy.endsWith("ForBackup") ? ("backup" as const) : ("restore" as const), name: policy })),
    },
    planName: uniquePhysicalName([name, "plan"], scope, BACKUP_SELECTION_NAME_RULE),
    scheduleTimezone: AWS_BACKUP_SCHEDULE_TIMEZONE,
    rules: valid.rules.map((rule) => ({
      name: rule.name,
      schedule: rule.schedule,
      startWindowMinutes: rule.startWindowMinutes,
      completionWindowMinutes: rule.completionWindowMinutes,
      continuous: rule.continuous,
      lifecycle: lifecycleOf(rule),
      copy: { lifecycle: lifecycleOf(rule) },
    })),
    summary: valid.rules.map((r) => ({
      name: r.name,
      schedule: r.schedule,
      deleteAfterDays: r.deleteAfterDays,
      ...(r.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: r.coldStorageAfterDays } : {}),
      continuous: r.continuous,
    })),
    selections,
    ...(restoreTesting ? { restoreTesting } : {}),
  };
}
