import type { ExpiringRule } from "./bucket";
import type { FactBase } from "./fact";

/** A DigitalOcean Spaces bucket. */
export interface SpacesBucketFact extends FactBase {
  readonly kind: "spaces-bucket";
  readonly bucketName?: string;
  /** `private` unless set. */
  readonly acl: string;
  readonly versioning: boolean;
  /** `true` when a bucket policy lets anyone read. */
  readonly publicPolicy: boolean;
  readonly lifecycle: readonly ExpiringRule[];
}

/** A DigitalOcean managed database cluster or read replica. */
export interface DoDatabaseFact extends FactBase {
  readonly kind: "do-database";
  readonly engine?: string;
  readonly isReplica: boolean;
}
