import { describe, expect, it } from "vitest";
import { backupPlanCrossRegionCopy, backupVaultCustomerKey, kmsKeyDeletionWindow, kmsKeyRotation, rdsCrossRegionBackup, s3VaultReplication, s3VaultVersioning } from "../src";
import { onStack, onTemplate, summary } from "./fixtures/judge";
import { compliantStack, res, urn, without, withProps } from "./fixtures/pulumi-stack";
import { compliantTemplate, withCfn } from "./fixtures/template";

// Each case starts from the compliant stack or template and changes one thing AWS gives a meaning
// the configuration does not spell out: Object Lock implies versioning, a resource of the same
// stack or template shares its region, imported keys cannot rotate.
const stack = compliantStack();
const template = compliantTemplate();

describe("a bucket with Object Lock is versioned", () => {
  const locked = (p: Record<string, unknown>) => ({ ...p, objectLockEnabled: true });

  it("passes a locked Pulumi vault with no BucketVersioning resource", () => {
    const stackWithLock = withProps(without(stack, "backups-replica-versioning"), "backups-replica", locked);
    expect(onStack(s3VaultVersioning, stackWithLock)).toEqual([]);
  });

  it("passes a locked CloudFormation vault with no VersioningConfiguration", () => {
    const lockedTemplate = withCfn(template, "VaultBucket", ({ VersioningConfiguration: _, ...p }) => ({ ...p, ObjectLockEnabled: true }));
    expect(onTemplate(s3VaultVersioning, lockedTemplate)).toEqual([]);
  });

  it("still fails an unlocked vault with no versioning, and a locked one that says Suspended", () => {
    expect(summary(onStack(s3VaultVersioning, without(stack, "backups-replica-versioning")))).toEqual(["backups-replica: Versioning is not configured on this backup vault."]);
    const contradictory = withCfn(template, "VaultBucket", (p) => ({ ...p, ObjectLockEnabled: true, VersioningConfiguration: { Status: "Suspended" } }));
    expect(onTemplate(s3VaultVersioning, contradictory)[0]?.actual).toBe("Suspended");
  });
});

describe("a copy to a vault or bucket of the same stack stays in the stack's region", () => {
  const required = { requireCrossRegionBackups: true };
  const localVault = res("aws:backup/vault:Vault", "local-copy", { name: "local-copy", kmsKeyArn: "alias/backups" });
  const drVault = res("aws:backup/vault:Vault", "dr-copy", { name: "dr-copy", kmsKeyArn: "alias/backups" }, { provider: urn("pulumi:providers:aws", "replica") });
  /** The plan copying to `vault` through an ARN known only after deploy, as in a real preview. */
  const copyingTo = (vault: typeof localVault) => [
    ...withProps(stack, "plan", (p: any) => ({ ...p, region: undefined, rules: [{ ...p.rules[0], copyActions: [{ destinationVaultArn: "(known after deploy)" }] }] })).map((r) =>
      r.name === "plan" ? { ...r, propertyDependencies: { rules: [urn("aws:backup/vault:Vault", "dr-vault"), vault.urn] } } : r,
    ),
    vault,
  ];

  it("fails a Pulumi plan whose copy goes to a vault of the same provider, with no region known", () => {
    expect(summary(onStack(backupPlanCrossRegionCopy, copyingTo(localVault), required))).toEqual(['plan: Rule "daily" copies only within the plan\'s own region.']);
  });

  it("passes a Pulumi plan whose copy goes to a vault created through another region's provider", () => {
    expect(onStack(backupPlanCrossRegionCopy, copyingTo(drVault), required)).toEqual([]);
  });

  it("fails a template plan copying to a vault of the same template, whatever the template's region", () => {
    const toOwnVault = withCfn(template, "Plan", (p: any) => ({
      BackupPlan: { ...p.BackupPlan, BackupPlanRule: [{ ...p.BackupPlan.BackupPlanRule[0], CopyActions: [{ DestinationBackupVaultArn: { "Fn::GetAtt": ["BackupVault", "BackupVaultArn"] } }] }] },
    }));
    expect(onTemplate(backupPlanCrossRegionCopy, toOwnVault, required)[0]?.message).toBe('Rule "daily" copies only within the plan\'s own region.');
    expect(onTemplate(backupPlanCrossRegionCopy, toOwnVault, required, "eu-west-1")[0]?.message).toBe('Rule "daily" copies only within eu-west-1.');
  });

  it("does not count RDS backups replicated through the database's own provider as another region", () => {
    const sameProvider = stack.map((r) => (r.name === "main-db-backups-dr" ? { ...r, provider: undefined, propertyDependencies: { sourceDbInstanceArn: [urn("aws:rds/instance:Instance", "main-db")] } } : r));
    const unplaced = withProps(sameProvider, "main-db", (p) => ({ ...p, region: undefined, arn: "(known after deploy)" }));
    expect(summary(onStack(rdsCrossRegionBackup, unplaced, required))).toEqual(["main-db: No backup of this database is kept outside its region."]);
  });

  it("reads CloudFormation's AutomaticBackupReplicationRegion, and refuses the template's own region", () => {
    const withReplication = (region: unknown) => withCfn(template, "Database", (p) => ({ ...p, AutomaticBackupReplicationRegion: region }));
    const selectionless = (t: ReturnType<typeof withReplication>) => ({ Resources: Object.fromEntries(Object.entries(t.Resources ?? {}).filter(([id]) => id !== "Selection")) });
    expect(onTemplate(rdsCrossRegionBackup, selectionless(withReplication("us-west-2")), required, "us-east-1").filter((f) => f.resource === "Database")).toEqual([]);
    expect(summary(onTemplate(rdsCrossRegionBackup, selectionless(withReplication({ Ref: "AWS::Region" })), required).filter((f) => f.resource === "Database"))).toEqual([
      "Database: No backup of this database is kept outside its region.",
    ]);
  });

  it("fails S3 replication to a bucket of the same provider when neither region is known", () => {
    const noRegions = stack.map((r) => (r.provider ? { ...r, provider: undefined } : r)).map((r) => (r.type === "aws:s3/bucket:Bucket" ? { ...r, properties: { ...r.properties, region: undefined } } : r));
    expect(summary(onStack(s3VaultReplication, noRegions))).toEqual([
      'backups-primary: Replication rule "replicate-everything" copies to arn:aws:s3:::backups-replica-0a1b2c3 in the vault\'s own region.',
    ]);
  });
});

