import type { FactBase } from "./fact";

/** A customer managed KMS key. */
export interface KmsKeyFact extends FactBase {
  readonly kind: "kms-key";
  readonly arn?: string;
  /** `SYMMETRIC_DEFAULT` unless set otherwise. */
  readonly keySpec: string;
  /** `ENCRYPT_DECRYPT` unless set otherwise. */
  readonly keyUsage: string;
  readonly rotationEnabled?: boolean;
  /** undefined when not set: KMS then waits 30 days. */
  readonly deletionWindowDays?: number;
}
