import type { JobConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { RespClient } from "../src/redis/resp";
import { startTogether } from "./support/servers";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startRedis, type TestRedis } from "./support/redis";
import { TestS3 } from "./support/s3";

let source: TestRedis;
let target: TestRedis;
let s3: TestS3;
let config: JobConfig;
let env: NodeJS.ProcessEnv;

/**
 * Every key of every database with a digest of its type, value and whether it expires. Values are
 * read logically (members sorted), since hash tables iterate in an order a restore need not keep.
 */
async function snapshot(redis: TestRedis): Promise<Record<string, string>> {
  const client = await RespClient.connect({ host: "127.0.0.1", port: redis.port, password: redis.password });
  const text = (r: unknown): unknown => (Buffer.isBuffer(r) ? r.toString("utf8") : Array.isArray(r) ? r.map(text) : r);
  const out: Record<string, string> = {};
  try {
    for (const db of [0, 3]) {
      await client.call(["SELECT", String(db)]);
      for (const key of (await client.call(["KEYS", "*"])) as Buffer[]) {
        const type = String(await client.call(["TYPE", key]));
        const read: Record<string, string[][]> = {
          string: [["GET"]],
          list: [["LRANGE", "0", "-1"]],
          hash: [["HGETALL"]],
          set: [["SMEMBERS"]],
          zset: [["ZRANGE", "0", "-1", "WITHSCORES"]],
          stream: [["XRANGE", "-", "+"], ["XINFO", "GROUPS"]],
        };
        const values = [];
        for (const [command, ...args] of read[type]!) {
          const value = text(await client.call([command!, ...(command === "XINFO" ? ["GROUPS", key] : [key]), ...(command === "XINFO" ? [] : args)]));
          values.push(type === "set" || type === "hash" ? JSON.stringify(type === "hash" ? pairs(value as string[]) : (value as string[]).sort()) : JSON.stringify(value));
        }
        const ttl = (await client.call(["PTTL", key])) as number;
        out[`${db}:${key.toString("utf8")}`] = createHash("sha256").update(`${type}|${values.join("|")}|${ttl > 0 ? "expires" : "persistent"}`).digest("hex").slice(0, 16);
      }
    }
  } finally {
    client.close();
  }
  return out;
}

function pairs(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out.sort();
}

beforeAll(async () => {
  useTestAwsEnvironment();
  [source, target, s3] = await startTogether([startRedis(), startRedis(), TestS3.start(["vault"])]);
  // Every value type, small and large encodings, expiries, binary keys, two databases.
  const script = [
    "SET plain hello",
    "SET counter 12345",
    "SET expiring soon EX 3600",
    "RPUSH list a b c d",
    "HSET hash f1 v1 f2 v2",
    "SADD set x y z",
    "SADD intset 1 2 3 4",
    "ZADD zset 1 one 2.5 two 3 three",
    "XADD stream 1-1 field value",
    "XADD stream 2-1 other thing",
    "XGROUP CREATE stream readers 0",
    "XREADGROUP GROUP readers alice COUNT 1 STREAMS stream >",
    "-n 3 SET in-db-three yes",
  ];
  for (const line of script) await source.cli(...line.split(" "));
  // Larger values take other encodings (quicklist, hashtable, skiplist, LZF-compressed strings).
  const bigList = Array.from({ length: 3000 }, (_, i) => `item-${i}`);
  await source.cli("RPUSH", "big-list", ...bigList);
  await source.cli("HSET", "big-hash", ...bigList.flatMap((v, i) => [`f${i}`, v]));
  await source.cli("ZADD", "big-zset", ...bigList.flatMap((v, i) => [String(i / 3), v]));
  await source.cli("SET", "compressible", "a".repeat(100_000));
  for (let i = 0; i < 20; i++) {
    const batch = Array.from({ length: 1000 }, (_, j) => [`user:${i * 1000 + j}`, `{"id":${i * 1000 + j}}`]).flat();
    await source.cli("MSET", ...batch);
  }
  env = { ...process.env, REDIS_PASSWORD: source.password };
  config = testConfig({ vault: testVault(s3), sources: [{ name: "cache", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port: source.port, credentials: { env: { password: "REDIS_PASSWORD" } } }] });
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop(), s3?.stop()]);
});

describe("a Redis backup", () => {
  it("round-trips the RDB snapshot: backup, verify, restore into another Redis with identical keys", async () => {
    const { job, output } = testJob(config, env);

    const backup = await runBackup(job, "cache");
    const report = await verifySources(job);
    await runRestore(job, { source: "cache", at: "latest", target: `redis://:${target.password}@127.0.0.1:${target.port}` });

    expect(backup.manifest).toMatchObject({ kind: "redis", format: "redis-rdb", compression: "zstd", server: { version: expect.stringMatching(/^7\./) } });
    expect(backup.manifest.tables).toEqual([
      { schema: "redis", name: "db0", rows: 20_013 },
      { schema: "redis", name: "db3", rows: 1 },
    ]);
    expect(report.ok).toBe(true);
    expect(await snapshot(target)).toEqual(await snapshot(source));
    expect(output.text).not.toContain(source.password);
    expect(output.text).not.toContain(target.password);
  });

  it("refuses to restore into a Redis that already holds keys", async () => {
    const { job } = testJob(config, env);

    await expect(runRestore(job, { source: "cache", at: "latest", target: `redis://:${target.password}@127.0.0.1:${target.port}` })).rejects.toThrow(/already holds keys/);
  });

  it("fails with bad credentials, naming the refusal, and stores nothing", async () => {
    const { job, output } = testJob(config, { ...env, REDIS_PASSWORD: "not-the-password" });

    await expect(runBackup(job, "cache")).rejects.toThrow(/refused the snapshot request: WRONGPASS/);
    expect(output.text).not.toContain("not-the-password");
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "cache", BackupFailed: 1 }));
  });
});
