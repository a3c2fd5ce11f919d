import { describe, expect, expectTypeOf, it } from "vitest";
import * as cdk from "@lifeboat/constructs/cdk";
import * as pulumiAws from "@lifeboat/constructs/pulumi/aws";
import type {
  AlertTopicArguments,
  BackupJobArguments,
  DatabaseReplicaSettings,
  DrillJobArguments,
  KeySettings,
  ReplicatedBackupVaultSettings,
  ScheduledJobSettings,
  SourceConfig,
  VaultBucketSettings,
  VerifyJobArguments,
  WatchedJob,
} from "@lifeboat/constructs/core";
import { record } from "./support";
import { newStack } from "./cdk/support";

// Each component's arguments are declared once in core; both front ends must accept a core settings
// object as it is. These checks run when `tsc -b` type-checks this file: a front end whose arguments
// drift from core's (a renamed option, a narrower type) stops the build.
type CoreSource = SourceConfig extends infer S ? (S extends unknown ? Omit<S, "intervalMinutes"> : never) : never;

/** What both vault front ends take from core: every setting but protection (CDK takes a removal policy). */
type SharedVaultSettings = Omit<VaultBucketSettings<string, string, never>, "protect">;

describe("Component arguments declared once in core", () => {
  it("lets the Pulumi and CDK vaults, keys and alert topics take the same core settings object", () => {
    expectTypeOf<SharedVaultSettings>().toExtend<pulumiAws.BackupVaultArgs>();
    expectTypeOf<SharedVaultSettings>().toExtend<cdk.BackupVaultProps>();
    expectTypeOf<Omit<ReplicatedBackupVaultSettings<string, string, never>, "protect" | "primaryRegion">>().toExtend<pulumiAws.ReplicatedBackupVaultArgs>();
    expectTypeOf<Omit<ReplicatedBackupVaultSettings<string, string, never>, "protect" | "primaryRegion">>().toExtend<cdk.ReplicatedBackupVaultProps>();
    expectTypeOf<Omit<KeySettings<string>, "protect">>().toExtend<pulumiAws.VaultKeyArgs>();
    expectTypeOf<Omit<KeySettings<string>, "protect">>().toExtend<cdk.VaultKeyProps>();
    expectTypeOf<AlertTopicArguments<string, string>>().toExtend<pulumiAws.AlertTopicArgs>();
    expectTypeOf<AlertTopicArguments<string, string>>().toExtend<cdk.AlertTopicProps>();
  });

  it("lets the Pulumi and CDK jobs, alarms and database backups take the same core settings object, beside their own code, network and references", () => {
    expectTypeOf<ScheduledJobSettings & BackupJobArguments<CoreSource>>().toExtend<Omit<pulumiAws.BackupJobArgs, "code">>();
    expectTypeOf<ScheduledJobSettings & BackupJobArguments<CoreSource>>().toExtend<Omit<cdk.BackupJobProps, "code">>();
    expectTypeOf<ScheduledJobSettings & VerifyJobArguments<CoreSource>>().toExtend<Omit<pulumiAws.VerifyJobArgs, "code">>();
    expectTypeOf<ScheduledJobSettings & VerifyJobArguments<CoreSource>>().toExtend<Omit<cdk.VerifyJobProps, "code">>();
    expectTypeOf<ScheduledJobSettings & DrillJobArguments<CoreSource>>().toExtend<Omit<pulumiAws.DrillJobArgs, "code">>();
    expectTypeOf<ScheduledJobSettings & DrillJobArguments<CoreSource>>().toExtend<Omit<cdk.DrillJobProps, "code">>();
    expectTypeOf<WatchedJob>().toExtend<pulumiAws.WatchedJob>();
    expectTypeOf<WatchedJob>().toExtend<cdk.WatchedJob>();
    expectTypeOf<DatabaseReplicaSettings<string>>().toExtend<pulumiAws.DatabaseReplicaArgs>();
    expectTypeOf<DatabaseReplicaSettings<string>>().toExtend<cdk.DatabaseReplicaProps>();
  });

  it("renders one vault settings object to the same plan in Pulumi and in CDK", async () => {
    const settings: SharedVaultSettings = {
      retention: { daily: "14d", weekly: "60d", monthly: "400d", archiveAfter: "30d" },
      objectLock: { mode: "GOVERNANCE", retention: "7d" },
    };

    let pulumiVault: pulumiAws.BackupVault | undefined;
    await record(() => {
      pulumiVault = new pulumiAws.BackupVault("vault", settings);
    });
    const { stack } = newStack();
    const cdkVault = new cdk.BackupVault(stack, "Vault", settings);

    expect(pulumiVault?.plan.lifecycleRules.length).toBeGreaterThan(0);
    expect(cdkVault.plan).toEqual(pulumiVault?.plan);
  });

  it("renders one replicated vault settings object to the same plans in Pulumi and in CDK", async () => {
    const settings: Omit<ReplicatedBackupVaultSettings<string, string, never>, "protect" | "primaryRegion"> = {
      retention: { daily: "35d", weekly: "90d", monthly: "1y" },
      replica: { region: "us-west-2", retention: { daily: "35d", weekly: "120d", monthly: "2y" } },
      replicateDeleteMarkers: true,
    };

    let pulumiVault: pulumiAws.ReplicatedBackupVault | undefined;
    await record(() => {
      pulumiVault = new pulumiAws.ReplicatedBackupVault("vault", { ...settings, primaryRegion: "us-east-1" });
    });
    const { stack } = newStack();
    const cdkVault = new cdk.ReplicatedBackupVault(stack, "Vault", settings);

    expect(pulumiVault?.plan.rule.deleteMarkerReplication).toBe(true);
    expect(cdkVault.plan).toEqual(pulumiVault?.plan);
  });
});
