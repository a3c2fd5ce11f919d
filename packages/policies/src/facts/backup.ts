import type { FactBase } from "./fact";

/** When AWS Backup moves a recovery point to cold storage and deletes it. */
export interface BackupLifecycleFact {
  readonly coldStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
}

/** A copy action of an AWS Backup rule. */
export interface BackupCopyFact {
  /** The destination vault's ARN as written (it may be a reference). */
  readonly destinationVaultArn?: string;
  /** Region of the destination, when its ARN says or the vault is in the same stack. */
  readonly destinationRegion?: string;
  /** The fact id of the destination vault when it is in the same stack or template. */
  readonly destinationId?: string;
  /**
   * `true` when the destination is known to be in the plan's region (a vault of the same template,
   * or of the same stack through the same provider), `false` when known to be elsewhere.
   */
  readonly destinationInSameRegion?: boolean;
  readonly lifecycle?: BackupLifecycleFact;
}

/** `true` unless a copy is known to stay in `region`: a copy whose destination cannot be placed counts as leaving it. */
export function copyLeavesRegion(copy: BackupCopyFact, region: string | undefined): boolean {
  if (copy.destinationInSameRegion !== undefined) return !copy.destinationInSameRegion;
  return copy.destinationRegion === undefined || region === undefined || copy.destinationRegion !== region;
}

/** One rule of an AWS Backup plan. */
export interface BackupRuleFact {
  readonly name: string;
  readonly targetVault?: string;
  readonly continuous: boolean;
  readonly lifecycle?: BackupLifecycleFact;
  readonly copies: readonly BackupCopyFact[];
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
  /** The KMS key recovery points are encrypted with; undefined when AWS Backup's default key is used. */
  readonly kmsKeyId?: string;
  /** `true` when the key is a KMS key created in the same stack. */
  readonly keyInStack: boolean;
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
