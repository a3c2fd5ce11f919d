import type { Rule } from "../engine/rule";
import { DEFAULT_SETTINGS, EXEMPT_REASON_TAG, EXEMPT_TAG, MIN_REASON_LENGTH, SETTINGS_SCHEMA, type SettingName } from "../engine/settings";
import { VAULT_TAG } from "../rules/support/vaults";

function defaultOf(name: SettingName): string {
  const value = DEFAULT_SETTINGS[name];
  return value === undefined ? "not set" : `\`${JSON.stringify(value)}\``;
}

/** RULES.md: every rule with its cause, explanation and settings; a test keeps the file equal to this. */
export function renderRulesMarkdown(rules: readonly Rule[]): string {
  const lines: string[] = [
    "# Lifeboat DR rules",
    "",
    "<!-- Generated from packages/policies/src/rules by `npm run rules-md -w packages/policies`; a test fails when it is out of date. -->",
    "",
    "One rule set, judged over Pulumi stacks (`pulumi preview --policy-pack packages/policies`) and CloudFormation templates (the CDK plugin `LifeboatPolicyPlugin`).",
    "Each finding names the resource (URN or logical id), the value found and the fix.",
    "",
    "## Which buckets are backup vaults",
    "",
    "Encryption (`s3-bucket-kms-encryption`) and public access (`s3-bucket-public-access-block`) apply to every bucket. The retention, versioning, TLS, replication and Object Lock rules apply to backup vaults only, so log and website buckets make no noise. A bucket (or a Spaces bucket) is a vault when:",
    "",
    "- `vaultBuckets` is `all`; or",
    "- it replicates, is a replication destination, or has Object Lock enabled: only backups get that care (no tag takes such a bucket out); or",
    `- it has the tag \`${VAULT_TAG}\` with any value but \`false\` (\`false\` takes out a bucket that only its name made a vault); or`,
    "- its name (the program's or the physical one) matches `vaultNamePatterns` (default `*backup*`, `*vault*`), unless it receives server access logs.",
    "",
    "Buckets that receive server access logs are skipped by `s3-bucket-kms-encryption`: S3 log delivery cannot write with a KMS key.",
    "",
    "## Configuration",
    "",
    "Every setting can be given once for every rule, or for one rule, where it wins (`PolicyConfig` and its `rules`, CDK plugin). With Pulumi (`pulumi preview --policy-pack packages/policies --policy-pack-config config.json`), the `lifeboat` policy takes settings and exemptions for every rule, and each rule is a policy with its own enforcement, settings and exemptions:",
    "",
    "```json",
    '{ "all": "mandatory", "lifeboat": { "allowedRegions": ["eu-west-1", "eu-central-1"], "vaultNamePatterns": ["*-dr-*"], "exemptions": [{ "resources": "legacy-*", "rules": ["s3-vault-replication"], "reason": "Migrated in Q3, TICKET-41" }] }, "s3-vault-minimum-retention": { "minimumRetentionDays": 35 } }',
    "```",
    "",
    "The `lifeboat` policy also judges every rule that correlates resources, in one pass over the stack; its findings carry each rule's own name and enforcement. Keep it enabled: disabling it turns those rules off.",
    "",
    "Enforcement per rule: `advisory` (reported), `mandatory` (fails the preview or the synth) or `disabled`. Pulumi does not apply schema defaults; the pack applies these:",
    "",
    "| Setting | Default | Meaning |",
    "|---|---|---|",
    ...(Object.keys(SETTINGS_SCHEMA) as SettingName[]).map((name) => `| \`${name}\` | ${defaultOf(name)} | ${String(SETTINGS_SCHEMA[name].description)} |`),
    "",
    "## Where Lifeboat judges differently from other tools",
    "",
    "Checked against Checkov's and CloudFormation Guard's own rule fixtures and aws-cdk's integration templates. Where the verdicts differ, it is on purpose:",
    "",
    "- **Encryption means a customer managed key.** `s3-bucket-kms-encryption`, `rds-storage-encrypted`, `sns-topic-encrypted` and `backup-vault-customer-key` fail SSE-S3 (`AES256`) and AWS managed keys (`aws/s3`, `aws/rds`, `aws/backup`), which other tools accept: a key policy you cannot change cannot restrict who reads a backup, nor let it be copied to another account. Vault buckets also need an S3 bucket key.",
    "- **Every bucket blocks public access with all four flags.** Other tools check one flag per check, or only the ACL; a bucket with no public access block at all passes their ACL checks.",
    "- **Read replicas are the source's concern.** Backup retention, deletion protection and storage encryption are judged on the source database; a replica inherits its encryption and has no backups of its own, so the RDS rules skip it, where Guard fails it.",
    "- **S3 semantics over configuration.** A bucket with Object Lock is versioned (S3 turns versioning on and never lets it be suspended); a copy or replica to a vault of the same template, or of the same stack through the same provider, is in the same region even when no region is written; keys that cannot rotate automatically (asymmetric, HMAC, imported material, custom key stores) are not asked to.",
    "- **A bucket policy is judged with its bucket.** A policy for a bucket that is not in the template proves nothing about that bucket; Guard judges the policy alone.",
    "",
    "## Exemptions",
    "",
    `- On a resource: the tag \`${EXEMPT_TAG}\` names rule ids separated by spaces, and \`${EXEMPT_REASON_TAG}\` says why in at least ${MIN_REASON_LENGTH} characters. Findings about a bucket use the bucket's tags.`,
    `- In configuration: \`exemptions: [{ resources: "legacy-*", rules: ["s3-vault-replication"], reason: "..." }]\` (with Pulumi, \`exemptions: [{ resources, reason }]\` in the rule's config). The pattern matches the resource's name, URN or logical id; \`*\` is a wildcard.`,
    "- An exempted finding is still reported, marked exempted with its reason, and never fails. An exemption without a reason is not applied and is itself a finding (`exemption-reason-required`).",
    "",
    "A value computed at deploy time (a preview of new resources) cannot be judged: its finding is reported as advisory, \"known after deploy\".",
    "",
    "## Rules",
    "",
    "| Rule | Area | Enforcement |",
    "|---|---|---|",
    ...rules.map((r) => `| [\`${r.id}\`](#${r.id}) | ${r.area} | ${r.enforcement} |`),
    "",
  ];
  for (const r of rules) {
    lines.push(
      `### ${r.id}`,
      "",
      r.description,
      "",
      `- **Cause:** ${r.cause}`,
      `- **Why it matters:** ${r.explanation}`,
      `- **Enforcement:** ${r.enforcement}; judged per ${r.scope === "resource" ? "resource" : "stack (correlates resources)"}.`,
      `- **Applies to:** ${r.appliesTo}`,
      `- **Settings:** ${r.settings.length > 0 ? r.settings.map((s) => `\`${s}\` (${defaultOf(s)})`).join(", ") : "none"}`,
      "",
    );
  }
  return lines.join("\n");
}
