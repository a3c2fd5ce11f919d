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
  /** Rules of the `DatabaseFirewall`s that point at this cluster; 0 when none does (the cluster accepts any address). */
  readonly firewallRules: number;
  /** Regions of the read-only replicas that point at this cluster. */
  readonly replicaRegions: readonly string[];
  /** Valkey or Redis persistence as a `DatabaseValkeyConfig`/`DatabaseRedisConfig` sets it; absent when none does (DigitalOcean's default, `rdb`). */
  readonly persistence?: string;
}
