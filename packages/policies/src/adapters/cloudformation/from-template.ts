import { type BackupLifecycleFact, type BucketFact, effectiveVersioning, emptyFacts, type FactBase, type LifecycleRuleFact, type MutableStackFacts, normalizeStorageClass, readPolicyDocument, regionOfArn, type ReplicationRuleFact, type StackFacts } from "../../facts";
import { type Bag, Reader } from "../values";
import { type IntrinsicContext, mentionedIds, referencedId, resolveIntrinsics } from "./intrinsics";

/** A CloudFormation template as synthesized: only `Resources` and `Parameters` are read. */
export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
}

/** Options for reading a template. */
export interface TemplateOptions {
  /**
   * The region the stack deploys to, when known.
   * @default - unknown: region rules judge only ARNs that name a region
   */
  readonly region?: string;
}

interface CfnResource {
  readonly id: string;
  readonly type: string;
  readonly props: Bag;
  readonly deletionPolicy?: string;
}

/**
 * Builds facts from a CloudFormation template: resolves `Ref`, `Fn::GetAtt`, `Fn::Sub` and
 * `Fn::Join` to the logical ids they name, merges bucket policies onto their buckets, and never
 * throws: a resource it cannot read is listed in `unreadable`.
 */
export function factsFromTemplate(template: CloudFormationTemplate, options: TemplateOptions = {}): StackFacts {
  const facts = emptyFacts();
  const parameters: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(template?.Parameters ?? {})) {
    if (def && typeof def === "object" && "Default" in def) parameters[name] = (def as Bag).Default;
  }
  const ctx: IntrinsicContext = { ...(options.region ? { region: options.region } : {}), parameters };
  const resources: CfnResource[] = [];
  for (const [id, raw] of Object.entries(template?.Resources ?? {})) {
    if (!raw || typeof raw !== "object") continue;
    const r = raw as Bag;
    resources.push({
      id,
      type: String(r.Type ?? ""),
      props: (resolveIntrinsics(r.Properties ?? {}, ctx) ?? {}) as Bag,
      ...(typeof r.DeletionPolicy === "string" ? { deletionPolicy: r.DeletionPolicy } : {}),
    });
  }
  const byId = new Map(resources.map((r) => [r.id, r]));
  const buckets = new Map<string, CfnResource>();
  const bucketByName = new Map<string, string>();
  for (const res of resources) {
    if (res.type !== "AWS::S3::Bucket") continue;
    buckets.set(res.id, res);
    if (typeof res.props.BucketName === "string") bucketByName.set(res.props.BucketName, res.id);
  }
  /** The bucket logical id a reference (`${Id}`, `${Id.Arn}`, a name or an ARN) names. */
  const bucketOf = (ref: unknown): string | undefined => {
    const id = referencedId(ref);
    if (id && buckets.has(id)) return id;
    if (typeof ref !== "string") return undefined;
    const name = ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf(":") + 1) : ref;
    const fromName = referencedId(name);
    return fromName && buckets.has(fromName) ? fromName : bucketByName.get(name);
  };
  const keyInStack = (ref: string | undefined) => {
    const id = referencedId(ref) ?? [...mentionedIds(ref)][0];
    const target = id ? byId.get(id) : undefined;
    if (target?.type === "AWS::KMS::Key") return true;
    if (target?.type === "AWS::KMS::Alias") return true;
    return false;
  };

  const policies = new Map<string, CfnResource>();
  for (const res of resources) if (res.type === "AWS::S3::BucketPolicy") {
    const owner = bucketOf(res.props.Bucket);
    if (owner) policies.set(owner, res);
  }

  for (const res of resources) {
    try {
      read(res);
    } catch (err) {
      facts.unreadable.push({ id: res.id, type: res.type, name: res.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  linkBuckets(facts);
  const logTargets = new Set(resources.filter((x) => x.type === "AWS::S3::Bucket").map((x) => bucketOf((x.props.LoggingConfiguration as Bag | undefined)?.DestinationBucketName)).filter(Boolean));
  facts.buckets = facts.buckets.map((b) => (logTargets.has(b.id) ? { ...b, isAccessLogTarget: true } : b));
  return facts;

  function base(res: CfnResource, r: Reader): Omit<FactBase, "unknown"> & { unknown: Set<string> } {
    return { id: res.id, type: res.type, name: res.id, source: "cloudformation", region: options.region, tags: r.tags(res.props.Tags), unknown: r.unknown };
  }

  function read(res: CfnResource): void {
    const p = res.props;
    const r = new Reader();
    switch (res.type) {
      case "AWS::S3::Bucket":
        facts.buckets.push(readBucket(res, r));
        return;
      case "AWS::KMS::Key":
        facts.keys.push({
          ...base(res, r),
          kind: "kms-key",
          keySpec: r.known(p.KeySpec) ?? "SYMMETRIC_DEFAULT",
          keyUsage: r.known(p.KeyUsage) ?? "ENCRYPT_DECRYPT",
          origin: r.known(p.Origin) ?? "AWS_KMS",
          rotationEnabled: r.bool(p.EnableKeyRotation, "rotationEnabled") ?? false,
          deletionWindowDays: r.num(p.PendingWindowInDays, "deletionWindowDays"),
        });
        return;
      case "AWS::RDS::DBInstance":
      case "AWS::RDS::DBCluster": {
        const instance = res.type === "AWS::RDS::DBInstance";
        const kmsKeyId = r.str(p.KmsKeyId, "kmsKeyId") || undefined;
        facts.databases.push({
          ...base(res, r),
          kind: "database",
          engineKind: instance ? "instance" : "cluster",
          identifier: r.known(instance ? p.DBInstanceIdentifier : p.DBClusterIdentifier),
          // CloudFormation keeps 1 day when BackupRetentionPeriod is absent.
          backupRetentionDays: r.num(p.BackupRetentionPeriod, "backupRetentionDays"),
          storageEncrypted: r.bool(p.StorageEncrypted, "storageEncrypted"),
          ...(kmsKeyId ? { kmsKeyId } : {}),
          keyInStack: keyInStack(kmsKeyId),
          deletionProtection: r.bool(p.DeletionProtection, "deletionProtection"),
          // RDS resources default to DeletionPolicy Snapshot.
          finalSnapshot: res.deletionPolicy === undefined || res.deletionPolicy === "Snapshot" || res.deletionPolicy === "Retain" || res.deletionPolicy === "RetainExceptOnCreate",
          isReplicaOrMember: instance ? !!(p.SourceDBInstanceIdentifier || p.DBClusterIdentifier || p.SourceDBClusterIdentifier) : !!(p.ReplicationSourceIdentifier || p.SourceDBClusterIdentifier),
        });
        // CloudFormation has no resource for replicated automated backups: the instance names the region.
        if (instance && p.AutomaticBackupReplicationRegion !== undefined) {
          const region = r.str(p.AutomaticBackupReplicationRegion, "region");
          const known = region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
          const inSourceRegion = region === "${AWS::Region}" ? true : known !== undefined && options.region !== undefined ? known === options.region : undefined;
          facts.backupReplications.push({
            ...base(res, r),
            id: `${res.id}.AutomaticBackupReplicationRegion`,
            name: `${res.id}.AutomaticBackupReplicationRegion`,
            kind: "backup-replication",
            region: known,
            sourceId: res.id,
            ...(inSourceRegion !== undefined ? { inSourceRegion } : {}),
          });
        }
        return;
      }
      case "AWS::ElastiCache::ReplicationGroup":
      case "AWS::ElastiCache::CacheCluster":
      case "AWS::ElastiCache::ServerlessCache": {
        const engine = r.known(p.Engine)?.toLowerCase();
        if (engine === "memcached") return;
        facts.caches.push({
          ...base(res, r),
          kind: "cache",
          engine,
          snapshotRetentionDays: r.num(p.SnapshotRetentionLimit, "snapshotRetentionDays"),
          isMember: false,
        });
        return;
      }
      case "AWS::DynamoDB::Table":
      case "AWS::DynamoDB::GlobalTable": {
        const spec = r.obj(p.PointInTimeRecoverySpecification, "pointInTimeRecovery");
        const replicas = r.arr(p.Replicas, "pointInTimeRecovery").map((x) => r.obj(r.obj(x, "pointInTimeRecovery")?.PointInTimeRecoverySpecification, "pointInTimeRecovery"));
        const enabled = spec ? r.bool(spec.PointInTimeRecoveryEnabled, "pointInTimeRecovery") : replicas.length > 0 ? replicas.every((s) => s && r.bool(s.PointInTimeRecoveryEnabled, "pointInTimeRecovery") === true) : undefined;
        facts.tables.push({ ...base(res, r), kind: "table", pointInTimeRecovery: enabled });
        return;
      }
      case "AWS::SNS::Topic": {
        const kmsKeyId = r.str(p.KmsMasterKeyId, "kmsKeyId") || undefined;
        facts.topics.push({ ...base(res, r), kind: "topic", ...(kmsKeyId ? { kmsKeyId } : {}), keyInStack: keyInStack(kmsKeyId) });
        return;
      }
      case "AWS::CloudWatch::Alarm":
        facts.alarms.push({
          ...base(res, r),
          kind: "alarm",
          actionsEnabled: r.bool(p.ActionsEnabled, "actionsEnabled") !== false,
          alarmActions: r.arr(p.AlarmActions, "alarmActions").map((a) => r.str(a, "alarmActions") ?? "").filter(Boolean),
        });
        return;
      case "AWS::Logs::LogGroup":
        facts.logGroups.push({ ...base(res, r), kind: "log-group", retentionDays: r.num(p.RetentionInDays, "retentionDays") });
        return;
      case "AWS::Backup::BackupPlan": {
        const plan = r.obj(p.BackupPlan, "rules");
        facts.backupPlans.push({
          ...base(res, r),
          kind: "backup-plan",
          rules: r.arr(plan?.BackupPlanRule, "rules").flatMap((raw, i) => {
            const rule = r.obj(raw, "rules");
            if (!rule) return [];
            return [
              {
                name: r.known(rule.RuleName) ?? `rule ${i + 1}`,
                targetVault: r.str(rule.TargetBackupVault, "rules"),
                continuous: r.bool(rule.EnableContinuousBackup, "rules") === true,
                lifecycle: lifecycleOf(r, rule.Lifecycle),
                copies: r.arr(rule.CopyActions, "rules").flatMap((c) => {
                  const copy = r.obj(c, "rules.copies");
                  if (!copy) return [];
                  const arn = r.str(copy.DestinationBackupVaultArn, "rules.copies");
                  // A template deploys to one region: a vault of the same template is in the plan's region.
                  const destId = [...mentionedIds(copy.DestinationBackupVaultArn)].find((id) => byId.get(id)?.type === "AWS::Backup::BackupVault");
                  return [
                    destId
                      ? { destinationVaultArn: arn, destinationRegion: options.region, destinationId: destId, destinationInSameRegion: true, lifecycle: lifecycleOf(r, copy.Lifecycle) }
                      : { destinationVaultArn: arn, destinationRegion: regionOfArn(arn), lifecycle: lifecycleOf(r, copy.Lifecycle) },
                  ];
                }),
              },
            ];
          }),
        });
        return;
      }
      case "AWS::Backup::BackupVault": {
        const lock = r.obj(p.LockConfiguration, "lock");
        const kmsKeyId = r.str(p.EncryptionKeyArn, "kmsKeyId") || undefined;
        facts.backupVaults.push({
          ...base(res, r),
          tags: r.tags(p.BackupVaultTags),
          kind: "backup-vault",
          vaultName: r.known(p.BackupVaultName),
          ...(kmsKeyId ? { kmsKeyId } : {}),
          keyInStack: keyInStack(kmsKeyId),
          ...(lock
            ? {
                lock: {
                  minRetentionDays: r.num(lock.MinRetentionDays, "lock"),
                  maxRetentionDays: r.num(lock.MaxRetentionDays, "lock"),
                  changeableForDays: r.num(lock.ChangeableForDays, "lock"),
                },
              }
            : {}),
        });
        return;
      }
      case "AWS::Backup::BackupSelection": {
        const selection = r.obj(p.BackupSelection, "selection");
        const planRef = referencedId(p.BackupPlanId);
        const tagConditions = r.arr(selection?.ListOfTags, "selection").flatMap((t) => {
          const tag = r.obj(t, "selection");
          const key = r.known(tag?.ConditionKey);
          return key ? [{ key, value: r.known(tag?.ConditionValue) ?? "" }] : [];
        });
        const conditions = r.obj(selection?.Conditions, "selection");
        for (const c of r.arr(conditions?.StringEquals, "selection")) {
          const cond = r.obj(c, "selection");
          const key = r.known(cond?.ConditionKey)?.replace(/^aws:ResourceTag\//, "");
          if (key) tagConditions.push({ key, value: r.known(cond?.ConditionValue) ?? "" });
        }
        facts.backupSelections.push({
          ...base(res, r),
          kind: "backup-selection",
          planId: planRef && byId.has(planRef) ? planRef : undefined,
          resourceIds: [...mentionedIds(selection?.Resources)],
          resources: r.arr(selection?.Resources, "selection").map((x) => r.str(x, "selection") ?? "").filter(Boolean),
          notResources: r.arr(selection?.NotResources, "selection").map((x) => r.str(x, "selection") ?? "").filter(Boolean),
          tagConditions,
        });
        return;
      }
      default:
        return;
    }
  }

  function readBucket(res: CfnResource, r: Reader): BucketFact {
    const p = res.props;
    const versioning = r.str(r.obj(p.VersioningConfiguration, "versioning")?.Status, "versioning");
    const sse = r.obj(p.BucketEncryption, "encryption");
    let encryption: BucketFact["encryption"];
    for (const raw of r.arr(sse?.ServerSideEncryptionConfiguration, "encryption")) {
      const rule = r.obj(raw, "encryption");
      const byDefault = r.obj(rule?.ServerSideEncryptionByDefault, "encryption");
      if (!rule || !byDefault) continue;
      const kmsKeyId = r.str(byDefault.KMSMasterKeyID, "encryption.kmsKeyId") || undefined;
      encryption = {
        algorithm: r.str(byDefault.SSEAlgorithm, "encryption.algorithm"),
        kmsKeyId,
        keyInStack: keyInStack(kmsKeyId),
        bucketKeyEnabled: r.bool(rule.BucketKeyEnabled, "encryption.bucketKeyEnabled") === true,
      };
      break;
    }
    const pab = r.obj(p.PublicAccessBlockConfiguration, "publicAccessBlock");
    const policyResource = policies.get(res.id);
    let policy: BucketFact["policy"];
    let policyUnreadable: string | undefined;
    if (policyResource) {
      const read = readPolicyDocument(policyResource.props.PolicyDocument);
      if ("error" in read) policyUnreadable = read.error;
      else policy = read.statements;
    }
    const lifecycleConfig = r.obj(p.LifecycleConfiguration, "lifecycle");
    const replicationConfig = r.obj(p.ReplicationConfiguration, "replication");
    const lockConfig = r.obj(p.ObjectLockConfiguration, "objectLock");
    const lockEnabled = r.bool(p.ObjectLockEnabled, "objectLock") === true || r.str(lockConfig?.ObjectLockEnabled, "objectLock") === "Enabled";
    const retention = r.obj(r.obj(lockConfig?.Rule, "objectLock")?.DefaultRetention, "objectLock");
    const lockDays = r.num(retention?.Days, "objectLock") ?? (r.num(retention?.Years, "objectLock") !== undefined ? (r.num(retention?.Years, "objectLock") as number) * 365 : undefined);
    const bucketName = r.known(p.BucketName);
    const objectLock = lockEnabled || p.ObjectLockEnabled !== undefined ? { enabled: lockEnabled, mode: r.known(retention?.Mode), days: lockDays } : undefined;
    return {
      ...base(res, r),
      kind: "bucket",
      bucketName,
      arns: [`\${${res.id}.Arn}`, `arn:aws:s3:::\${${res.id}}`, ...(bucketName ? [`arn:aws:s3:::${bucketName}`] : [])],
      versioning: effectiveVersioning(versioning, objectLock),
      encryption,
      ...(pab
        ? {
            publicAccessBlock: {
              blockPublicAcls: r.bool(pab.BlockPublicAcls, "publicAccessBlock") === true,
              blockPublicPolicy: r.bool(pab.BlockPublicPolicy, "publicAccessBlock") === true,
              ignorePublicAcls: r.bool(pab.IgnorePublicAcls, "publicAccessBlock") === true,
              restrictPublicBuckets: r.bool(pab.RestrictPublicBuckets, "publicAccessBlock") === true,
            },
          }
        : {}),
      acl: r.known(p.AccessControl) ? cannedAcl(r.known(p.AccessControl) as string) : undefined,
      policy,
      policyUnreadable,
      lifecycle: lifecycleConfig ? readCfnLifecycle(r, lifecycleConfig.Rules) : undefined,
      replication: replicationConfig ? readCfnReplication(r, replicationConfig.Rules) : undefined,
      ...(objectLock ? { objectLock } : {}),
      replicatedFrom: [],
      isAccessLogTarget: false,
      parts: policyResource ? { policy: policyResource.id } : {},
    };
  }

  function readCfnReplication(r: Reader, rules: unknown): ReplicationRuleFact[] {
    return r.arr(rules, "replication").flatMap((raw) => {
      const rule = r.obj(raw, "replication");
      if (!rule) return [];
      const dest = r.obj(rule.Destination, "replication");
      const bucketRef = r.str(dest?.Bucket, "replication.destination");
      const destId = bucketOf(bucketRef);
      const kms = r.obj(r.obj(rule.SourceSelectionCriteria, "replication")?.SseKmsEncryptedObjects, "replication");
      const replicaKmsKeyId = r.str(r.obj(dest?.EncryptionConfiguration, "replication")?.ReplicaKmsKeyID, "replication.replicaKmsKeyId") || undefined;
      const filter = r.obj(rule.Filter, "replication");
      const coversEveryObject = !r.known(rule.Prefix) && !r.known(filter?.Prefix) && !filter?.TagFilter && !filter?.And;
      return [
        {
          id: r.known(rule.Id),
          enabled: r.str(rule.Status, "replication") === "Enabled",
          coversEveryObject,
          destinationBucket: bucketRef,
          destinationId: destId,
          destinationRegion: destId ? options.region : regionOfArn(bucketRef),
          // A template deploys to one region: a destination in the same template is in the same region.
          ...(destId ? { destinationInSameRegion: true } : {}),
          replicatesKmsObjects: r.str(kms?.Status, "replication") === "Enabled",
          replicaKmsKeyId,
        },
      ];
    });
  }
}

function readCfnLifecycle(r: Reader, rules: unknown): LifecycleRuleFact[] {
  return r.arr(rules, "lifecycle").flatMap((raw) => {
    const rule = r.obj(raw, "lifecycle");
    if (!rule) return [];
    const parts: string[] = [];
    const prefix = r.known(rule.Prefix);
    if (prefix) parts.push(`prefix ${prefix}`);
    for (const t of r.arr(rule.TagFilters, "lifecycle")) {
      const tag = r.obj(t, "lifecycle");
      if (tag) parts.push(`tag ${String(tag.Key)}=${String(tag.Value)}`);
    }
    for (const key of ["ObjectSizeGreaterThan", "ObjectSizeLessThan"]) if (rule[key] !== undefined) parts.push(`${key} ${String(rule[key])}`);
    const noncurrent = r.obj(rule.NoncurrentVersionExpiration, "lifecycle");
    const expirationDays = r.num(rule.ExpirationInDays, "lifecycle");
    const noncurrentDays = r.num(noncurrent?.NoncurrentDays ?? rule.NoncurrentVersionExpirationInDays, "lifecycle");
    const transitions = [...r.arr(rule.Transitions, "lifecycle"), ...(rule.Transition ? [rule.Transition] : [])].flatMap((t) => {
      const b = r.obj(t, "lifecycle");
      const storageClass = r.known(b?.StorageClass);
      if (!b || !storageClass) return [];
      return [{ storageClass: normalizeStorageClass(storageClass), days: r.num(b.TransitionInDays, "lifecycle"), date: r.known(b.TransitionDate) }];
    });
    const noncurrentTransitions = [...r.arr(rule.NoncurrentVersionTransitions, "lifecycle"), ...(rule.NoncurrentVersionTransition ? [rule.NoncurrentVersionTransition] : [])].flatMap((t) => {
      const b = r.obj(t, "lifecycle");
      const storageClass = r.known(b?.StorageClass);
      if (!b || !storageClass) return [];
      return [{ storageClass: normalizeStorageClass(storageClass), days: r.num(b.TransitionInDays, "lifecycle") }];
    });
    return [
      {
        id: r.known(rule.Id),
        enabled: r.str(rule.Status, "lifecycle") === "Enabled",
        coversEveryObject: parts.length === 0,
        filter: parts.length === 0 ? "every object" : parts.join(", "),
        expirationDays: expirationDays !== undefined && expirationDays > 0 ? expirationDays : undefined,
        expirationDate: r.known(rule.ExpirationDate),
        noncurrentExpirationDays: noncurrentDays !== undefined && noncurrentDays > 0 ? noncurrentDays : undefined,
        transitions,
        noncurrentTransitions,
      },
    ];
  });
}

/** CloudFormation spells canned ACLs in PascalCase (`PublicRead`); rules read S3's (`public-read`). */
function cannedAcl(value: string): string {
  return value.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
}

function lifecycleOf(r: Reader, value: unknown): BackupLifecycleFact | undefined {
  const l = r.obj(value, "rules");
  if (!l) return undefined;
  const cold = r.num(l.MoveToColdStorageAfterDays, "rules");
  const del = r.num(l.DeleteAfterDays, "rules");
  return { coldStorageAfterDays: cold && cold > 0 ? cold : undefined, deleteAfterDays: del && del > 0 ? del : undefined };
}

function linkBuckets(facts: MutableStackFacts): void {
  const sources = new Map<string, string[]>();
  for (const b of facts.buckets) for (const rule of b.replication ?? []) if (rule.destinationId) sources.set(rule.destinationId, [...(sources.get(rule.destinationId) ?? []), b.id]);
  facts.buckets = facts.buckets.map((b) => (sources.has(b.id) ? { ...b, replicatedFrom: [...new Set(sources.get(b.id))] } : b));
}
