import { describe, expect, it } from "vitest";
import { FakeCloud } from "@lifeboat/constructs/testing";

describe("FakeCloud backup and monitoring shapes", () => {
  it("gives a Route 53 health check an ARN without region or account, and a UUID id", () => {
    const cloud = new FakeCloud({ region: "eu-west-1" });

    const { id, state } = cloud.newResource({ type: "aws:route53/healthCheck:HealthCheck", name: "app-health-check", inputs: { type: "HTTPS" }, custom: true });

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(state.arn).toBe(`arn:aws:route53:::healthcheck/${id}`);
  });

  it("reports replicated automated backups by their auto-backup ARN in the region the resource asks for", () => {
    const cloud = new FakeCloud();

    const { id, state } = cloud.newResource({
      type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
      name: "orders-backup-replication",
      inputs: { region: "us-west-2", sourceDbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:orders" },
      custom: true,
    });

    expect(id).toMatch(/^arn:aws:rds:us-west-2:123456789012:auto-backup:ab-[0-9a-f]{38}$/);
    expect(state.arn).toBe(id);
  });

  it("answers a vault lock and vault notifications with the vault's ARN", () => {
    const cloud = new FakeCloud({ account: "111122223333" });

    const lock = cloud.newResource({ type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name: "l", inputs: { backupVaultName: "dbs-vault" }, custom: true });
    const notifications = cloud.newResource({ type: "aws:backup/vaultNotifications:VaultNotifications", name: "n", inputs: { backupVaultName: "dbs-vault" }, custom: true });

    expect(lock.state.backupVaultArn).toBe("arn:aws:backup:us-east-1:111122223333:backup-vault:dbs-vault");
    expect(notifications.state.backupVaultArn).toBe("arn:aws:backup:us-east-1:111122223333:backup-vault:dbs-vault");
  });
});
