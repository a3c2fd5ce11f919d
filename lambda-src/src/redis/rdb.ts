import { ByteReader, TruncatedError } from "./byte-reader";
import { Crc64 } from "./crc64";

/**
 * A streaming reader of Redis and Valkey RDB files (`REDIS` versions 1 to 12, Redis up to 8; Valkey 9's
 * `VALKEY` magic with version 80): walks every record, checks
 * the trailing CRC-64, counts keys per database and, when asked, hands each key over as a DUMP
 * payload that `RESTORE` accepts, since a DUMP payload is the record's value bytes followed by the
 * RDB version and a CRC-64.
 *
 * Format: Redis's and Valkey's `rdb.h` and `rdb.c`. A file of a newer version than these is not
 * refused: it is read to its end for its trailing CRC-64 only, and the summary says its contents
 * were not inspected.
 */

/** Thrown for anything that is not a well-formed RDB file this reader knows. */
export class RdbError extends Error {}

/** One key, ready for `RESTORE key ttl payload REPLACE ABSTTL`. */
export interface RdbKey {
  readonly db: number;
  readonly key: Buffer;
  /** Absolute expiry (ms since the epoch), or 0 for none. */
  readonly expiresAt: number;
  readonly payload: Buffer;
}

/** What the file held. */
export interface RdbSummary {
  readonly rdbVersion: number;
  /** `redis-ver` from the file's auxiliary fields. */
  readonly redisVersion?: string;
  /** Keys per database number. */
  readonly keys: ReadonlyMap<number, number>;
  /** Function libraries (Redis 7 `FUNCTION LOAD` code). */
  readonly functions: readonly string[];
  /** Whether the file carried a checksum (Redis writes zero when `rdbchecksum` is off). */
  readonly checksummed: boolean;
  /** Whose format: `REDIS` or `VALKEY` magic. */
  readonly magic: "REDIS" | "VALKEY";
  /** Set when the version is newer than this reader knows: only the checksum was read. */
  readonly notInspected?: string;
}

/** The newest versions this reader knows, per magic. */
export const RDB_VERSIONS = { REDIS: 12, VALKEY: 80 } as const;

const OP = { FUNCTION2: 0xf5, FUNCTION: 0xf6, MODULE_AUX: 0xf7, FREQ: 0xf8, IDLE: 0xf9, AUX: 0xfa, RESIZEDB: 0xfb, EXPIRETIME_MS: 0xfc, EXPIRETIME: 0xfd, SELECTDB: 0xfe, EOF: 0xff } as const;

const TYPE = {
  STRING: 0, LIST: 1, SET: 2, ZSET: 3, HASH: 4, ZSET_2: 5, MODULE: 6, MODULE_2: 7,
  HASH_ZIPMAP: 9, LIST_ZIPLIST: 10, SET_INTSET: 11, ZSET_ZIPLIST: 12, HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14, STREAM_LISTPACKS: 15, HASH_LISTPACK: 16, ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18, STREAM_LISTPACKS_2: 19, SET_LISTPACK: 20, STREAM_LISTPACKS_3: 21,
  // Redis 7.4+ (RDB 12): hashes with field expiry. Valkey reuses 22 for its own (RDB 80).
  HASH_METADATA_PRE_GA: 22, HASH_LISTPACK_EX_PRE_GA: 23, HASH_METADATA: 24, HASH_LISTPACK_EX: 25,
  VALKEY_HASH_2: 22,
} as const;

/** Redis 7.4+ cluster slot sizes; Valkey 9 slot import state. */
const OP_SLOT_INFO = 0xf4;
const OP_SLOT_IMPORT = 0xf3;

/** A length, or a marker for the special string encodings. */
type Length = { encoded: false; value: number } | { encoded: true; value: number };

async function readLength(r: ByteReader): Promise<Length> {
  const first = await r.byte();
  const kind = first >> 6;
  if (kind === 0) return { encoded: false, value: first & 0x3f };
  if (kind === 1) return { encoded: false, value: ((first & 0x3f) << 8) | (await r.byte()) };
  if (kind === 3) return { encoded: true, value: first & 0x3f };
  if (first === 0x80) return { encoded: false, value: (await r.read(4)).readUInt32BE(0) };
  if (first === 0x81) {
    const big = (await r.read(8)).readBigUInt64BE(0);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError(`a length of ${big} is beyond what this reader handles`);
    return { encoded: false, value: Number(big) };
  }
  throw new RdbError(`unknown length encoding 0x${first.toString(16)} at byte ${r.position - 1}`);
}