describe("keys that cannot rotate are not asked to", () => {
  it("skips imported key material, in Pulumi (ExternalKey) and CloudFormation (Origin EXTERNAL)", () => {
    const imported = res("aws:kms/externalKey:ExternalKey", "imported", { arn: "arn:aws:kms:us-east-1:123456789012:key/44444444-4444-4444-4444-444444444444", deletionWindowInDays: 30 });
    expect(onStack(kmsKeyRotation, [...stack, imported])).toEqual([]);
    expect(onTemplate(kmsKeyRotation, withCfn(template, "VaultKey", ({ EnableKeyRotation: _, ...p }) => ({ ...p, Origin: "EXTERNAL" })))).toEqual([]);
  });

  it("skips keys in a custom key store", () => {
    expect(onStack(kmsKeyRotation, withProps(stack, "vault-key", (p) => ({ ...p, enableKeyRotation: false, customKeyStoreId: "cks-1234567890abcdef0" })))).toEqual([]);
    expect(onTemplate(kmsKeyRotation, withCfn(template, "VaultKey", ({ EnableKeyRotation: _, ...p }) => ({ ...p, Origin: "AWS_CLOUDHSM" })))).toEqual([]);
  });

  it("still judges an imported key's deletion window, and still asks KMS-generated keys to rotate", () => {
    const imported = res("aws:kms/externalKey:ExternalKey", "imported", { deletionWindowInDays: 7 });
    expect(summary(onStack(kmsKeyDeletionWindow, [...stack, imported]))).toHaveLength(1);
    expect(onTemplate(kmsKeyRotation, withCfn(template, "VaultKey", ({ EnableKeyRotation: _, ...p }) => ({ ...p, Origin: "AWS_KMS" })))[0]?.resource).toBe("VaultKey");
  });
});

describe("backup-vault-customer-key", () => {
  it("passes vaults encrypted with a customer managed key", () => {
    expect(onStack(backupVaultCustomerKey, stack)).toEqual([]);
    expect(onTemplate(backupVaultCustomerKey, template)).toEqual([]);
  });

  it("fails a vault with no key, naming AWS Backup's default key", () => {
    expect(summary(onStack(backupVaultCustomerKey, withProps(stack, "dr-vault", (p) => ({ ...p, kmsKeyArn: undefined }))))).toEqual([
      "dr-vault: The backup vault encrypts with AWS Backup's default AWS managed key.",
    ]);
    expect(onTemplate(backupVaultCustomerKey, withCfn(template, "BackupVault", ({ EncryptionKeyArn: _, ...p }) => p))[0]?.resource).toBe("BackupVault");
  });

  it("fails a vault that names the AWS managed aws/backup key", () => {
    const managed = "arn:aws:kms:us-east-1:123456789012:alias/aws/backup";
    const findings = onStack(backupVaultCustomerKey, withProps(stack, "dr-vault", (p) => ({ ...p, kmsKeyArn: managed })));
    expect(findings.map((f) => [f.message, f.actual])).toEqual([[`The backup vault uses the AWS managed key ${managed}, whose policy cannot be changed.`, managed]]);
  });
});
