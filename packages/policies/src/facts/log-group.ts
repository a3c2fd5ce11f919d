import type { FactBase } from "./fact";

/** A CloudWatch Logs log group. */
export interface LogGroupFact extends FactBase {
  readonly kind: "log-group";
  /** undefined or 0 when logs are kept forever. */
  readonly retentionDays?: number;
}
