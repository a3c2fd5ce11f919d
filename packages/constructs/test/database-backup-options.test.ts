import { describe, expect, it } from "vitest";
import { elastiCacheBackupProps, rdsInstanceBackupProps, VaultKey } from "@lifeboat/constructs/cdk";
import { planDatabaseBackup } from "@lifeboat/constructs/core";
import { newStack } from "./cdk/support";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("database backup options declared in core", () => {
  it("refuses deletion by default and keeps it off only when asked", () => {
    expect(planDatabaseBackup({ engine: "rds-instance", name: "db", scope: "p/s", key: KEY }, "db").deletionProtection).toBe(true);
    expect(planDatabaseBackup({ engine: "rds-instance", name: "db", scope: "p/s", key: KEY, deletionProtection: false }, "db").deletionProtection).toBe(false);
  });

  it("refuses a key ARN where the front end cannot use one, saying the AWS managed key would be used instead", () => {
    expect(() => planDatabaseBackup({ engine: "rds-instance", name: "db", scope: "p/s", key: KEY, keyArnRefused: "pass an IKey." }, "db")).toThrow(
      `\`key\` ("${KEY}") is a key ARN, which cannot be used here: pass an IKey. Without it the database would be encrypted with the AWS managed key.`,
    );
  });

  it("gives the CDK RDS helper's storage the VaultKey passed, and ElastiCache a plain key ARN", () => {
    const { stack } = newStack();
    const key = new VaultKey(stack, "Data");

    const rds = rdsInstanceBackupProps("db", { key, deletionProtection: false });
    const cache = elastiCacheBackupProps("cache", { key: KEY });

    expect(rds.storageEncryptionKey).toBe(key.key);
    expect(rds.deletionProtection).toBe(false);
    expect(cache.kmsKeyId).toBe(KEY);
  });
});
