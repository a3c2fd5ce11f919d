/** How a broken rule is treated: reported as a warning, blocks the deployment, or not run. */
export type Enforcement = "advisory" | "mandatory" | "disabled";

/** `GOVERNANCE` lets privileged users shorten a lock; `COMPLIANCE` lets nobody. */
export type ObjectLockMode = "GOVERNANCE" | "COMPLIANCE";

/**
 * Every threshold and switch the rules read. Each rule lists the settings it reads; a setting can
 * be given for every rule at once or for one rule (`rules.<rule-id>`).
 */
export interface Settings {
  /** No current or noncurrent backup expires sooner (S3 and Spaces vaults). @default 30 */
  readonly minimumRetentionDays: number;
  /** When set, every object in a vault must be gone by this age (data minimization). @default - no maximum */
  readonly maximumRetentionDays?: number;
  /** When set, every vault must move backups to a Glacier class by this age. @default - archiving not required */
  readonly archiveAfterDays?: number;
  /** Regions data stores may live in (AWS or DigitalOcean slugs). @default - any region */
  readonly allowedRegions?: readonly string[];
  /** Every vault must replicate to another region. @default true */
  readonly requireReplication: boolean;
  /** Every vault must use S3 Object Lock. @default false */
  readonly requireObjectLock: boolean;
  /** When set, the Object Lock mode vaults must use. @default - either mode */
  readonly objectLockMode?: ObjectLockMode;
  /** KMS waits at least this long before deleting a key. @default 30 */
  readonly kmsDeletionWindowDays: number;
  /** RDS keeps automated backups at least this long. @default 7 */
  readonly rdsBackupRetentionDays: number;
  /** ElastiCache keeps snapshots at least this long. @default 7 */
  readonly elasticacheSnapshotRetentionDays: number;
  /** Log groups keep events at least this long (and never forever). @default 1 */
  readonly minimumLogRetentionDays: number;
  /** Databases must have backups outside their region (replicated automated backups or an AWS Backup copy). @default false */
  readonly requireCrossRegionBackups: boolean;
  /** Every AWS Backup vault must have a Vault Lock. @default false */
  readonly requireVaultLock: boolean;
  /**
   * Which buckets are judged as backup vaults: `detected` (see RULES.md) or `all`.
   * @default "detected"
   */
  readonly vaultBuckets: "detected" | "all";
  /** Name patterns (`*` wildcards, case-insensitive) that make a bucket a vault. @default ["*backup*", "*vault*"] */
  readonly vaultNamePatterns: readonly string[];
}

/** The defaults the pack applies: a well-built estate passes, a real weakness fails. */
export const DEFAULT_SETTINGS: Settings = {
  minimumRetentionDays: 30,
  requireReplication: true,
  requireObjectLock: false,
  kmsDeletionWindowDays: 30,
  rdsBackupRetentionDays: 7,
  elasticacheSnapshotRetentionDays: 7,
  minimumLogRetentionDays: 1,
  requireCrossRegionBackups: false,
  requireVaultLock: false,
  vaultBuckets: "detected",
  vaultNamePatterns: ["*backup*", "*vault*"],
};

/** A setting's name. */
export type SettingName = keyof Settings;

/** An exemption written in configuration: resources matched by name, URN or logical id. */
export interface ConfigExemption {
  /** A pattern (`*` wildcards) matched against the resource's name, URN or logical id. */
  readonly resources: string;
  /** Rule ids the exemption covers; `*` for every rule. */
  readonly rules: readonly string[];
  /** Why: at least 10 characters, shown with every exempted finding. */
  readonly reason: string;
}

/** What a user passes: settings for every rule, per-rule overrides and enforcement, exemptions. */
export interface PolicyConfig extends Partial<Settings> {
  readonly rules?: Readonly<Record<string, Partial<Settings> & { readonly enforcement?: Enforcement }>>;
  readonly exemptions?: readonly ConfigExemption[];
}

/**
 * The JSON schema of every setting, used for RULES.md and for the Pulumi pack's per-policy config
 * schemas. Pulumi does not apply schema defaults, so the `default`s here are documentation; the
 * pack applies {@link DEFAULT_SETTINGS} itself.
 */
