import type { JobConfig } from "@lifeboat/constructs/core";
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { Crc64 } from "../src/redis/crc64";
import { RespClient } from "../src/redis/resp";
import { streamRdb } from "../src/redis/sync";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { startRedis, type TestRedis } from "./support/redis";
import { TestS3 } from "./support/s3";
import { startTogether } from "./support/servers";
import { listKeys } from "./support/vault";

let redis: TestRedis;
let s3: TestS3;
const fakes: Server[] = [];
const sockets = new Set<Socket>();

/** A server that speaks just enough of the replication protocol to send `file` in answer to SYNC. */
async function fakeSyncServer(file: Buffer): Promise<number> {
  const fake = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending = "";
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      // Each command arrives whole as a RESP array; answer by its name.
      for (let m; (m = /^\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)+)/.exec(pending)); ) {
        const parts = [...m[2]!.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((p) => p[1]!);
        if (parts.length < Number(m[1])) break;
        pending = pending.slice(m[0].length);
        if (parts[0]!.toUpperCase() === "SYNC") socket.write(Buffer.concat([Buffer.from(`$${file.length}\r\n`), file]));
        else socket.write("+OK\r\n");
      }
    });
  });
  fakes.push(fake);
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", () => resolve()));
  return (fake.address() as { port: number }).port;
}

beforeAll(async () => {
  useTestAwsEnvironment();
  [redis, s3] = await startTogether([startRedis({ args: ["--repl-diskless-sync-delay", "0"] }), TestS3.start(["vault"])] as const);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(fakes.map((fake) => new Promise((resolve) => fake.close(resolve))));
  try {
    process.kill(redis.pid, "SIGCONT");
  } catch {
    // already gone
  }
  await Promise.all([redis?.stop(), s3?.stop()]);
});

describe("a Redis backup facing faults", () => {
  it("stores an RDB of a version newer than the reader knows, verified by its checksums and marked not inspected, and restore refuses it", async () => {
    await redis.cli("SET", "k", "v");
    const transfer = await streamRdb({ host: "127.0.0.1", port: redis.port, password: redis.password });
    const chunks: Buffer[] = [];
    for await (const chunk of transfer.stream) chunks.push(chunk as Buffer);
    const future = Buffer.concat(chunks);
    future.write("REDIS0099", 0, "latin1");
    new Crc64().update(future, 0, future.length - 8).digest().copy(future, future.length - 8);
    const port = await fakeSyncServer(future);
    const config = testConfig({ vault: testVault(s3), sources: [{ name: "future", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port }] });
    const { job, output } = testJob(config);

    const backup = await runBackup(job, "future");
    const report = await verifySources(job, ["future"]);
    const restore = runRestore(job, { source: "future", at: "latest", target: `redis://:${redis.password}@127.0.0.1:${redis.port}` });

    expect(backup.manifest.contentsNotInspected).toEqual({ reason: expect.stringMatching(/REDIS RDB version 99 is newer than this reader knows \(12\)/) });
    expect(backup.manifest.tables).toBeUndefined();
    expect(output.metricDocuments).toContainEqual(expect.objectContaining({ Source: "future", BackupSucceeded: 1, BackupContentsNotInspected: 1 }));
    expect(output.documents).toContainEqual(expect.objectContaining({ level: "warn", event: "backup.contents-not-inspected" }));
    expect(report.ok).toBe(true);
    expect(report.sources[0]!.checks.find((c) => c.check === "restorability")?.detail).toMatch(/not inspected.*CRC-64 matches/);
    await expect(restore).rejects.toThrow(/stored without its contents being inspected/);
  });

  it("fails an RDB of an unknown version whose CRC-64 does not match, and writes no manifest", async () => {
    const file = Buffer.concat([Buffer.from("REDIS0099", "latin1"), randomBytes(1000), Buffer.alloc(8, 7)]);
    const port = await fakeSyncServer(file);
    const config = testConfig({ vault: testVault(s3), sources: [{ name: "future-damaged", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port }] });
    const { job } = testJob(config);

    await expect(runBackup(job, "future-damaged")).rejects.toThrow(/CRC-64 checksum does not match/);
    expect(await listKeys(s3.directClient(), "vault", "future-damaged/")).toEqual([]);
  });

  it("when the server stops answering mid-transfer (SIGSTOP), fails within the configured timeout, aborts the upload and writes no manifest", async () => {
    const client = await RespClient.connect({ host: "127.0.0.1", port: redis.port, password: redis.password });
    for (let i = 0; i < 64; i++) await client.call(["SET", `blob:${i}`, randomBytes(1024 * 1024)]);
    client.close();
    const config: JobConfig = testConfig({ vault: testVault(s3), sources: [{ name: "stalls", kind: "redis", rpoMinutes: 60, host: "127.0.0.1", port: redis.port, credentials: { env: { password: "STALL_PASSWORD" } }, timeoutSeconds: 2 }] });
    const { job } = testJob(config, { ...process.env, STALL_PASSWORD: redis.password });
    let stoppedAt = 0;

    const backup = runBackup(job, "stalls", {
      onProgress: () => {
        if (stoppedAt) return;
        stoppedAt = Date.now();
        process.kill(redis.pid, "SIGSTOP");
      },
    });

    await expect(backup).rejects.toThrow(/sent nothing for 2 s during the snapshot transfer.*The multipart upload was aborted; nothing was stored/s);
    const failedAfter = Date.now() - stoppedAt;
    process.kill(redis.pid, "SIGCONT");
    expect(stoppedAt).toBeGreaterThan(0);
    expect(failedAfter).toBeLessThan(20_000);
    expect(await listKeys(s3.directClient(), "vault", "stalls/")).toEqual([]);
    expect(s3.unfinishedUploads("vault")).toEqual([]);
  }, 60_000);
});
