import type { AlarmFact } from "./alarm";
import type { BackupPlanFact, BackupSelectionFact, BackupVaultFact } from "./backup";
import type { BucketFact } from "./bucket";
import type { CacheFact } from "./cache";
import type { BackupReplicationFact, DatabaseFact } from "./database";
import type { DoDatabaseFact, SpacesBucketFact } from "./digitalocean";
import type { KmsKeyFact } from "./kms-key";
import type { LogGroupFact } from "./log-group";
import type { TableFact } from "./table";
import type { TopicFact } from "./topic";

/** Every fact the rules judge. */
export type Fact =
  | BucketFact
  | KmsKeyFact
  | DatabaseFact
  | BackupReplicationFact
  | CacheFact
  | TableFact
  | TopicFact
  | AlarmFact
  | LogGroupFact
  | BackupPlanFact
  | BackupVaultFact
  | BackupSelectionFact
  | SpacesBucketFact
  | DoDatabaseFact;

/** Facts of one stack or template, by kind. Adapters build it; rules only read it. */
export interface StackFacts {
  readonly buckets: readonly BucketFact[];
  readonly keys: readonly KmsKeyFact[];
  readonly databases: readonly DatabaseFact[];
  readonly backupReplications: readonly BackupReplicationFact[];
  readonly caches: readonly CacheFact[];
  readonly tables: readonly TableFact[];
  readonly topics: readonly TopicFact[];
  readonly alarms: readonly AlarmFact[];
  readonly logGroups: readonly LogGroupFact[];
  readonly backupPlans: readonly BackupPlanFact[];
  readonly backupVaults: readonly BackupVaultFact[];
  readonly backupSelections: readonly BackupSelectionFact[];
  readonly spacesBuckets: readonly SpacesBucketFact[];
  readonly doDatabases: readonly DoDatabaseFact[];
  /** Resources the adapter could not read (a shape it did not expect), with why. */
  readonly unreadable: readonly { readonly id: string; readonly type: string; readonly name: string; readonly error: string }[];
}

/** A mutable collection adapters fill. */
export type MutableStackFacts = { -readonly [K in keyof StackFacts]: StackFacts[K] extends readonly (infer T)[] ? T[] : never };

/** An empty collection of facts. */
export function emptyFacts(): MutableStackFacts {
  return {
    buckets: [],
    keys: [],
    databases: [],
    backupReplications: [],
    caches: [],
    tables: [],
    topics: [],
    alarms: [],
    logGroups: [],
    backupPlans: [],
    backupVaults: [],
    backupSelections: [],
    spacesBuckets: [],
    doDatabases: [],
    unreadable: [],
  };
}

/** Every fact in one list. */
export function allFacts(facts: StackFacts): Fact[] {
  return [
    ...facts.buckets,
    ...facts.keys,
    ...facts.databases,
    ...facts.backupReplications,
    ...facts.caches,
    ...facts.tables,
    ...facts.topics,
    ...facts.alarms,
    ...facts.logGroups,
    ...facts.backupPlans,
    ...facts.backupVaults,
    ...facts.backupSelections,
    ...facts.spacesBuckets,
    ...facts.doDatabases,
  ];
}
