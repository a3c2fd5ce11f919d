import type { FactBase } from "./fact";

/** When AWS Backup moves a recovery point to cold storage and deletes it. */
export interface BackupLifecycleFact {
  readonly coldStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
}

/** One rule of an AWS Backup plan. */
export interface BackupRuleFact {
  readonly name: string;
  readonly targetVault?: string;
  readonly continuous: boolean;
  readonly lifecycle?: BackupLifecycleFact;
  readonly copies: readonly { readonly destinationVaultArn?: string; readonly destinationRegion?: string; readonly lifecycle?: BackupLifecycleFact }[];
}

/** An AWS Backup plan. */
export interface BackupPlanFact extends FactBase {
  readonly kind: "backup-plan";
  readonly rules: readonly BackupRuleFact[];
}

/** An AWS Backup vault, with its Vault Lock when it has one. */
export interface BackupVaultFact extends FactBase {
  readonly kind: "backup-vault";
  readonly vaultName?: string;
  readonly arn?: string;
  readonly lock?: { readonly minRetentionDays?: number; readonly maxRetentionDays?: number; readonly changeableForDays?: number; readonly lockId?: string };
}

/** Which resources an AWS Backup plan protects. */
export interface BackupSelectionFact extends FactBase {
  readonly kind: "backup-selection";
  /** The plan's fact id, when the plan is in the stack. */
  readonly planId?: string;
  /** Fact ids of the stack's resources the selection names (through references). */
  readonly resourceIds: readonly string[];
  /** ARNs or ARN patterns (`*` wildcards) of protected resources. */
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** Tag conditions: a resource with any of these tags (StringEquals) is protected. */
  readonly tagConditions: readonly { readonly key: string; readonly value: string }[];
}
