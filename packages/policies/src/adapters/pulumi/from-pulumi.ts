import {
  type BackupLifecycleFact,
  type BucketFact,
  effectiveVersioning,
  emptyFacts,
  type FactBase,
  type MutableStackFacts,
  readPolicyDocument,
  regionOfArn,
  type StackFacts,
} from "../../facts";
import { type Bag, Reader } from "../values";
import type { PulumiResource } from "./resource";
import { BUCKET_PART_TYPES, BUCKET_TYPES, readEncryption, readLifecycle, readObjectLock, readReplication, readVersioning } from "./s3";

const KMS_KEY = "aws:kms/key:Key";
/** A key whose material is imported: a customer managed key like any other, that cannot rotate. */
const KMS_EXTERNAL_KEY = "aws:kms/externalKey:ExternalKey";
const KMS_KEY_TYPES = new Set([KMS_KEY, KMS_EXTERNAL_KEY]);

/** Indexes over the stack that correlation needs. */
class StackIndex {
  readonly byUrn = new Map<string, PulumiResource>();
  /** Physical bucket name, id or ARN → bucket URN. */
  readonly bucketByRef = new Map<string, string>();
  /** KMS key ARN, id, alias name or alias ARN → key URN. */
  readonly keyByRef = new Map<string, string>();
  /** AWS Backup vault ARN → vault. */
  readonly backupVaultByArn = new Map<string, PulumiResource>();

  constructor(resources: readonly PulumiResource[]) {
    for (const res of resources) this.byUrn.set(res.urn, res);
    for (const res of resources) {
      const p = res.properties ?? {};
      if (BUCKET_TYPES.has(res.type)) {
        for (const ref of [p.bucket, p.id, p.arn]) if (typeof ref === "string") this.bucketByRef.set(ref, res.urn);
      } else if (res.type === "aws:backup/vault:Vault") {
        if (typeof p.arn === "string") this.backupVaultByArn.set(p.arn, res);
      } else if (KMS_KEY_TYPES.has(res.type)) {
        for (const ref of [p.arn, p.id, p.keyId]) if (typeof ref === "string") this.keyByRef.set(ref, res.urn);
      } else if (res.type === "aws:kms/alias:Alias") {
        const target = typeof p.targetKeyId === "string" ? this.keyByRef.get(p.targetKeyId) : this.dependencyOfType(res, "targetKeyId", KMS_KEY_TYPES);
        if (target) for (const ref of [p.name, p.arn]) if (typeof ref === "string") this.keyByRef.set(ref, target);
      }
    }
  }

  /** The one resource of `type` the input `property` (or, failing that, the resource) depends on. */
  dependencyOfType(res: PulumiResource, property: string | undefined, type: string | Set<string>, exclude?: string): string | undefined {
    const matches = (urn: string) => urn !== exclude && (typeof type === "string" ? this.byUrn.get(urn)?.type === type : type.has(this.byUrn.get(urn)?.type ?? ""));
    if (property !== undefined) {
      const found = [...new Set((res.propertyDependencies?.[property] ?? []).filter(matches))];
      if (found.length === 1) return found[0];
      if (found.length > 1) return undefined;
    }
    const found = [...new Set((res.dependencies ?? []).filter(matches))];
    return found.length === 1 ? found[0] : undefined;
  }

  /** The bucket a reference names: a physical name, an ARN (`arn:aws:s3:::name`) or an id. */
  bucketOf(ref: unknown): string | undefined {
    if (typeof ref !== "string") return undefined;
    return this.bucketByRef.get(ref) ?? (ref.startsWith("arn:") ? this.bucketByRef.get(ref.slice(ref.lastIndexOf(":") + 1)) : undefined);
  }

  /** `true` when a key reference is a KMS key of this stack (by value, or by the input's dependencies). */
  keyInStack(res: PulumiResource, property: string, keyId: string | undefined): boolean {
    if (keyId !== undefined && this.keyByRef.has(keyId)) return true;
    return (res.propertyDependencies?.[property] ?? []).some((urn) => KMS_KEY_TYPES.has(this.byUrn.get(urn)?.type ?? ""));
  }