export const SETTINGS_SCHEMA: Readonly<Record<SettingName, Record<string, unknown>>> = {
  minimumRetentionDays: { type: "integer", minimum: 1, default: 30, description: "No current or noncurrent backup in a vault expires sooner (days)." },
  maximumRetentionDays: { type: "integer", minimum: 1, description: "When set, every object in a vault must be deleted by this age, noncurrent versions included (days)." },
  archiveAfterDays: { type: "integer", minimum: 1, description: "When set, every vault must move backups to a Glacier class by this age (days)." },
  allowedRegions: { type: "array", items: { type: "string" }, description: "When set, the only regions data stores may live in (AWS regions or DigitalOcean slugs)." },
  requireReplication: { type: "boolean", default: true, description: "Every vault must replicate to a bucket in another region." },
  requireObjectLock: { type: "boolean", default: false, description: "Every vault must use S3 Object Lock with a default retention." },
  objectLockMode: { type: "string", enum: ["GOVERNANCE", "COMPLIANCE"], description: "When set, the Object Lock mode vaults must use." },
  kmsDeletionWindowDays: { type: "integer", minimum: 7, maximum: 30, default: 30, description: "KMS keys wait at least this long before deletion (days)." },
  rdsBackupRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "RDS instances and clusters keep automated backups at least this long (days)." },
  elasticacheSnapshotRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "ElastiCache keeps snapshots at least this long (days)." },
  minimumLogRetentionDays: { type: "integer", minimum: 1, default: 1, description: "Log groups keep events at least this long, and not forever (days)." },
  requireCrossRegionBackups: { type: "boolean", default: false, description: "Databases need backups outside their region, and every AWS Backup plan rule a copy to another region." },
  requireVaultLock: { type: "boolean", default: false, description: "Every AWS Backup vault must have a Vault Lock." },
  vaultBuckets: { type: "string", enum: ["detected", "all"], default: "detected", description: "Which buckets are judged as backup vaults." },
  vaultNamePatterns: { type: "array", items: { type: "string" }, default: ["*backup*", "*vault*"], description: "Bucket name patterns that mark a backup vault (`*` wildcards, case-insensitive)." },
};

/** The JSON schema of one configuration exemption. */
export const EXEMPTION_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {
    resources: { type: "string", minLength: 1, description: "Pattern (`*` wildcards) matched against the resource's name, URN or logical id." },
    reason: { type: "string", minLength: 10, description: "Why the resource is exempt; shown with every exempted finding." },
  },
  required: ["resources", "reason"],
};

/** The tag that names the rule ids a resource is exempt from, separated by spaces. */
export const EXEMPT_TAG = "lifeboat:exempt";
/** The tag that says why; at least {@link MIN_REASON_LENGTH} characters. */
export const EXEMPT_REASON_TAG = "lifeboat:exempt-reason";
/** A reason shorter than this is not a reason. */
export const MIN_REASON_LENGTH = 10;

/** Settings for one rule: defaults, then the config's settings, then the rule's own overrides. */
export function settingsFor(ruleId: string, config: PolicyConfig | undefined): Settings & { readonly exemptions: readonly ConfigExemption[] } {
  const { rules, exemptions, ...global } = config ?? {};
  const { enforcement: _enforcement, ...own } = rules?.[ruleId] ?? {};
  return { ...DEFAULT_SETTINGS, ...withoutUndefined(global), ...withoutUndefined(own), exemptions: exemptions ?? [] } as Settings & { readonly exemptions: readonly ConfigExemption[] };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Checks a configuration's shape; returns every problem, each naming the key, the value and what is allowed. */
export function checkConfig(config: PolicyConfig | undefined, ruleIds: readonly string[]): string[] {
  const problems: string[] = [];
  if (config === undefined) return problems;
  if (config === null || typeof config !== "object") return [`the configuration must be an object; received ${JSON.stringify(config)}.`];
  const checkSettings = (values: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const schema = SETTINGS_SCHEMA[key as SettingName];
      if (!schema) {
        problems.push(`\`${path}${key}\` is not a setting; settings are ${Object.keys(SETTINGS_SCHEMA).join(", ")}.`);
        continue;
      }
      const problem = schemaProblem(schema, value);
      if (problem) problems.push(`\`${path}${key}\` (${JSON.stringify(value)}) ${problem}.`);
    }
  };
  const { rules, exemptions, ...global } = config;
  checkSettings(global, "");
  for (const [id, own] of Object.entries(rules ?? {})) {
    if (!ruleIds.includes(id)) {
      problems.push(`\`rules.${id}\` names no rule; rules are ${ruleIds.join(", ")}.`);
      continue;
    }
    const { enforcement, ...settings } = own ?? {};
    if (enforcement !== undefined && !["advisory", "mandatory", "disabled"].includes(enforcement)) {
      problems.push(`\`rules.${id}.enforcement\` (${JSON.stringify(enforcement)}) must be "advisory", "mandatory" or "disabled".`);
    }
    checkSettings(settings, `rules.${id}.`);
  }
  (exemptions ?? []).forEach((e, i) => {
    if (!e || typeof e.resources !== "string" || e.resources === "") problems.push(`\`exemptions[${i}].resources\` must be a name pattern such as "legacy-*".`);
    if (!Array.isArray(e?.rules) || e.rules.length === 0) problems.push(`\`exemptions[${i}].rules\` must list rule ids, or ["*"] for every rule.`);
    else for (const id of e.rules) if (id !== "*" && !ruleIds.includes(id)) problems.push(`\`exemptions[${i}].rules\` names "${id}", which is no rule.`);
  });
  return problems;
}

function schemaProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  switch (schema.type) {
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return "must be a whole number";
      if (typeof schema.minimum === "number" && value < schema.minimum) return `must be at least ${schema.minimum}`;
      if (typeof schema.maximum === "number" && value > schema.maximum) return `must be at most ${schema.maximum}`;
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "string":
      if (typeof value !== "string") return "must be a string";
      if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
      return undefined;
    case "array":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : "must be a list of strings";
    default:
      return undefined;
  }
}
