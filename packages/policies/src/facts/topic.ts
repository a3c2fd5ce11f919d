import type { FactBase } from "./fact";

/** An SNS topic. */
export interface TopicFact extends FactBase {
  readonly kind: "topic";
  readonly kmsKeyId?: string;
  readonly keyInStack: boolean;
}
