import type { FactBase } from "./fact";

/** A DynamoDB table. */
export interface TableFact extends FactBase {
  readonly kind: "table";
  readonly arn?: string;
  readonly pointInTimeRecovery?: boolean;
}
