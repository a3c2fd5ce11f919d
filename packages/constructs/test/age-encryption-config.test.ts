import { describe, expect, it } from "vitest";
import { LifeboatValidationError, manifestProblems, parseJobConfig } from "../src/core";
import { errorOf } from "./support";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
// The shape of an age identity (not a usable one): the configuration must never echo it.
const IDENTITY = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
const valid = {
  vault: { bucket: "vault", tiers: "prefix", encryption: { ageRecipients: [RECIPIENT] } },
  sources: [{ name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db", database: "app" }],
};

describe("vault.encryption in the job configuration", () => {
  it("accepts age recipients and a secret that holds the identity for restores in AWS", () => {
    const config = parseJobConfig({ ...valid, vault: { ...valid.vault, encryption: { ageRecipients: [RECIPIENT], identitySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:lifeboat-age-AbCdEf" } } });

    expect(config.vault.encryption).toEqual({ ageRecipients: [RECIPIENT], identitySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:lifeboat-age-AbCdEf" });
  });

  it("names an identity given as a recipient or as the secret, an unknown key and an empty list in one error, never echoing a key", () => {
    const error = errorOf(() =>
      parseJobConfig({ ...valid, vault: { ...valid.vault, encryption: { ageRecipients: [IDENTITY, "age1short"], identitySecretArn: IDENTITY, identity: IDENTITY } } }),
    ) as LifeboatValidationError;
    const empty = errorOf(() => parseJobConfig({ ...valid, vault: { ...valid.vault, encryption: { ageRecipients: [] } } })) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["vault.encryption.ageRecipients[0]", "vault.encryption.ageRecipients[1]", "vault.encryption.identitySecretArn", "vault.encryption.identity"]);
    expect(error.message).toContain("is a private key: give the recipient");
    expect(error.message).not.toContain(IDENTITY);
    expect(empty.problems.map((p) => p.argument)).toEqual(["vault.encryption.ageRecipients"]);
  });
});

describe("a manifest's encryption", () => {
  const manifest = {
    schemaVersion: 1,
    source: "pg",
    kind: "postgres",
    artifactKey: "daily/pg/2026/11/21/pg-20261121T090503Z.dump.zst.age",
    format: "pg_dump-custom",
    compression: "zstd",
    startedAt: "2026-11-21T09:05:03.000Z",
    finishedAt: "2026-11-21T09:06:03.000Z",
    sizeBytes: 300,
    sha256: "a".repeat(64),
    tier: "daily",
    tool: { name: "pg_dump", version: "15.8" },
    encryption: { scheme: "age", recipients: [RECIPIENT], plaintextBytes: 100 },
  };

  it("is accepted with the recipients and the plaintext's size", () => {
    expect(manifestProblems(manifest)).toEqual([]);
  });

  it("is refused without recipients or with another scheme", () => {
    expect(manifestProblems({ ...manifest, encryption: { scheme: "gpg", recipients: [], plaintextBytes: 100 } })).toEqual([
      '`encryption` ("{\\"scheme\\":\\"gpg\\",\\"recipients\\":[],\\"plaintextBytes\\":100}") must be { scheme: "age", recipients: ["age1..."], plaintextBytes } when present.',
    ]);
  });
});
