import { Readable } from "node:stream";
import { JobError } from "../support/errors";
import { Crc64 } from "./crc64";
import { describeRedis, ReplyError, RespClient, type RedisEndpoint } from "./resp";

/** How a key-by-key copy is described in the manifest. */
export const SCAN_CAPTURE = {
  method: "scan-dump",
  pointInTime: false,
  note: "copied key by key (SCAN, then DUMP and PTTL per key) while the server kept taking writes: keys changed during the copy may come from different moments",
} as const;

/** Keys asked for per SCAN, and DUMPs in flight at once. */
const BATCH = 500;

/** RDB's length encoding. */
function encodeLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0x80;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x81;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

const rdbString = (value: Buffer | string) => {
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([encodeLength(bytes.length), bytes]);
};

/** Splits a DUMP payload (`type, value, 2-byte RDB version, CRC-64`) after checking its checksum. */
function splitPayload(payload: Buffer, key: Buffer): { version: number; record: Buffer } {
  if (payload.length < 11) throw new JobError(`DUMP of a key returned ${payload.length} bytes, too few for a DUMP payload.`);
  const body = payload.subarray(0, payload.length - 8);
  if (!new Crc64().update(body).digest().equals(payload.subarray(payload.length - 8))) throw new JobError(`The DUMP payload of key ${JSON.stringify(key.toString("utf8").slice(0, 80))} fails its CRC-64.`);
  return { version: payload.readUInt16LE(payload.length - 10), record: payload.subarray(0, payload.length - 10) };
}

/** The RDB header for the payloads' version: Valkey 9 writes `VALKEY` and 80+, Redis `REDIS` and four digits. */
function header(version: number): Buffer {
  return Buffer.from(version >= 80 ? `VALKEY${String(version).padStart(3, "0")}` : `REDIS${String(version).padStart(4, "0")}`, "latin1");
}

function auxField(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0xfa]), rdbString(name), rdbString(value)]);
}

/** Databases that hold keys, from `INFO keyspace`. */
function databasesWithKeys(info: string): number[] {
  return [...info.matchAll(/^db(\d+):keys=(\d+)/gm)].filter((m) => Number(m[2]) > 0).map((m) => Number(m[1]));
}

/**
 * Copies a Redis or Valkey server key by key for servers that refuse `SYNC`: `SCAN` each database,
 * `PTTL` and `DUMP` each key, and writes what it gets as an RDB file (a DUMP payload is an RDB
 * record's type and value, so the records are the server's own bytes), with `redis-ver` and a
 * `lifeboat-capture` field, any function libraries, and the file's CRC-64. The file reads like a
 * snapshot and restores the same way, but it is not a point in time ({@link SCAN_CAPTURE}).
 *
 * Keys that vanish between SCAN and DUMP are skipped. Waits at most `timeoutMs` for any reply.
 */
export function streamKeysAsRdb(endpoint: RedisEndpoint, timeoutMs: number): { stream: Readable; stop: () => void } {
  let client: RespClient | undefined;
  let stopped = false;
  async function* produce(): AsyncGenerator<Buffer> {
    client = await RespClient.connect(endpoint, timeoutMs);
    if (stopped) client.close();
    const c = client;
    try {
      const server = String(await c.call(["INFO", "server"]));
      const serverVersion = /^valkey_version:(\S+)/m.exec(server)?.[1] ?? /^redis_version:(\S+)/m.exec(server)?.[1] ?? "unknown";
      const databases = databasesWithKeys(String(await c.call(["INFO", "keyspace"])));
      const crc = new Crc64();
      const out = (b: Buffer) => {
        crc.update(b);
        return b;
      };
      let version: number | undefined;
      const start = (v: number) => {
        version = v;
        return out(Buffer.concat([header(v), auxField("redis-ver", serverVersion), auxField("lifeboat-capture", SCAN_CAPTURE.method)]));
      };
      let functionsWritten = false;
      const functions = async () => {
        functionsWritten = true;
        const reply = await c.send(["FUNCTION", "LIST", "WITHCODE"]);
        if (reply instanceof ReplyError || !Array.isArray(reply)) return Buffer.alloc(0); // before Redis 7: no functions
        const codes: Buffer[] = [];
        for (const library of reply) {
          if (!Array.isArray(library)) continue;
          for (let i = 0; i + 1 < library.length; i += 2) {
            if (String(library[i]) === "library_code" && Buffer.isBuffer(library[i + 1])) codes.push(Buffer.concat([Buffer.from([0xf5]), rdbString(library[i + 1] as Buffer)]));
          }
        }
        return out(Buffer.concat(codes));
      };
      for (const db of databases) {
        await c.call(["SELECT", String(db)]);
        let selected = false;
        let cursor = "0";
        do {
          const [next, keys] = (await c.call(["SCAN", cursor, "COUNT", String(BATCH)])) as [Buffer, Buffer[]];
          cursor = next.toString();
          const replies = keys.map((key) => Promise.all([c.send(["PTTL", key]), c.send(["DUMP", key])]));
          const chunks: Buffer[] = [];
          for (let i = 0; i < keys.length; i++) {
            const [pttl, dump] = await replies[i]!;
            const asOf = Date.now();
            if (pttl instanceof ReplyError) throw new JobError(`${describeRedis(endpoint)} refused PTTL: ${pttl.message}`);
            if (dump instanceof ReplyError) throw new JobError(`${describeRedis(endpoint)} refused DUMP: ${dump.message}`, { hint: "The user needs permission for SCAN, DUMP and PTTL." });
            if (dump === null || pttl === -2) continue; // deleted or expired since SCAN listed it
            const { version: v, record } = splitPayload(dump as Buffer, keys[i]!);
            if (version === undefined) chunks.push(start(v));
            else if (v !== version) throw new JobError(`${describeRedis(endpoint)} returned DUMP payloads of RDB versions ${version} and ${v} in one copy.`);
            if (!functionsWritten) chunks.push(await functions());
            if (!selected) {
              chunks.push(out(Buffer.concat([Buffer.from([0xfe]), encodeLength(db)])));
              selected = true;
            }
            if (typeof pttl === "number" && pttl > 0) {
              const expiry = Buffer.alloc(9);
              expiry[0] = 0xfc;
              expiry.writeBigUInt64LE(BigInt(asOf + pttl), 1);
              chunks.push(out(expiry));
            }
            chunks.push(out(Buffer.concat([record.subarray(0, 1), rdbString(keys[i]!), record.subarray(1)])));
          }
          if (chunks.length) yield Buffer.concat(chunks);
        } while (cursor !== "0" && !stopped);
      }
      // No key to learn the version from: RDB 9 is read by every Redis since 5 and by Valkey.
      if (version === undefined) yield start(9);
      if (!functionsWritten) yield await functions();
      const eof = out(Buffer.from([0xff]));
      yield Buffer.concat([eof, crc.digest()]);
    } finally {
      c.close();
    }
  }
  return {
    stream: Readable.from(produce(), { objectMode: false }),
    stop: () => {
      stopped = true;
      client?.close();
    },
  };
}