/**
 * Skips a length-encoded number that is a value, not a count (stream ids, a consumer group's
 * entries-read counter, which is -1, all 64 bits set, until the group reads).
 */
async function skipNumber(r: ByteReader): Promise<void> {
  const first = await r.byte();
  const kind = first >> 6;
  if (kind === 1) await r.read(1);
  else if (first === 0x80) await r.read(4);
  else if (first === 0x81) await r.read(8);
  else if (kind !== 0) throw new RdbError(`unknown length encoding 0x${first.toString(16)} at byte ${r.position - 1}`);
}

async function readLen(r: ByteReader): Promise<number> {
  const length = await readLength(r);
  if (length.encoded) throw new RdbError(`an encoded string where a length belongs, at byte ${r.position}`);
  return length.value;
}

/** Reads a string; returns its bytes when `keep`, else skips them (still checksummed and captured). */
async function readString(r: ByteReader, keep = false): Promise<Buffer | undefined> {
  const length = await readLength(r);
  if (!length.encoded) return skipOrKeep(r, length.value, keep);
  switch (length.value) {
    case 0:
      return intString((await r.read(1)).readInt8(0), keep);
    case 1:
      return intString((await r.read(2)).readInt16LE(0), keep);
    case 2:
      return intString((await r.read(4)).readInt32LE(0), keep);
    case 3: {
      const compressed = await readLen(r);
      const size = await readLen(r);
      const data = await r.read(compressed);
      return keep ? lzfDecompress(data, size) : undefined;
    }
    default:
      throw new RdbError(`unknown string encoding ${length.value} at byte ${r.position}`);
  }
}

function intString(value: number, keep: boolean): Buffer | undefined {
  return keep ? Buffer.from(String(value)) : undefined;
}

async function skipOrKeep(r: ByteReader, n: number, keep: boolean): Promise<Buffer | undefined> {
  // Large values pass in slices, so a 512 MB string never needs one buffer of that size unless kept.
  if (keep) return Buffer.from(await r.read(n));
  for (let left = n; left > 0; ) {
    const take = Math.min(left, 1 << 20);
    await r.read(take);
    left -= take;
  }
  return undefined;
}

function lzfDecompress(input: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    const ctrl = input[i++]!;
    if (ctrl < 32) {
      input.copy(out, o, i, i + ctrl + 1);
      i += ctrl + 1;
      o += ctrl + 1;
    } else {
      let length = ctrl >> 5;
      if (length === 7) length += input[i++]!;
      let ref = o - ((ctrl & 0x1f) << 8) - input[i++]! - 1;
      if (ref < 0) throw new RdbError("a damaged LZF-compressed string");
      for (let k = 0; k < length + 2; k++) out[o++] = out[ref++]!;
    }
  }
  if (o !== size) throw new RdbError("a damaged LZF-compressed string");
  return out;
}

async function skipStrings(r: ByteReader, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await readString(r);
}

async function skipModuleValues(r: ByteReader): Promise<void> {
  for (;;) {
    const opcode = await readLen(r);
    if (opcode === 0) return; // EOF
    if (opcode === 1 || opcode === 2) await readLen(r);
    else if (opcode === 3) await r.read(4);
    else if (opcode === 4) await r.read(8);
    else if (opcode === 5) await readString(r);
    else throw new RdbError(`unknown module value opcode ${opcode}`);
  }
}

