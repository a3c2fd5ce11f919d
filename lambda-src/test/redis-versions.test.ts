import type { JobConfig, RedisSourceConfig } from "@lifeboat/constructs/core";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { RespClient } from "../src/redis/resp";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { redisFamily, startRedis, type RedisServerOptions, type TestRedis } from "./support/redis";
import { TestS3 } from "./support/s3";
import { startTogether } from "./support/servers";
import { listKeys } from "./support/vault";

const connect = (r: TestRedis) => RespClient.connect({ host: "127.0.0.1", port: r.port, password: r.password });
const text = (r: unknown): unknown => (Buffer.isBuffer(r) ? r.toString("utf8") : Array.isArray(r) ? r.map(text) : r);

/** Every value type in small and large encodings, expiries, two databases; hash fields with their own expiry where the server has them. */
async function seed(redis: TestRedis, fieldExpiry: boolean): Promise<void> {
  const c = await connect(redis);
  try {
    const commands: string[][] = [
      ["SET", "plain", "hello"],
      ["SET", "expiring", "soon", "EX", "3600"],
      ["RPUSH", "list", "a", "b", "c"],
      ["HSET", "hash", "f1", "v1", "f2", "v2"],
      ["SADD", "set", "x", "y"],
      ["SADD", "intset", "1", "2", "3"],
      ["ZADD", "zset", "1", "one", "2.5", "two"],
      ["XADD", "stream", "1-1", "field", "value"],
      ["XGROUP", "CREATE", "stream", "readers", "0"],
      ["RPUSH", "big-list", ...Array.from({ length: 2000 }, (_, i) => `item-${i}`)],
      ["HSET", "big-hash", ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
      ["ZADD", "big-zset", ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()],
      ["SET", "compressible", "a".repeat(50_000)],
      ...Array.from({ length: 200 }, (_, i) => ["SET", `user:${i}`, `{"id":${i}}`]),
    ];
    if (fieldExpiry) {
      commands.push(["HSET", "fields-expiring", "a", "1", "b", "2"], ["HEXPIRE", "fields-expiring", "3600", "FIELDS", "1", "a"]);
      commands.push(["HSET", "big-fields-expiring", ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat()], ["HEXPIRE", "big-fields-expiring", "3600", "FIELDS", "2", "f1", "f2"]);
    }
    for (const command of commands) await c.call(command);
    await c.call(["SELECT", "3"]);
    await c.call(["SET", "in-db-three", "yes"]);
  } finally {
    c.close();
  }
}

/** Every key with a digest of its type, value and whether it (or a field of it) expires. */
async function snapshot(redis: TestRedis, fieldExpiry: boolean): Promise<Record<string, string>> {
  const c = await connect(redis);
  const out: Record<string, string> = {};
  try {
    for (const db of [0, 3]) {
      await c.call(["SELECT", String(db)]);
      for (const key of (await c.call(["KEYS", "*"])) as Buffer[]) {
        const type = String(await c.call(["TYPE", key]));
        const read: Record<string, string[]> = { string: ["GET"], list: ["LRANGE", "0", "-1"], hash: ["HGETALL"], set: ["SMEMBERS"], zset: ["ZRANGE", "0", "-1", "WITHSCORES"], stream: ["XRANGE", "-", "+"] };
        const [command, ...args] = read[type]!;
        let value = text(await c.call([command!, key, ...args])) as unknown;
        if (type === "set") value = (value as string[]).sort();
        if (type === "hash") {
          const flat = value as string[];
          const pairs: string[] = [];
          for (let i = 0; i < flat.length; i += 2) {
            const ttl = fieldExpiry ? ((await c.call(["HTTL", key, "FIELDS", "1", flat[i]!])) as number[])[0]! : -1;
            pairs.push(`${flat[i]}=${flat[i + 1]}${ttl > 0 ? " (expires)" : ""}`);
          }
          value = pairs.sort();
        }
        const ttl = (await c.call(["PTTL", key])) as number;
        out[`${db}:${key.toString("utf8")}`] = createHash("sha256").update(`${type}|${JSON.stringify(value)}|${ttl > 0 ? "expires" : "persistent"}`).digest("hex").slice(0, 16);
      }
    }
  } finally {
    c.close();
  }
  return out;
}

/** SYNC and PSYNC renamed away: what ElastiCache, MemoryDB and DigitalOcean's managed Valkey answer. */
const REFUSE_SYNC = ["--rename-command", "SYNC", "", "--rename-command", "PSYNC", ""];

const servers: { name: string; options: () => RedisServerOptions; magic: string; rdbVersion: number; fieldExpiry: boolean; version: RegExp }[] = [
  { name: "Debian's Redis 7.0", options: () => ({}), magic: "REDIS", rdbVersion: 10, fieldExpiry: false, version: /^7\.0\./ },
  { name: "Redis 8", options: () => redisFamily("redis", "8"), magic: "REDIS", rdbVersion: 12, fieldExpiry: true, version: /^8\./ },
  { name: "Valkey 9", options: () => redisFamily("valkey", "9"), magic: "VALKEY", rdbVersion: 80, fieldExpiry: true, version: /^9\./ },
];

describe.each(servers)("a backup of $name", ({ options, magic, rdbVersion, fieldExpiry, version }) => {
  let source: TestRedis;
  let refusing: TestRedis;
  let targets: TestRedis[];
  let s3: TestS3;
  let config: JobConfig;
  const env = () => ({ ...process.env, SOURCE_PASSWORD: source.password, REFUSING_PASSWORD: refusing.password });
  const url = (r: TestRedis) => `redis://:${r.password}@127.0.0.1:${r.port}`;

  beforeAll(async () => {
    useTestAwsEnvironment();
    const server = options();
    const [a, b, t1, t2, s] = await startTogether([startRedis(server), startRedis({ ...server, args: REFUSE_SYNC }), startRedis(server), startRedis(server), TestS3.start(["vault"])] as const);
    [source, refusing, targets, s3] = [a, b, [t1, t2], s];
    await Promise.all([seed(source, fieldExpiry), seed(refusing, fieldExpiry)]);
    const base = { kind: "redis" as const, rpoMinutes: 60, host: "127.0.0.1" };
    config = testConfig({
      vault: testVault(s3),
      sources: [
        { ...base, name: "cache", port: source.port, credentials: { env: { password: "SOURCE_PASSWORD" } } },
        { ...base, name: "managed", port: refusing.port, credentials: { env: { password: "REFUSING_PASSWORD" } } },
        { ...base, name: "managed-sync", port: refusing.port, credentials: { env: { password: "REFUSING_PASSWORD" } }, mode: "sync" } satisfies RedisSourceConfig,
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([source?.stop(), refusing?.stop(), ...(targets ?? []).map((t) => t.stop()), s3?.stop()]);
  });

  it("round-trips the RDB snapshot (backup, verify, restore) with identical keys", async () => {
    const { job } = testJob(config, env());

    const backup = await runBackup(job, "cache");
    const report = await verifySources(job, ["cache"]);
    await runRestore(job, { source: "cache", at: "latest", target: url(targets[0]!) });

    expect(backup.manifest).toMatchObject({ format: "redis-rdb", tool: { version: `${magic} rdb ${rdbVersion}` }, server: { version: expect.stringMatching(version) }, capture: { method: "sync", pointInTime: true } });
    expect(backup.manifest.tables).toEqual([
      { schema: "redis", name: "db0", rows: fieldExpiry ? 214 : 212 },
      { schema: "redis", name: "db3", rows: 1 },
    ]);
    expect(backup.manifest.contentsNotInspected).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(await snapshot(targets[0]!, fieldExpiry)).toEqual(await snapshot(source, fieldExpiry));
  });

  it("copies a server that refuses SYNC key by key, says it is not a point in time, and restores it identically", async () => {
    const { job, output } = testJob(config, env());

    const backup = await runBackup(job, "managed");
    const report = await verifySources(job, ["managed"]);
    await runRestore(job, { source: "managed", at: "latest", target: url(targets[1]!) });

    expect(backup.manifest.capture).toMatchObject({ method: "scan-dump", pointInTime: false });
    expect(backup.manifest.tables).toEqual([
      { schema: "redis", name: "db0", rows: fieldExpiry ? 214 : 212 },
      { schema: "redis", name: "db3", rows: 1 },
    ]);
    expect(output.documents).toContainEqual(expect.objectContaining({ level: "warn", event: "backup.sync-refused" }));
    expect(report.ok).toBe(true);
    expect(await snapshot(targets[1]!, fieldExpiry)).toEqual(await snapshot(refusing, fieldExpiry));
  });

  it("with mode sync, fails on a server that refuses SYNC, naming the refusal and the scan mode, and stores nothing", async () => {
    const { job } = testJob(config, env());

    await expect(runBackup(job, "managed-sync")).rejects.toThrow(/refused SYNC: ERR unknown command.*mode: "scan"/s);
    expect(await listKeys(s3.directClient(), "vault", "managed-sync/")).toEqual([]);
  });
});
