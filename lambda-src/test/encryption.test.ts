import { PutObjectCommand } from "@aws-sdk/client-s3";
import { parseJobConfig, type BackupManifest, type JobConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError, main, runBackup, runDrill, runRestore, verifySources, type BackupResult } from "../src";
import { BUCKET_SOURCE_KEYS, testConfig, testJob, testVault, uploadsSource, useTestAwsEnvironment } from "./support/jobs";
import { startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { startRedis, type TestRedis } from "./support/redis";
import { TestS3 } from "./support/s3";
import { startTogether } from "./support/servers";
import { listKeys, readObject } from "./support/vault";

// A Spaces-style vault (tiers in key prefixes, no server-side key) whose every artifact is
// encrypted client-side to an age recipient, against real PostgreSQL, Redis and s3rver.
// age-encryption is an ES module; these tests compile as CommonJS.
type Age = typeof import("age-encryption", { with: { "resolution-mode": "import" } });
let age: Age;
let pg: TestPostgres;
let redis: TestRedis;
let s3: TestS3;
let config: JobConfig;
let identity: string;
let recipient: string;
let otherIdentity: string;
let work: string;
const backups: Record<string, BackupResult> = {};
const AGE_HEADER = "age-encryption.org/v1\n";

const credentials = () => ({ ...process.env, APP_DB_USER: pg.user, APP_DB_PASSWORD: pg.password, PGPASSWORD: pg.password, REDIS_PASSWORD: redis.password, ...BUCKET_SOURCE_KEYS });
/** The environment of a job that holds no identity (the backup runner's). */
const runner = () => ({ ...credentials(), LIFEBOAT_AGE_IDENTITY: undefined, LIFEBOAT_AGE_IDENTITY_FILE: undefined });
/** The environment of a machine that restores: the identity as age-keygen writes it. */
const restorer = (key = identity) => ({ ...runner(), LIFEBOAT_AGE_IDENTITY: `# created: 2026-11-30\n# public key: (elided)\n${key}\n` });
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function databaseExists(name: string): Promise<boolean> {
  return (await pg.sql("postgres", `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length > 0;
}

beforeAll(async () => {
  useTestAwsEnvironment();
  [pg, redis, s3] = await startTogether([startPostgres(), startRedis(), TestS3.start(["vault", "uploads", "restored", "aws-vault"])]);
  age = await import("age-encryption");
  identity = await age.generateX25519Identity();
  recipient = await age.identityToRecipient(identity);
  otherIdentity = await age.generateX25519Identity();
  await pg.sql("postgres", "CREATE DATABASE app");
  await pg.sql("app", "CREATE ROLE app_reader; CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 5000) g; GRANT SELECT ON customers TO app_reader;");
  await redis.cli("SET", "session:1", "alice");
  await redis.cli("SET", "session:2", "bob", "EX", "86400");
  await redis.cli("RPUSH", "queue", "a", "b", "c");
  for (let i = 0; i < 4; i++) await s3.directClient().send(new PutObjectCommand({ Bucket: "uploads", Key: `media/file-${i}.bin`, Body: Buffer.alloc(70_000 + i, i + 1) }));
  work = mkdtempSync(join(tmpdir(), "lifeboat-encryption-"));
  mkdirSync(join(work, "site/docs"), { recursive: true });
  writeFileSync(join(work, "site/index.html"), "<h1>secret plans</h1>\n");
  writeFileSync(join(work, "site/docs/big.bin"), Buffer.alloc(200_000, 9));
  // Spaces has no server-side key to name.
  const { kmsKeyArn: _kmsKeyArn, ...spaces } = testVault(s3);
  config = testConfig({
    vault: { ...spaces, tiers: "prefix", encryption: { ageRecipients: [recipient] } },
    verify: { sizeTolerance: 1 },
    sources: [
      { name: "app-db", kind: "postgres", rpoMinutes: 1440, host: "127.0.0.1", port: pg.port, database: "app", credentials: { env: { username: "APP_DB_USER", password: "APP_DB_PASSWORD" } } },
      { name: "cache", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port: redis.port, credentials: { env: { password: "REDIS_PASSWORD" } } },
      uploadsSource(s3),
      { name: "site", kind: "files", rpoMinutes: 1440, path: join(work, "site") },
    ],
  });
});

afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop(), s3?.stop()]);
});

describe("client-side encryption to age recipients", () => {
  it("stores every artifact, companion and object copy as age ciphertext under the tier prefixes, and the manifest records the recipients and the ciphertext's size and SHA-256", async () => {
    const { job } = testJob(config, runner());

    for (const source of ["app-db", "cache", "uploads", "site"]) backups[source] = await runBackup(job, source);

    const direct = s3.directClient();
    for (const { artifactKey, manifest } of Object.values(backups)) {
      const stored = await readObject(direct, "vault", artifactKey);
      expect(artifactKey).toMatch(/^monthly\/.*\.age$/);
      expect(stored.subarray(0, AGE_HEADER.length).toString()).toBe(AGE_HEADER);
      expect({ size: stored.length, sha256: sha256(stored) }).toEqual({ size: manifest.sizeBytes, sha256: manifest.sha256 });
      expect(manifest.encryption).toEqual({ scheme: "age", recipients: [recipient], plaintextBytes: expect.any(Number) });
      const decrypter = new age.Decrypter();
      decrypter.addIdentity(identity);
      expect((await decrypter.decrypt(stored)).length).toBe(manifest.encryption!.plaintextBytes);
    }
    const roles = backups["app-db"]!.manifest.companions![0]!;
    const storedRoles = await readObject(direct, "vault", roles.key);
    expect(storedRoles.subarray(0, AGE_HEADER.length).toString()).toBe(AGE_HEADER);
    expect(storedRoles.toString("latin1")).not.toContain("app_reader");
    expect({ size: storedRoles.length, sha256: sha256(storedRoles) }).toEqual({ size: roles.sizeBytes, sha256: roles.sha256 });
    const copies = await listKeys(direct, "vault", "uploads/objects/");
    expect(copies).toHaveLength(4);
    for (const key of copies) {
      expect(key.endsWith(".age")).toBe(true);
      expect((await readObject(direct, "vault", key)).subarray(0, AGE_HEADER.length).toString()).toBe(AGE_HEADER);
    }
  });

  it("skips the object copies of an unchanged bucket on the next backup, comparing the ciphertext's size", async () => {
    const { job } = testJob(config, runner(), () => new Date(Date.now() + 60_000));

    const again = await runBackup(job, "uploads");

    expect(again.manifest.objects).toMatchObject({ count: 4, copied: 0, skipped: 4 });
  });

  it("verifies the ciphertext's size and SHA-256 without a key, and says the contents were not inspected", async () => {
    const { job } = testJob(config, runner(), () => new Date(Date.now() + 120_000));

    const report = await verifySources(job);

    expect(report.ok).toBe(true);
    for (const source of report.sources) {
      expect(source.checks.find((c) => c.check === "integrity")).toMatchObject({ status: "pass" });
      const restorability = source.checks.find((c) => c.check === "restorability")!;
      expect(restorability.status).toBe("skip");
      expect(restorability.detail).toContain("its contents were not inspected (no identity given");
      expect(restorability.detail).toContain(recipient);
    }
  });

  it("decrypts and inspects the contents when verify holds the identity: row counts, keys, the objects index and every file", async () => {
    const { job } = testJob(config, restorer(), () => new Date(Date.now() + 120_000));

    const report = await verifySources(job);

    expect(report.ok).toBe(true);
    expect(report.sources.map((s) => [s.source, s.checks.find((c) => c.check === "restorability")!.status])).toEqual([
      ["app-db", "pass"],
      ["cache", "pass"],
      ["uploads", "pass"],
      ["site", "pass"],
    ]);
    expect(report.sources[0]!.checks.find((c) => c.check === "restorability")!.detail).toContain("row counts match the manifest");
  });

  it("restores every kind with the identity: the database, the keys, the objects and the files as they were", async () => {
    const { job, output } = testJob(config, restorer());
    const at = (source: string) => backups[source]!.manifest.startedAt;

    await runRestore(job, { source: "app-db", at: at("app-db"), target: pg.url("app_restored") });
    await runRestore(job, { source: "cache", at: at("cache"), target: `redis://:${redis.password}@127.0.0.1:${redis.port}/5` });
    await runRestore(job, { source: "uploads", at: at("uploads"), target: "s3://restored/copy" });
    await runRestore(job, { source: "site", at: at("site"), target: join(work, "site-restored") });

    expect(await tableDigests(pg, "app_restored")).toEqual(await tableDigests(pg, "app"));
    expect((await redis.cli("-n", "5", "GET", "session:1")).trim()).toBe("alice");
    expect((await redis.cli("-n", "5", "LRANGE", "queue", "0", "-1")).trim().split("\n")).toEqual(["a", "b", "c"]);
    expect(Number((await redis.cli("-n", "5", "TTL", "session:2")).trim())).toBeGreaterThan(80_000);
    expect(await listKeys(s3.directClient(), "restored", "copy/")).toHaveLength(4);
    expect((await readObject(s3.directClient(), "restored", "copy/media/file-2.bin")).equals(Buffer.alloc(70_002, 3))).toBe(true);
    expect(readFileSync(join(work, "site-restored/index.html"), "utf8")).toBe("<h1>secret plans</h1>\n");
    expect(readFileSync(join(work, "site-restored/docs/big.bin")).equals(Buffer.alloc(200_000, 9))).toBe(true);
    expect(output.text).not.toContain(identity);
  });

  it("never repeats an age identity in an error or a log line, even one it was not given", () => {
    const error = new JobError(`could not use ${otherIdentity}`);

    expect(error.message).toBe("could not use AGE-SECRET-KEY-***");
  });

  it("decrypts the roles companion with the identity, and a dry run plans the decryption or says why it cannot yet", async () => {
    const { job } = testJob(config, restorer());
    const manifest: BackupManifest = backups["app-db"]!.manifest;
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(identity);

    const roles = await decrypter.decrypt(await readObject(s3.directClient(), "vault", manifest.companions![0]!.key), "text");
    const dry = await runRestore(job, { source: "app-db", at: manifest.startedAt, target: pg.url("app_dry"), dryRun: true });
    const dryWithout = await runRestore(testJob(config, runner()).job, { source: "app-db", at: manifest.startedAt, target: pg.url("app_dry"), dryRun: true });

    expect(roles).toContain("CREATE ROLE app_reader");
    expect(dry.plan.steps.join(" ")).toContain("decrypted with the age identity from LIFEBOAT_AGE_IDENTITY");
    expect(dryWithout.plan.steps.join(" ")).toContain("(it cannot yet: The backup");
    expect(dryWithout.plan.steps.join(" ")).toContain("no identity was given");
  });

  it("refuses to restore without an identity, naming the recipients and where to give one, before the target is touched", async () => {
    const { job } = testJob(config, runner());

    const attempt = runRestore(job, { source: "app-db", at: "latest", target: pg.url("app_no_identity") });

    await expect(attempt).rejects.toThrow(/is encrypted to age recipients age1[a-z0-9]+, and no identity was given\. The target was not touched\. Set LIFEBOAT_AGE_IDENTITY/);
    expect(await databaseExists("app_no_identity")).toBe(false);
  });

  it("refuses an identity that is not a recipient of the backup, naming its public key, before the target is touched", async () => {
    const { job } = testJob(config, restorer(otherIdentity));

    const attempt = runRestore(job, { source: "cache", at: "latest", target: `redis://:${redis.password}@127.0.0.1:${redis.port}/6` });

    await expect(attempt).rejects.toThrow(`(public key ${await age.identityToRecipient(otherIdentity)}) is not a recipient of`);
    await expect(attempt).rejects.not.toThrow(otherIdentity);
    expect((await redis.cli("-n", "6", "DBSIZE")).trim()).toBe("0");
  });

  it("refuses a recipient given where the identity belongs, and an identity given as a recipient, without echoing the key", async () => {
    const { job } = testJob(config, restorer(recipient));

    const asIdentity = runRestore(job, { source: "site", at: "latest", target: join(work, "never") });
    const asRecipient = () => parseJobConfig({ ...config, vault: { ...config.vault, encryption: { ageRecipients: [identity] } } });

    await expect(asIdentity).rejects.toThrow(/line 3 is a recipient \(a public key, "age1[a-z0-9]+"\), not an identity/);
    expect(asRecipient).toThrow(/`vault\.encryption\.ageRecipients\[0\]` \("an age identity"\) is a private key/);
    expect(() => asRecipient()).not.toThrow(identity);
  });

  it("restores through the command line with --identity-file", async () => {
    const file = join(work, "restore.key");
    writeFileSync(file, `${identity}\n`, { mode: 0o600 });
    const stdout: string[] = [];

    const code = await main(["restore", "--source", "site", "--at", "latest", "--target", join(work, "site-cli"), "--identity-file", file], { stdout: (t) => stdout.push(t), stderr: () => undefined, env: { ...runner(), LIFEBOAT_CONFIG: JSON.stringify(config) } });

    expect(code).toBe(0);
    expect(readFileSync(join(work, "site-cli/index.html"), "utf8")).toBe("<h1>secret plans</h1>\n");
  });

  it("drills an encrypted backup with the identity, and records a failed drill that names the missing identity without one", async () => {
    const withKey = await runDrill(testJob(config, restorer(), () => new Date(Date.now() + 3_600_000)).job, "app-db");
    const without = runDrill(testJob(config, runner(), () => new Date(Date.now() + 7_200_000)).job, "app-db");

    expect(withKey.record.outcome).toBe("succeeded");
    await expect(without).rejects.toThrow(/no identity was given/);
  });

  it("works on an AWS vault too: tier tags, the vault key, and age ciphertext under it", async () => {
    const aws = testConfig({ ...config, vault: { ...testVault(s3, "aws-vault"), encryption: { ageRecipients: [recipient] } }, sources: config.sources.filter((s) => s.name === "site") });

    const backup = await runBackup(testJob(aws, runner()).job, "site");
    const report = await verifySources(testJob(aws, restorer()).job);
    await runRestore(testJob(aws, restorer()).job, { source: "site", at: "latest", target: join(work, "site-aws") });

    expect(backup.artifactKey).toMatch(/^site\/.*\.tar\.zst\.age$/);
    expect(report.ok).toBe(true);
    expect(readFileSync(join(work, "site-aws/index.html"), "utf8")).toBe("<h1>secret plans</h1>\n");
  });

  it("catches a changed byte of the ciphertext in verify without a key, and in restore before the target is touched", async () => {
    const { artifactKey } = backups["app-db"]!;
    const direct = s3.directClient();
    const stored = await readObject(direct, "vault", artifactKey);
    const changed = Buffer.from(stored);
    changed[changed.length - 100] ^= 0x01;
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: artifactKey, Body: changed }));

    const report = await verifySources(testJob(config, runner(), () => new Date(Date.now() + 120_000)).job, ["app-db"]);
    const restore = runRestore(testJob(config, restorer()).job, { source: "app-db", at: backups["app-db"]!.manifest.startedAt, target: pg.url("app_corrupt") });

    expect(report.sources[0]!.checks.find((c) => c.check === "integrity")).toMatchObject({ status: "fail", detail: expect.stringContaining(`${artifactKey}: SHA-256 is ${sha256(changed)}`) });
    await expect(restore).rejects.toThrow(/is corrupt: .* The target was not touched/);
    expect(await databaseExists("app_corrupt")).toBe(false);
  });

  it("refuses ciphertext changed together with its manifest's checksum: age's authentication fails before the target is touched", async () => {
    const { artifactKey, manifestKey, manifest } = backups["cache"]!;
    const direct = s3.directClient();
    const stored = await readObject(direct, "vault", artifactKey);
    const changed = Buffer.from(stored);
    changed[changed.length - 20] ^= 0x01;
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: artifactKey, Body: changed }));
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: manifestKey, Body: JSON.stringify({ ...manifest, sha256: sha256(changed) }) }));

    const restore = runRestore(testJob(config, restorer()).job, { source: "cache", at: manifest.startedAt, target: `redis://:${redis.password}@127.0.0.1:${redis.port}/7` });

    await expect(restore).rejects.toThrow(/does not decode: The backup .* does not decrypt with the identity from LIFEBOAT_AGE_IDENTITY.*The target was not touched/);
    expect((await redis.cli("-n", "7", "DBSIZE")).trim()).toBe("0");
  });
});