  /**
   * `true` when two resources of the stack are known to live in one region, `false` when known to
   * live in two, `undefined` when it cannot be told. Regions are compared when both are known;
   * otherwise two resources created through the same provider (the stack's default provider
   * included) without a region of their own share its region, whatever that region is.
   */
  sameRegion(a: PulumiResource, b: PulumiResource): boolean | undefined {
    const ra = this.regionOf(a);
    const rb = this.regionOf(b);
    if (ra !== undefined && rb !== undefined) return ra === rb;
    const sa = regionSource(a);
    return sa !== undefined && sa === regionSource(b) ? true : undefined;
  }

  /** The region from the resource's own `region`, its provider, or its ARN. */
  regionOf(res: PulumiResource): string | undefined {
    const p = res.properties ?? {};
    if (isRegion(p.region)) return p.region;
    const provider = res.provider;
    let providerProps: Bag | undefined;
    if (typeof provider === "string") providerProps = this.byUrn.get(provider)?.properties;
    else if (provider) providerProps = provider.properties ?? (provider.urn ? this.byUrn.get(provider.urn)?.properties : undefined);
    if (isRegion(providerProps?.region)) return providerProps.region;
    return regionOfArn(p.arn);
  }
}

/**
 * Builds facts from a Pulumi stack: merges each bucket's separate configuration resources onto it
 * (found through the `bucket` input's dependencies, then its value, then the resource's
 * dependencies), accepts the legacy inline properties and the v6 `BucketV2` tokens, and never
 * throws: a resource it cannot read is listed in `unreadable`.
 */
export function factsFromPulumi(resources: readonly PulumiResource[]): StackFacts {
  const facts = emptyFacts();
  const index = new StackIndex(resources);
  const parts = new Map<string, PulumiResource[]>();
  const deferred: PulumiResource[] = [];

  for (const res of resources) {
    const aspect = BUCKET_PART_TYPES[res.type];
    if (!aspect) continue;
    try {
      const owner = aspect === "logging" ? undefined : (index.dependencyOfType(res, "bucket", BUCKET_TYPES) ?? index.bucketOf(res.properties?.bucket));
      const bucketUrn = owner ?? (aspect === "logging" ? undefined : index.dependencyOfType(res, undefined, BUCKET_TYPES));
      if (aspect === "logging") deferred.push(res);
      else if (bucketUrn) parts.set(bucketUrn, [...(parts.get(bucketUrn) ?? []), res]);
    } catch (err) {
      unreadable(facts, res, err);
    }
  }

  for (const res of resources) {
    try {
      readResource(facts, index, res, parts.get(res.urn) ?? []);
    } catch (err) {
      unreadable(facts, res, err);
    }
  }
  link(facts, index, resources, deferred);
  return facts;
}

function unreadable(facts: MutableStackFacts, res: PulumiResource, err: unknown): void {
  facts.unreadable.push({ id: res.urn, type: res.type, name: res.name, error: err instanceof Error ? err.message : String(err) });
}

function base(index: StackIndex, res: PulumiResource, r: Reader): Omit<FactBase, "unknown"> & { unknown: Set<string> } {
  const p = res.properties ?? {};
  const region = index.regionOf(res);
  return { id: res.urn, type: res.type, name: res.name, source: "pulumi", ...(region ? { region } : {}), tags: r.tags(p.tags ?? p.tagsAll), unknown: r.unknown };
}

/** The types `readResource` turns into facts; every other resource is skipped before any allocation. */
const JUDGED_TYPES = new Set([
  ...BUCKET_TYPES,
  ...KMS_KEY_TYPES,
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/cluster:Cluster",
  "aws:elasticache/serverlessCache:ServerlessCache",
  "aws:dynamodb/table:Table",
  "aws:sns/topic:Topic",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:backup/plan:Plan",
  "aws:backup/vault:Vault",
  "aws:backup/selection:Selection",
  "digitalocean:index/spacesBucket:SpacesBucket",
  "digitalocean:index/databaseCluster:DatabaseCluster",
  "digitalocean:index/databaseReplica:DatabaseReplica",
]);