/** Reads one value of `type` (its bytes are checksummed and, while capturing, kept). */
async function skipValue(r: ByteReader, type: number, magic: "REDIS" | "VALKEY" = "REDIS"): Promise<void> {
  if (magic === "VALKEY" && type === TYPE.VALKEY_HASH_2) {
    // field, value, absolute expiry in ms (-1 for none) per entry
    const n = await readLen(r);
    for (let i = 0; i < n; i++) {
      await readString(r);
      await readString(r);
      await r.read(8);
    }
    return;
  }
  switch (type) {
    case TYPE.HASH_LISTPACK_EX:
      await r.read(8); // minimum expiry of the fields
      await readString(r);
      return;
    case TYPE.HASH_LISTPACK_EX_PRE_GA:
      await readString(r);
      return;
    case TYPE.HASH_METADATA:
    case TYPE.HASH_METADATA_PRE_GA: {
      if (type === TYPE.HASH_METADATA) await r.read(8); // minimum expiry
      const n = await readLen(r);
      for (let i = 0; i < n; i++) {
        await readLen(r); // field expiry
        await readString(r);
        await readString(r);
      }
      return;
    }
    case TYPE.STRING:
    case TYPE.HASH_ZIPMAP:
    case TYPE.LIST_ZIPLIST:
    case TYPE.SET_INTSET:
    case TYPE.ZSET_ZIPLIST:
    case TYPE.HASH_ZIPLIST:
    case TYPE.HASH_LISTPACK:
    case TYPE.ZSET_LISTPACK:
    case TYPE.SET_LISTPACK:
      await readString(r);
      return;
    case TYPE.LIST:
    case TYPE.SET:
    case TYPE.LIST_QUICKLIST:
      await skipStrings(r, await readLen(r));
      return;
    case TYPE.HASH:
      await skipStrings(r, 2 * (await readLen(r)));
      return;
    case TYPE.ZSET: {
      const n = await readLen(r);
      for (let i = 0; i < n; i++) {
        await readString(r);
        const size = await r.byte();
        if (size < 253) await r.read(size);
      }
      return;
    }
    case TYPE.ZSET_2: {
      const n = await readLen(r);
      for (let i = 0; i < n; i++) {
        await readString(r);
        await r.read(8);
      }
      return;
    }
    case TYPE.LIST_QUICKLIST_2: {
      const n = await readLen(r);
      for (let i = 0; i < n; i++) {
        await readLen(r); // container: plain or packed
        await readString(r);
      }
      return;
    }
    case TYPE.MODULE_2:
      await readLen(r); // module id
      await skipModuleValues(r);
      return;
    case TYPE.STREAM_LISTPACKS:
    case TYPE.STREAM_LISTPACKS_2:
    case TYPE.STREAM_LISTPACKS_3:
      await skipStream(r, type);
      return;
    default:
      throw new RdbError(`value type ${type} is not one this reader knows (${magic} RDB up to version ${RDB_VERSIONS[magic]})`);
  }
}

async function skipStream(r: ByteReader, type: number): Promise<void> {
  const v2 = type >= TYPE.STREAM_LISTPACKS_2;
  const v3 = type >= TYPE.STREAM_LISTPACKS_3;
  await skipStrings(r, 2 * (await readLen(r))); // listpacks: node key and listpack each
  await skipNumber(r); // length
  await skipNumber(r); // last id ms
  await skipNumber(r); // last id seq
  if (v2) for (let i = 0; i < 5; i++) await skipNumber(r); // first id, max deleted id, entries added
  const groups = await readLen(r);
  for (let g = 0; g < groups; g++) {
    await readString(r);
    await skipNumber(r); // last delivered id ms
    await skipNumber(r); // and seq
    if (v2) await skipNumber(r); // entries read: -1 until the group has read
    const pending = await readLen(r);
    for (let p = 0; p < pending; p++) {
      await r.read(16 + 8); // id, delivery time
      await skipNumber(r); // delivery count
    }
    const consumers = await readLen(r);
    for (let c = 0; c < consumers; c++) {
      await readString(r);
      await r.read(8); // seen time
      if (v3) await r.read(8); // active time
      const owned = await readLen(r);
      await r.read(16 * owned);
    }
  }
}

/**
 * Reads the rest of a file of unknown layout: everything but the last 8 bytes goes through the
 * running CRC-64, which the last 8 bytes must match (or be zero, when the server's checksum is off).
 */
async function readChecksumOnly(reader: ByteReader): Promise<{ checksummed: boolean }> {
  for (;;) {
    const more = await reader.waitFor(9);
    if (!more) break;
    await reader.read(reader.available - 8);
  }
  const computed = reader.crc.digest();
  const stored = await reader.read(8);
  const checksummed = !stored.equals(Buffer.alloc(8));
  if (checksummed && !stored.equals(computed)) throw new RdbError("its CRC-64 checksum does not match its contents: the file is damaged");
  return { checksummed };
}

/**
 * Reads a whole RDB file from `reader`, calling `onKey` for each key when given (the payload is
 * then built; otherwise values are only walked). Fails with {@link RdbError} on anything malformed,
 * a checksum mismatch, or bytes after the end.
 */
