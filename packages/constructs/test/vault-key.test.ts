import { describe, expect, it } from "vitest";
import { VaultKey } from "@lifeboat/constructs/pulumi/aws";
import { policyOf, record, statement } from "./support";

describe("VaultKey", () => {
  it("creates a symmetric key with rotation on, a 30-day deletion window and an alias", async () => {
    const rec = await record(() => new VaultKey("vault"));
    const key = rec.get("aws:kms/key:Key", "vault-key");

    expect(key.inputs).toMatchObject({
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
    });
    expect(key.protect).toBe(true);
    expect(rec.get("aws:kms/alias:Alias", "vault-alias").inputs).toEqual({ name: expect.stringMatching(/^alias\/lifeboat\/vault-[0-9a-f]{8}$/), targetKeyId: key.outputs.keyId });
  });

  it("lets the account administer the key and nothing else by default", async () => {
    const rec = await record(() => new VaultKey("vault"), { cloud: { account: "111122223333" } });
    const policy = policyOf(rec.get("aws:kms/key:Key", "vault-key"));

    expect(policy.Statement).toEqual([
      { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["kms:*"], Resource: ["*"] },
    ]);
  });

  it("lets named services encrypt and decrypt on the account's behalf", async () => {
    const rec = await record(() => new VaultKey("alerts", { services: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }));
    const services = statement(policyOf(rec.get("aws:kms/key:Key", "alerts-key")), "ServicesUseKey");

    expect(services).toEqual({
      Sid: "ServicesUseKey",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: ["*"],
    });
  });

  it("takes the deletion window, rotation period and alias it is given", async () => {
    const rec = await record(() => new VaultKey("k", { deletionWindow: "7d", rotationPeriod: "90d", alias: "alias/team/backups", protect: false }));
    const key = rec.get("aws:kms/key:Key", "k-key");

    expect(key.inputs).toMatchObject({ deletionWindowInDays: 7, rotationPeriodInDays: 90 });
    expect(key.protect).toBe(false);
    expect(rec.get("aws:kms/alias:Alias", "k-alias").inputs.name).toBe("alias/team/backups");
  });
});
