import type { FactBase } from "./fact";

/** A CloudWatch metric alarm. */
export interface AlarmFact extends FactBase {
  readonly kind: "alarm";
  readonly actionsEnabled: boolean;
  readonly alarmActions: readonly string[];
}