export async function readRdb(reader: ByteReader, onKey?: (key: RdbKey) => Promise<void>): Promise<RdbSummary> {
  try {
    const header = (await reader.read(9)).toString("latin1");
    const m = /^(?:(REDIS)(\d{4})|(VALKEY)(\d{3}))$/.exec(header);
    if (!m) throw new RdbError("it does not start with REDIS or VALKEY and a version: it is not an RDB file");
    const magic = (m[1] ?? m[3]) as "REDIS" | "VALKEY";
    const rdbVersion = Number(m[2] ?? m[4]);
    if (rdbVersion < 1 || (magic === "VALKEY" && rdbVersion < RDB_VERSIONS.VALKEY)) throw new RdbError(`its ${magic} RDB version ${rdbVersion} is not one any server writes`);
    if (rdbVersion > RDB_VERSIONS[magic]) {
      if (onKey) throw new RdbError(`its ${magic} RDB version ${rdbVersion} is newer than this reader knows (${RDB_VERSIONS[magic]}), so its keys cannot be read one by one`);
      const notInspected = `${magic} RDB version ${rdbVersion} is newer than this reader knows (${RDB_VERSIONS[magic]}); only its size, SHA-256 and trailing CRC-64 were checked`;
      const { checksummed } = await readChecksumOnly(reader);
      return { rdbVersion, magic, keys: new Map(), functions: [], checksummed, notInspected };
    }
    const trailer = Buffer.alloc(2);
    trailer.writeUInt16LE(rdbVersion);
    const keys = new Map<number, number>();
    const functions: string[] = [];
    let redisVersion: string | undefined;
    let db = 0;
    let expiresAt = 0;
    for (;;) {
      const type = await reader.byte();
      if (type === OP.EOF) break;
      switch (type) {
        case OP.SELECTDB:
          db = await readLen(reader);
          continue;
        case OP.RESIZEDB:
          await readLen(reader);
          await readLen(reader);
          continue;
        case OP.AUX: {
          const name = (await readString(reader, true))!.toString("latin1");
          const value = (await readString(reader, true))!.toString("latin1");
          if (name === "redis-ver" || name === "valkey-ver") redisVersion = value;
          continue;
        }
        case OP.EXPIRETIME_MS:
          expiresAt = Number((await reader.read(8)).readBigUInt64LE(0));
          continue;
        case OP.EXPIRETIME:
          expiresAt = (await reader.read(4)).readUInt32LE(0) * 1000;
          continue;
        case OP.IDLE:
          await readLen(reader);
          continue;
        case OP.FREQ:
          await reader.byte();
          continue;
        case OP.MODULE_AUX:
          await readLen(reader);
          await readLen(reader);
          await readLen(reader);
          await skipModuleValues(reader);
          continue;
        case OP.FUNCTION2:
          functions.push((await readString(reader, true))!.toString("utf8"));
          continue;
        case OP.FUNCTION:
          throw new RdbError("it holds functions in the pre-release Redis 7.0 format, which this reader does not know");
        case OP_SLOT_INFO:
          for (let i = 0; i < 3; i++) await readLen(reader); // slot, keys, expiring keys
          continue;
        case OP_SLOT_IMPORT:
          if (magic !== "VALKEY") break;
          await readString(reader); // job name
          for (let ranges = await readLen(reader), i = 0; i < 2 * ranges; i++) await readLen(reader);
          continue;
      }
      const key = (await readString(reader, true))!;
      if (onKey) {
        reader.capture = [Buffer.from([type])];
        await skipValue(reader, type, magic);
        const body = Buffer.concat([...reader.capture, trailer]);
        reader.capture = undefined;
        const crc = new Crc64().update(body).digest();
        await onKey({ db, key, expiresAt, payload: Buffer.concat([body, crc]) });
      } else {
        await skipValue(reader, type, magic);
      }
      keys.set(db, (keys.get(db) ?? 0) + 1);
      expiresAt = 0;
    }
    const computed = reader.crc.digest();
    let checksummed = false;
    if (rdbVersion >= 5) {
      const stored = await reader.read(8);
      checksummed = !stored.equals(Buffer.alloc(8));
      if (checksummed && !stored.equals(computed)) throw new RdbError("its CRC-64 checksum does not match its contents: the file is damaged");
    }
    const extra = await reader.rest();
    if (extra > 0) throw new RdbError(`${extra} unexpected bytes follow its end`);
    return { rdbVersion, magic, ...(redisVersion ? { redisVersion } : {}), keys, functions, checksummed };
  } catch (error) {
    if (error instanceof TruncatedError) throw new RdbError(`${error.message}: the RDB file is truncated`);
    throw error;
  }
}
