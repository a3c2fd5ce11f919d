import { ByteReader, TruncatedError } from "./byte-reader";
import { Crc64 } from "./crc64";

/**
 * A streaming reader of Redis RDB files (versions up to 11, Redis 7.2): walks every record, checks
 * the trailing CRC-64, counts keys per database and, when asked, hands each key over as a DUMP
 * payload that `RESTORE` accepts, since a DUMP payload is the record's value bytes followed by the
 * RDB version and a CRC-64.
 *
 * Format: Redis's `rdb.h` and `rdb.c`.
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
}

const MAX_RDB_VERSION = 11;

const OP = { FUNCTION2: 0xf5, FUNCTION: 0xf6, MODULE_AUX: 0xf7, FREQ: 0xf8, IDLE: 0xf9, AUX: 0xfa, RESIZEDB: 0xfb, EXPIRETIME_MS: 0xfc, EXPIRETIME: 0xfd, SELECTDB: 0xfe, EOF: 0xff } as const;

const TYPE = {
  STRING: 0, LIST: 1, SET: 2, ZSET: 3, HASH: 4, ZSET_2: 5, MODULE: 6, MODULE_2: 7,
  HASH_ZIPMAP: 9, LIST_ZIPLIST: 10, SET_INTSET: 11, ZSET_ZIPLIST: 12, HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14, STREAM_LISTPACKS: 15, HASH_LISTPACK: 16, ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18, STREAM_LISTPACKS_2: 19, SET_LISTPACK: 20, STREAM_LISTPACKS_3: 21,
} as const;

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
async function skipValue(r: ByteReader, type: number): Promise<void> {
  switch (type) {
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
      throw new RdbError(`value type ${type} is not one this reader knows (RDB up to version ${MAX_RDB_VERSION})`);
  }
}

async function skipStream(r: ByteReader, type: number): Promise<void> {
  const v2 = type >= TYPE.STREAM_LISTPACKS_2;
  const v3 = type >= TYPE.STREAM_LISTPACKS_3;
  await skipStrings(r, 2 * (await readLen(r))); // listpacks: node key and listpack each
  await readLen(r); // length
  await readLen(r); // last id ms
  await readLen(r); // last id seq
  if (v2) for (let i = 0; i < 5; i++) await readLen(r); // first id, max deleted id, entries added
  const groups = await readLen(r);
  for (let g = 0; g < groups; g++) {
    await readString(r);
    await readLen(r);
    await readLen(r);
    if (v2) await readLen(r); // entries read
    const pending = await readLen(r);
    for (let p = 0; p < pending; p++) {
      await r.read(16 + 8); // id, delivery time
      await readLen(r); // delivery count
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
 * Reads a whole RDB file from `reader`, calling `onKey` for each key when given (the payload is
 * then built; otherwise values are only walked). Fails with {@link RdbError} on anything malformed,
 * a checksum mismatch, or bytes after the end.
 */
export async function readRdb(reader: ByteReader, onKey?: (key: RdbKey) => Promise<void>): Promise<RdbSummary> {
  try {
    const magic = (await reader.read(9)).toString("latin1");
    if (!/^REDIS\d{4}$/.test(magic)) throw new RdbError("it does not start with REDIS and a version: it is not an RDB file");
    const rdbVersion = Number(magic.slice(5));
    if (rdbVersion < 1 || rdbVersion > MAX_RDB_VERSION) throw new RdbError(`its RDB version is ${rdbVersion}; this reader knows 1 to ${MAX_RDB_VERSION} (Redis up to 7.2)`);
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
          if (name === "redis-ver") redisVersion = value;
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
      }
      const key = (await readString(reader, true))!;
      if (onKey) {
        reader.capture = [Buffer.from([type])];
        await skipValue(reader, type);
        const body = Buffer.concat([...reader.capture, trailer]);
        reader.capture = undefined;
        const crc = new Crc64().update(body).digest();
        await onKey({ db, key, expiresAt, payload: Buffer.concat([body, crc]) });
      } else {
        await skipValue(reader, type);
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
    return { rdbVersion, ...(redisVersion ? { redisVersion } : {}), keys, functions, checksummed };
  } catch (error) {
    if (error instanceof TruncatedError) throw new RdbError(`${error.message}: the RDB file is truncated`);
    throw error;
  }
}