function readResource(facts: MutableStackFacts, index: StackIndex, res: PulumiResource, bucketParts: readonly PulumiResource[]): void {
  if (!JUDGED_TYPES.has(res.type)) return;
  const p: Bag = res.properties ?? {};
  const r = new Reader();
  if (BUCKET_TYPES.has(res.type)) {
    facts.buckets.push(readBucket(index, res, bucketParts, r));
    return;
  }
  switch (res.type) {
    case KMS_KEY:
    case KMS_EXTERNAL_KEY:
      facts.keys.push({
        ...base(index, res, r),
        kind: "kms-key",
        ...(r.known(p.arn) ? { arn: r.known(p.arn) as string } : {}),
        keySpec: r.known(p.customerMasterKeySpec ?? p.keySpec) ?? "SYMMETRIC_DEFAULT",
        keyUsage: r.known(p.keyUsage) ?? "ENCRYPT_DECRYPT",
        origin: keyOrigin(res, p),
        rotationEnabled: r.bool(p.enableKeyRotation, "rotationEnabled"),
        deletionWindowDays: r.num(p.deletionWindowInDays, "deletionWindowDays"),
      });
      return;
    case "aws:rds/instance:Instance":
    case "aws:rds/cluster:Cluster": {
      const instance = res.type === "aws:rds/instance:Instance";
      const kmsKeyId = r.str(p.kmsKeyId, "kmsKeyId") || undefined;
      const member = instance && !!r.str(p.clusterIdentifier, "isReplicaOrMember");
      const replica = !!r.str(instance ? p.replicateSourceDb : p.replicationSourceIdentifier, "isReplicaOrMember");
      facts.databases.push({
        ...base(index, res, r),
        kind: "database",
        engineKind: instance ? "instance" : "cluster",
        ...(r.known(p.arn) ? { arn: r.known(p.arn) as string } : {}),
        identifier: r.known(instance ? p.identifier : p.clusterIdentifier),
        backupRetentionDays: r.num(p.backupRetentionPeriod, "backupRetentionDays"),
        storageEncrypted: r.bool(p.storageEncrypted, "storageEncrypted"),
        ...(kmsKeyId ? { kmsKeyId } : {}),
        keyInStack: index.keyInStack(res, "kmsKeyId", kmsKeyId),
        deletionProtection: r.bool(p.deletionProtection, "deletionProtection"),
        finalSnapshot: r.bool(p.skipFinalSnapshot, "finalSnapshot") !== true,
        isReplicaOrMember: member || replica,
      });
      return;
    }
    case "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": {
      const sourceArn = r.str(p.sourceDbInstanceArn, "sourceArn");
      const sourceId = index.dependencyOfType(res, "sourceDbInstanceArn", "aws:rds/instance:Instance") ?? findByArn(index, sourceArn);
      const source = sourceId ? index.byUrn.get(sourceId) : undefined;
      const inSourceRegion = source ? index.sameRegion(res, source) : undefined;
      facts.backupReplications.push({ ...base(index, res, r), kind: "backup-replication", sourceArn, sourceId, ...(inSourceRegion !== undefined ? { inSourceRegion } : {}) });
      return;
    }
    case "aws:elasticache/replicationGroup:ReplicationGroup":
    case "aws:elasticache/cluster:Cluster":
    case "aws:elasticache/serverlessCache:ServerlessCache": {
      const engine = r.known(p.engine);
      if (engine === "memcached") return;
      facts.caches.push({
        ...base(index, res, r),
        kind: "cache",
        engine,
        snapshotRetentionDays: r.num(p.snapshotRetentionLimit, "snapshotRetentionDays"),
        isMember: res.type === "aws:elasticache/cluster:Cluster" && !!r.str(p.replicationGroupId, "isMember"),
      });
      return;
    }
    case "aws:dynamodb/table:Table": {
      const pitr = r.obj(p.pointInTimeRecovery, "pointInTimeRecovery");
      facts.tables.push({
        ...base(index, res, r),
        kind: "table",
        arn: r.known(p.arn),
        pointInTimeRecovery: pitr ? r.bool(pitr.enabled, "pointInTimeRecovery") : undefined,
      });
      return;
    }
    case "aws:sns/topic:Topic": {
      const kmsKeyId = r.str(p.kmsMasterKeyId, "kmsKeyId") || undefined;
      facts.topics.push({ ...base(index, res, r), kind: "topic", ...(kmsKeyId ? { kmsKeyId } : {}), keyInStack: index.keyInStack(res, "kmsMasterKeyId", kmsKeyId) });
      return;
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      facts.alarms.push({
        ...base(index, res, r),
        kind: "alarm",
        actionsEnabled: r.bool(p.actionsEnabled, "actionsEnabled") !== false,
        alarmActions: r.arr(p.alarmActions, "alarmActions").map((a) => r.str(a, "alarmActions") ?? "").filter(Boolean),
      });
      return;
    case "aws:cloudwatch/logGroup:LogGroup":
      facts.logGroups.push({ ...base(index, res, r), kind: "log-group", retentionDays: r.num(p.retentionInDays, "retentionDays") });
      return;
    case "aws:backup/plan:Plan": {
      const b = base(index, res, r);
      facts.backupPlans.push({
        ...b,
        kind: "backup-plan",
        rules: r.arr(p.rules, "rules").flatMap((raw, i) => {
          const rule = r.obj(raw, "rules");
          if (!rule) return [];
          const lifecycle = backupLifecycle(r, rule.lifecycle, "rules");
          return [
            {
              name: r.known(rule.ruleName) ?? `rule ${i + 1}`,
              targetVault: r.str(rule.targetVaultName, "rules"),
              continuous: r.bool(rule.enableContinuousBackup, "rules") === true,
              lifecycle,
              copies: r.arr(rule.copyActions, "rules").flatMap((c) => {
                const copy = r.obj(c, "rules.copies");
                if (!copy) return [];
                // A destination found among the stack's vaults is placed even while its ARN is unknown.
                const vault = copyDestination(index, res, r.known(copy.destinationVaultArn), r.known(rule.targetVaultName), r.arr(rule.copyActions, "rules").length);
                const arn = vault ? r.known(copy.destinationVaultArn) : r.str(copy.destinationVaultArn, "rules.copies");
                const sameRegion = vault ? index.sameRegion(res, vault) : undefined;
                const destinationRegion = regionOfArn(arn) ?? (vault ? index.regionOf(vault) : undefined);
                return [
                  {
                    destinationVaultArn: arn,
                    destinationRegion,
                    ...(vault ? { destinationId: vault.urn } : {}),
                    ...(sameRegion !== undefined ? { destinationInSameRegion: sameRegion } : {}),
                    lifecycle: backupLifecycle(r, copy.lifecycle, "rules.copies"),
                  },
                ];
              }),
            },
          ];
        }),
      });
      return;
    }
    case BACKUP_VAULT:
    {
      const kmsKeyId = r.str(p.kmsKeyArn, "kmsKeyId") || undefined;
      facts.backupVaults.push({ ...base(index, res, r), kind: "backup-vault", vaultName: r.known(p.name), arn: r.known(p.arn), ...(kmsKeyId ? { kmsKeyId } : {}), keyInStack: index.keyInStack(res, "kmsKeyArn", kmsKeyId) });
    }
      return;
    case "aws:backup/selection:Selection": {
      const planId = index.dependencyOfType(res, "planId", "aws:backup/plan:Plan");
      const tagConditions = r.arr(p.selectionTags, "selection").flatMap((t) => {
        const tag = r.obj(t, "selection");
        const key = r.known(tag?.key);
        return key && r.known(tag?.type) !== "NOTEQUALS" ? [{ key, value: r.known(tag?.value) ?? "" }] : [];
      });
      const conditions = r.obj(p.conditions, "selection");
      for (const c of r.arr(conditions?.stringEquals, "selection")) {
        const cond = r.obj(c, "selection");
        const key = r.known(cond?.key)?.replace(/^aws:ResourceTag\//, "");
        if (key) tagConditions.push({ key, value: r.known(cond?.value) ?? "" });
      }
      facts.backupSelections.push({
        ...base(index, res, r),
        kind: "backup-selection",
        planId,
        resourceIds: [...(res.propertyDependencies?.resources ?? [])],
        resources: r.arr(p.resources, "selection").map((x) => r.str(x, "selection") ?? "").filter(Boolean),
        notResources: r.arr(p.notResources, "selection").map((x) => r.str(x, "selection") ?? "").filter(Boolean),
        tagConditions,
      });
      return;
    }
    case "digitalocean:index/spacesBucket:SpacesBucket": {
      facts.spacesBuckets.push({
        ...base(index, res, r),
        region: r.known(p.region),
        kind: "spaces-bucket",
        bucketName: r.known(p.name),
        acl: r.str(p.acl, "acl") ?? "private",
        versioning: r.bool(r.obj(p.versioning, "versioning")?.enabled, "versioning") === true,
        publicPolicy: false,
        lifecycle: r.arr(p.lifecycleRules, "lifecycle").flatMap((raw) => {
          const rule = r.obj(raw, "lifecycle");
          if (!rule) return [];
          const expiration = r.obj(rule.expirations ?? rule.expiration, "lifecycle");
          const noncurrent = r.obj(rule.noncurrentVersionExpiration, "lifecycle");
          const prefix = r.known(rule.prefix);
          const days = r.num(expiration?.days, "lifecycle");
          const noncurrentDays = r.num(noncurrent?.days, "lifecycle");
          const date = r.known(expiration?.date);
          const id = r.known(rule.id);
          return [
            {
              id,
              enabled: r.bool(rule.enabled, "lifecycle") === true,
              coversEveryObject: !prefix,
              filter: prefix ? `prefix ${prefix}` : "every object",
              expirationDays: days !== undefined && days > 0 ? days : undefined,
              expirationDate: date || undefined,
              noncurrentExpirationDays: noncurrentDays !== undefined && noncurrentDays > 0 ? noncurrentDays : undefined,
            },
          ];
        }),
      });
      return;
    }
    case "digitalocean:index/databaseCluster:DatabaseCluster":
    case "digitalocean:index/databaseReplica:DatabaseReplica":
      facts.doDatabases.push({
        ...base(index, res, r),
        region: r.known(p.region),
        kind: "do-database",
        engine: r.known(p.engine),
        isReplica: res.type.endsWith("DatabaseReplica"),
        firewallRules: 0,
        replicaRegions: [],
      });
      return;
    default:
      return;
  }
}

function readBucket(index: StackIndex, res: PulumiResource, bucketParts: readonly PulumiResource[], r: Reader): BucketFact {
  const p: Bag = res.properties ?? {};
  const part = (aspect: string) => bucketParts.filter((x) => BUCKET_PART_TYPES[x.type] === aspect).at(-1);
  const partIds: Record<string, string> = {};
  for (const x of bucketParts) partIds[BUCKET_PART_TYPES[x.type] as string] = x.urn;

  // A separate resource always wins: the bucket's own (deprecated, computed) copies describe the
  // bucket as created, before the separate resources configured it.
  const versioningPart = part("versioning");
  const versioning = versioningPart
    ? readVersioning(r, r.obj(versioningPart.properties.versioningConfiguration, "versioning"), "versioning")
    : readVersioning(r, r.obj(p.versioning ?? p.versionings, "versioning"), "versioning");

  const encryptionPart = part("encryption");
  const encryption = encryptionPart
    ? readEncryption(r, encryptionPart.properties, (k) => index.keyInStack(encryptionPart, "rules", k))
    : readEncryption(r, r.obj(p.serverSideEncryptionConfiguration ?? p.serverSideEncryptionConfigurations, "encryption"), (k) => index.keyInStack(res, "serverSideEncryptionConfiguration", k));

  const pabPart = part("publicAccessBlock");
  const flag = (name: string) => (pabPart ? r.bool(pabPart.properties[name], `publicAccessBlock.${name}`) === true : false);

  const aclPart = part("acl");
  const acl = r.known(aclPart ? aclPart.properties.acl : p.acl) || undefined;

  const policyPart = part("policy");
  const policySource = policyPart ? policyPart.properties.policy : p.policy;
  let policy: BucketFact["policy"];
  let policyUnreadable: string | undefined;
  if (policySource !== undefined && policySource !== null && policySource !== "") {
    if (r.str(policySource, "policy") === "(known after deploy)") policy = [];
    else {
      const read = readPolicyDocument(policySource);
      if ("error" in read) policyUnreadable = read.error;
      else policy = read.statements;
    }
  }

  const lifecyclePart = part("lifecycle");
  const inlineLifecycle = Array.isArray(p.lifecycleRules) && p.lifecycleRules.length > 0 ? p.lifecycleRules : undefined;
  const lifecycle = lifecyclePart ? readLifecycle(r, lifecyclePart.properties.rules) : inlineLifecycle ? readLifecycle(r, inlineLifecycle) : undefined;

  const replicationPart = part("replication");
  const replicationConfig = replicationPart ? replicationPart.properties : r.obj(p.replicationConfiguration ?? p.replicationConfigurations, "replication");
  const destination = (ref: string | undefined) => {
    const urn = index.bucketOf(ref) ?? (replicationPart ? index.dependencyOfType(replicationPart, "rules", BUCKET_TYPES, res.urn) : undefined);
    const dest = urn ? index.byUrn.get(urn) : undefined;
    return { id: urn, region: dest ? index.regionOf(dest) : undefined, sameRegion: dest ? index.sameRegion(res, dest) : undefined };
  };
  const replication = replicationConfig && replicationConfig.rules !== undefined ? readReplication(r, replicationConfig, destination) : undefined;

  const lockPart = part("objectLock");
  const objectLock = readObjectLock(r, p.objectLockEnabled, lockPart ? lockPart.properties : r.obj(p.objectLockConfiguration, "objectLock"));

  return {
    ...base(index, res, r),
    kind: "bucket",
    bucketName: r.known(p.bucket),
    arns: [...new Set([r.known(p.arn), r.known(p.bucket) ? `arn:aws:s3:::${r.known(p.bucket)}` : undefined].filter((a): a is string => !!a))],
    versioning: effectiveVersioning(versioning, objectLock),
    encryption,
    ...(pabPart
      ? { publicAccessBlock: { blockPublicAcls: flag("blockPublicAcls"), blockPublicPolicy: flag("blockPublicPolicy"), ignorePublicAcls: flag("ignorePublicAcls"), restrictPublicBuckets: flag("restrictPublicBuckets") } }
      : {}),
    acl,
    policy,
    policyUnreadable,
    lifecycle,
    replication,
    objectLock,
    replicatedFrom: [],
    isAccessLogTarget: false,
    parts: partIds,
  };
}

/** Second pass: replication sources onto destinations, access-log targets, inline loggings. */
function link(facts: MutableStackFacts, index: StackIndex, resources: readonly PulumiResource[], loggings: readonly PulumiResource[]): void {
  const byId = new Map(facts.buckets.map((b) => [b.id, b]));
  const mark = (urn: string | undefined, update: (b: BucketFact) => BucketFact) => {
    const b = urn ? byId.get(urn) : undefined;
    if (b) byId.set(b.id, update(b));
  };
  for (const b of facts.buckets) {
    for (const rule of b.replication ?? []) mark(rule.destinationId, (d) => ({ ...d, replicatedFrom: [...new Set([...d.replicatedFrom, b.id])] }));
  }

  for (const res of loggings) {
    const target = index.bucketOf(res.properties?.targetBucket) ?? index.dependencyOfType(res, "targetBucket", BUCKET_TYPES);
    mark(target, (d) => ({ ...d, isAccessLogTarget: true }));
  }
  for (const res of resources) {
    if (!BUCKET_TYPES.has(res.type) || (res.properties?.loggings === undefined && res.properties?.logging === undefined)) continue;
    const r = new Reader();
    for (const l of r.arr(res.properties?.loggings ?? res.properties?.logging, "logging")) {
      const target = index.bucketOf(r.obj(l, "logging")?.targetBucket);
      mark(target, (d) => ({ ...d, isAccessLogTarget: true }));
    }
  }
  facts.buckets = facts.buckets
    .map((b) => byId.get(b.id) ?? b)
    .map((b) =>
      b.replication && b.region
        ? { ...b, replication: b.replication.map((rule) => (rule.destinationRegion ? { ...rule, destinationInSameRegion: rule.destinationRegion === b.region } : rule)) }
        : b,
    );

  linkDoDatabases(facts, index, resources);
  for (const res of resources) {
    if (res.type !== "aws:backup/vaultLockConfiguration:VaultLockConfiguration" && res.type !== "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy") continue;
    const p: Bag = res.properties ?? {};
    const r = new Reader();
    if (res.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration") {
      const owner = index.dependencyOfType(res, "backupVaultName", "aws:backup/vault:Vault");
      const i = facts.backupVaults.findIndex((v) => v.id === owner || (v.vaultName !== undefined && v.vaultName === p.backupVaultName));
      if (i < 0) continue;
      const vault = facts.backupVaults[i]!;
      facts.backupVaults[i] = {
        ...vault,
        lock: {
          lockId: res.urn,
          minRetentionDays: r.num(p.minRetentionDays, "lock"),
          maxRetentionDays: r.num(p.maxRetentionDays, "lock"),
          changeableForDays: r.num(p.changeableForDays, "lock"),
        },
      };
    } else if (res.type === "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy") {
      const owner = index.dependencyOfType(res, "bucket", "digitalocean:index/spacesBucket:SpacesBucket");
      const i = facts.spacesBuckets.findIndex((b) => b.id === owner || (b.bucketName !== undefined && b.bucketName === p.bucket));
      if (i < 0) continue;
      const read = readPolicyDocument(p.policy);
      const isPublic = "statements" in read && read.statements.some((s) => s.effect === "Allow" && s.principals.includes("*"));
      facts.spacesBuckets[i] = { ...facts.spacesBuckets[i]!, publicPolicy: isPublic };
    }
  }
}

const BACKUP_VAULT = "aws:backup/vault:Vault";

/**
 * The stack's AWS Backup vault a copy action sends to: the vault with that ARN, or else, for a rule
 * with one copy action, the one vault the plan's rules depend on besides the rule's own target.
 */
function copyDestination(index: StackIndex, plan: PulumiResource, arn: string | undefined, targetVaultName: string | undefined, copiesInRule: number): PulumiResource | undefined {
  const byArn = arn !== undefined ? index.backupVaultByArn.get(arn) : undefined;
  if (byArn) return byArn;
  if (copiesInRule !== 1) return undefined;
  const vaults = [...new Set(plan.propertyDependencies?.rules ?? [])]
    .map((urn) => index.byUrn.get(urn))
    .filter((v): v is PulumiResource => v?.type === BACKUP_VAULT && (targetVaultName === undefined || v.properties?.name !== targetVaultName));
  return targetVaultName !== undefined && vaults.length === 1 ? vaults[0] : undefined;
}

/**
 * What decides a resource's region when no region can be read: its provider (the stack's default
 * provider for every resource without an explicit one), or `undefined` when the resource names a
 * region of its own that is not known yet.
 */
function regionSource(res: PulumiResource): string | undefined {
  const own = res.properties?.region;
  if (own !== undefined && own !== null && own !== "") return isRegion(own) ? `region:${own}` : undefined;
  const provider = res.provider;
  const urn = typeof provider === "string" ? provider : provider?.urn;
  if (!urn) return "provider:default";
  // A provider reference is `<urn>::<id>`; a URN is `urn:pulumi:<stack>::<project>::<type>::<name>`.
  const [, , type, name] = urn.split("::");
  return name === undefined || name.startsWith("default") ? "provider:default" : `provider:${type}::${name}`;
}

/** Where a Pulumi key's material comes from: imported (`ExternalKey`), a custom key store, or KMS. */
function keyOrigin(res: PulumiResource, p: Bag): string {
  if (res.type === KMS_EXTERNAL_KEY) return "EXTERNAL";
  if (p.xksKeyId !== undefined && p.xksKeyId !== null && p.xksKeyId !== "") return "EXTERNAL_KEY_STORE";
  if (p.customKeyStoreId !== undefined && p.customKeyStoreId !== null && p.customKeyStoreId !== "") return "AWS_CLOUDHSM";
  return "AWS_KMS";
}

/** An AWS region name (`us-east-1`), and not a value computed at deploy time. */
function isRegion(value: unknown): value is string {
  return typeof value === "string" && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value);
}

function findByArn(index: StackIndex, arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  for (const res of index.byUrn.values()) if (res.properties?.arn === arn) return res.urn;
  return undefined;
}

function backupLifecycle(r: Reader, value: unknown, path: string): BackupLifecycleFact | undefined {
  const l = r.obj(value, path);
  if (!l) return undefined;
  return { coldStorageAfterDays: positive(r.num(l.coldStorageAfter, path)), deleteAfterDays: positive(r.num(l.deleteAfter, path)) };
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

const DO_CLUSTER = "digitalocean:index/databaseCluster:DatabaseCluster";

/** Gives each DigitalOcean cluster its firewall rules, replica regions and cache persistence, from the resources pointing at it. */
function linkDoDatabases(facts: MutableStackFacts, index: StackIndex, resources: readonly PulumiResource[]): void {
  const at = (res: PulumiResource) => {
    const ref = res.properties?.clusterId;
    const owner =
      index.dependencyOfType(res, "clusterId", DO_CLUSTER) ??
      resources.find((c) => c.type === DO_CLUSTER && typeof ref === "string" && (c.properties?.id === ref || c.properties?.urn === ref))?.urn;
    const i = facts.doDatabases.findIndex((d) => d.id === owner);
    return i < 0 ? undefined : i;
  };
  let uncorrelatedFirewalls = 0;
  for (const res of resources) {
    const p: Bag = res.properties ?? {};
    const r = new Reader();
    let i: number | undefined;
    switch (res.type) {
      case "digitalocean:index/databaseFirewall:DatabaseFirewall":
        if ((i = at(res)) !== undefined) facts.doDatabases[i] = { ...facts.doDatabases[i]!, firewallRules: facts.doDatabases[i]!.firewallRules + (Array.isArray(p.rules) ? p.rules.length : 1) };
        else uncorrelatedFirewalls++;
        break;
      case "digitalocean:index/databaseReplica:DatabaseReplica": {
        const region = r.known(p.region);
        if ((i = at(res)) !== undefined && region) facts.doDatabases[i] = { ...facts.doDatabases[i]!, replicaRegions: [...facts.doDatabases[i]!.replicaRegions, region] };
        break;
      }
      case "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig":
      case "digitalocean:index/databaseRedisConfig:DatabaseRedisConfig": {
        const persistence = r.known(p.persistence);
        if ((i = at(res)) !== undefined && persistence) facts.doDatabases[i] = { ...facts.doDatabases[i]!, persistence };
        break;
      }
      default:
        break;
    }
  }
  // A firewall whose cluster cannot be told may protect any cluster without one: do not guess.
  if (uncorrelatedFirewalls > 0) {
    facts.doDatabases = facts.doDatabases.map((d) => (d.firewallRules === 0 ? { ...d, unknown: new Set([...d.unknown, "firewall"]) } : d));
  }
}
