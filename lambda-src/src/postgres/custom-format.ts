import { Transform, type TransformCallback } from "node:stream";
import { JobError } from "../support/errors";

/**
 * Reads a `pg_dump -Fc -Z0` archive as it streams past, without holding it: the header, the table
 * of contents, and each table's data block, whose COPY rows it counts (one line per row). The counts
 * come from the very bytes stored, so they match the dump exactly, at no cost to the database.
 *
 * Format: PostgreSQL's `pg_backup_archiver.c` and `pg_backup_custom.c`, archive versions 1.12–1.16
 * (pg_dump 11–18; 13–15 write 1.14, 16 writes 1.15, 17 and 18 write 1.16). An archive of a version it
 * does not know is passed through uninspected (see {@link ArchiveSummary.notInspected}), never refused:
 * a newer pg_dump must not stop backups.
 */

/** The newest archive minor version (1.x) this reader parses. */
export const NEWEST_KNOWN_ARCHIVE_MINOR = 16;

/** What the archive says about itself and its tables. */
export interface ArchiveSummary {
  readonly version: string;
  readonly database: string;
  readonly serverVersion: string;
  readonly dumpVersion: string;
  readonly entries: number;
  /** Every table whose data the archive holds, with its row count (empty when not inspected). */
  readonly tables: { readonly schema: string; readonly name: string; readonly rows: number }[];
  /** Why the contents were passed through unread: an archive version this reader does not know. */
  readonly notInspected?: string;
}

interface TocEntry {
  readonly dumpId: number;
  readonly desc: string;
  readonly tag: string;
  readonly namespace: string;
  /** Where the entry's data offset field (a flag byte, then the offset) is in the archive. */
  readonly offsetAt: number;
  /** The data offset flag: {@link OFFSET_NOT_SET}, {@link OFFSET_SET} or 3 (no data). */
  readonly offsetFlag: number;
}

/**
 * A change to the table of contents that gives one entry the position of its data block, so that
 * `pg_restore -j` workers seek to it instead of scanning the archive.
 */
export interface TocOffsetPatch {
  /** Where in the archive to write `bytes`. */
  readonly at: number;
  readonly bytes: Buffer;
}

/** pg_backup_archiver.h's K_OFFSET_POS_NOT_SET: the entry has data, whose position pg_dump did not know (it wrote to a pipe). */
const OFFSET_NOT_SET = 1;
/** K_OFFSET_POS_SET: the entry's data block starts at the offset that follows. */
const OFFSET_SET = 2;

const BLK_DATA = 1;
const BLK_BLOBS = 3;
const NEWLINE = 0x0a;

class NeedMore extends Error {}

/** A cursor over a buffer that throws {@link NeedMore} at its end. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    public intSize = 4,
  ) {}
  byte(): number {
    if (this.pos + 1 > this.buf.length) throw new NeedMore();
    return this.buf[this.pos++]!;
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new NeedMore();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  int(): number {
    const sign = this.byte();
    const raw = this.bytes(this.intSize);
    let value = 0;
    for (let i = raw.length - 1; i >= 0; i--) value = value * 256 + raw[i]!;
    return sign ? -value : value;
  }
  str(): string | undefined {
    const length = this.int();
    if (length < 0) return undefined;
    return this.bytes(length).toString("utf8");
  }
}

/** Where the reader is after the table of contents. */
const enum Phase {
  Block,
  BlockId,
  ChunkLength,
  Chunk,
  BlobOid,
}

interface Counted {
  /** Newlines in the block so far. */
  rows: number;
  seen: boolean;
}

/** pg_dump ends each table's COPY data with `\\.` and two blank lines: three newlines that are no rows. */
const END_OF_COPY = Buffer.from("\\.\n\n\n");
/** Shared, so that resetting the tail after each row allocates nothing. */
const EMPTY = Buffer.alloc(0);

/**
 * A pass-through that parses the archive and fails the stream when it is not a well-formed,
 * uncompressed custom-format archive. {@link summary} is complete once the stream has ended.
 */
export class CustomArchiveInspector extends Transform {
  private inHead = true;
  private head: Buffer = Buffer.alloc(0);
  /** The header and table of contents are parsed whole; retried once this much has arrived. */
  private retryAt = 0;
  private intSize = 4;
  private offSize = 8;
  private header?: Omit<ArchiveSummary, "tables" | "entries">;
  private readonly toc = new Map<number, TocEntry>();
  private readonly counts = new Map<number, Counted>();
  // pg_dump -Z0 writes every COPY row as a chunk of its own, so this state is updated millions of
  // times per dump: plain fields, no allocation per chunk.
  private phase = Phase.Block;
  private blockType = 0;
  private table: Counted | undefined;
  private blobs = false;
  private remaining = 0;
  private chunkLength = 0;
  /** Whether the last chunk of the current block was the end-of-COPY marker. */
  private lastWasMarker = false;
  /** The last bytes of the current chunk, when it straddles buffers. */
  private tail: Buffer = EMPTY;
  /** A fixed-size field split between two buffers. */
  private readonly partial = Buffer.alloc(16);
  private partialLength = 0;
  /** Bytes of the archive before the current chunk. */
  private base = 0;
  /** Where each data block (data or large objects) starts, by the dump id of its entry. */
  private readonly blockAt = new Map<number, number>();
  private blockStart = 0;
  /** Set when the archive's version is unknown: every byte passes through unread. */
  private notInspected?: string;
  /**
   * Called once when the reader decides to pass an unknown version through; a stream it returns gets
   * every byte of the archive (without backpressure, until it closes), e.g. `pg_restore --list`'s stdin.
   */
  onNotInspected?: (reason: string) => NodeJS.WritableStream | undefined;
  private side?: NodeJS.WritableStream;
  private readonly countRows: boolean;

  /**
   * @param options.countRows - count each table's rows; without, only the archive's structure is
   *   checked and the data offsets recorded, which is faster, and {@link summary} says 0 rows. @default true
   */
  constructor(options: { countRows?: boolean } = {}) {
    super();
    this.countRows = options.countRows ?? true;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.side) this.feedSide(chunk);
      this.consume(chunk);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.notInspected) {
      this.side?.end();
      return callback();
    }
    if (this.inHead) return callback(new JobError("The dump ended before its table of contents: it is not a complete pg_dump custom-format archive."));
    if (this.phase !== Phase.Block || this.partialLength > 0) return callback(new JobError("The dump ended in the middle of a data block: the archive is truncated."));
    const missing = [...this.counts.entries()].filter(([, c]) => !c.seen).map(([id]) => this.label(id));
    if (missing.length > 0) return callback(new JobError(`The dump ended without the data of ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}: the archive is truncated.`));
    callback();
  }

  /** What the archive held; complete only after the stream has ended without error. */
  get summary(): ArchiveSummary {
    if (!this.header) throw new JobError("The archive's header was not read.");
    if (this.notInspected) return { ...this.header, entries: 0, tables: [], notInspected: this.notInspected };
    const tables = [...this.counts.entries()].map(([id, c]) => {
      const entry = this.toc.get(id)!;
      return { schema: entry.namespace, name: entry.tag, rows: c.rows };
    });
    tables.sort((a, b) => (a.schema === b.schema ? (a.name < b.name ? -1 : 1) : a.schema < b.schema ? -1 : 1));
    return { ...this.header, entries: this.toc.size, tables };
  }

  /**
   * The table of contents changes that record where each entry's data starts (what pg_dump writes
   * when its output is a file it can seek in); complete once the stream has ended without error.
   * Empty when the contents were not inspected or pg_dump already set every offset.
   */
  get offsetPatches(): TocOffsetPatch[] {
    if (this.notInspected) return [];
    const patches: TocOffsetPatch[] = [];
    for (const entry of this.toc.values()) {
      const at = this.blockAt.get(entry.dumpId);
      if (entry.offsetFlag !== OFFSET_NOT_SET || at === undefined) continue;
      const bytes = Buffer.alloc(1 + this.offSize);
      bytes[0] = OFFSET_SET;
      let rest = at;
      for (let i = 1; i <= this.offSize; i++) {
        bytes[i] = rest % 256;
        rest = Math.floor(rest / 256);
      }
      patches.push({ at: entry.offsetAt, bytes });
    }
    return patches;
  }

  private feedSide(chunk: Buffer): void {
    const side = this.side as (NodeJS.WritableStream & { writableLength?: number; destroy?: () => void }) | undefined;
    if (!side) return;
    // A reader that stops reading (pg_restore --list has what it needs) must not make the dump wait or grow memory.
    if ((side.writableLength ?? 0) > 64 * 1024 * 1024) {
      this.side = undefined;
      side.destroy?.();
      return;
    }
    side.write(chunk);
  }

  private label(dumpId: number): string {
    const e = this.toc.get(dumpId);
    return e ? `${e.namespace}.${e.tag}` : `entry ${dumpId}`;
  }

  private consume(chunk: Buffer): void {
    if (this.notInspected) return;
    let buf = chunk;
    let base = this.base;
    this.base += chunk.length;
    if (this.inHead) {
      buf = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (buf.length < this.retryAt) {
        this.head = buf;
        return;
      }
      const cursor = new Cursor(buf);
      try {
        this.readHead(cursor);
      } catch (error) {
        if (!(error instanceof NeedMore)) throw error;
        this.head = buf;
        this.retryAt = buf.length * 2;
        return;
      }
      this.inHead = false;
      if (this.notInspected) {
        this.head = Buffer.alloc(0);
        const side = this.onNotInspected?.(this.notInspected);
        if (side) {
          this.side = side;
          side.on("error", () => (this.side = undefined));
          side.on("close", () => (this.side = undefined));
          this.feedSide(buf);
        }
        return;
      }
      this.head = Buffer.alloc(0);
      buf = buf.subarray(cursor.pos);
      base = this.base - buf.length;
    }
    const intSize = this.intSize;
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      if (this.phase === Phase.Chunk) {
        const take = Math.min(this.remaining, end - pos);
        const stop = pos + take;
        if (this.table) {
          let i = buf.indexOf(NEWLINE, pos);
          while (i !== -1 && i < stop) {
            this.table.rows++;
            // A row's newline is normally the last byte of its chunk: searching on would scan the next row.
            if (i + 1 === stop) break;
            i = buf.indexOf(NEWLINE, i + 1);
          }
          if (this.chunkLength === END_OF_COPY.length) this.tail = this.tail.length ? Buffer.concat([this.tail, buf.subarray(pos, stop)]) : buf.subarray(pos, stop);
        }
        this.remaining -= take;
        pos = stop;
        if (this.remaining === 0) {
          if (this.table) {
            this.lastWasMarker = this.chunkLength === END_OF_COPY.length && this.tail.equals(END_OF_COPY);
            if (this.tail.length) this.tail = EMPTY;
          }
          this.phase = Phase.ChunkLength;
        }
        continue;
      }
      // A fixed-size field: a block type byte, or an int (sign byte and intSize bytes, little-endian).
      const need = this.phase === Phase.Block ? 1 : 1 + intSize;
      if (this.phase === Phase.Block) this.blockStart = base + pos;
      let field: Buffer = buf;
      let at = pos;
      if (this.partialLength > 0 || end - pos < need) {
        const copy = Math.min(need - this.partialLength, end - pos);
        buf.copy(this.partial, this.partialLength, pos, pos + copy);
        this.partialLength += copy;
        pos += copy;
        if (this.partialLength < need) return;
        field = this.partial;
        at = 0;
        this.partialLength = 0;
      } else {
        pos += need;
      }
      if (this.phase === Phase.Block) {
        const type = field[at]!;
        if (type !== BLK_DATA && type !== BLK_BLOBS) throw new JobError(`The dump has an unknown block type ${type} after the table of contents: the archive is damaged.`);
        this.blockType = type;
        this.phase = Phase.BlockId;
        continue;
      }
      let value = 0;
      for (let b = intSize; b >= 1; b--) value = value * 256 + field[at + b]!;
      if (field[at]) value = -value;
      switch (this.phase) {
        case Phase.BlockId:
          this.blockAt.set(value, this.blockStart);
          if (this.blockType === BLK_BLOBS) {
            this.table = undefined;
            this.phase = Phase.BlobOid;
          } else {
            if (!this.toc.has(value)) throw new JobError(`The dump has data for entry ${value}, which is not in its table of contents: the archive is damaged.`);
            const counted = this.counts.get(value);
            if (counted) counted.seen = true;
            this.table = this.countRows ? counted : undefined;
            this.blobs = false;
            this.lastWasMarker = false;
            this.phase = Phase.ChunkLength;
          }
          break;
        case Phase.BlobOid:
          if (value === 0) this.phase = Phase.Block;
          else {
            this.blobs = true;
            this.phase = Phase.ChunkLength;
          }
          break;
        case Phase.ChunkLength:
          if (value < 0) throw new JobError(`The dump has a data chunk of negative length (${value}): the archive is damaged.`);
          if (value === 0) {
            if (this.table && this.lastWasMarker) this.table.rows -= 3;
            this.table = undefined;
            this.phase = this.blobs ? Phase.BlobOid : Phase.Block;
          } else {
            this.remaining = this.chunkLength = value;
            this.phase = Phase.Chunk;
          }
          break;
      }
    }
  }

  private readHead(c: Cursor): void {
    const magic = c.bytes(5).toString("latin1");
    if (magic !== "PGDMP") throw new JobError("The dump does not start with PGDMP: it is not a pg_dump custom-format archive.");
    const [major, minor, rev] = [c.byte(), c.byte(), c.byte()];
    const version = `${major}.${minor}.${rev}`;
    if (major !== 1 || minor < 12) throw new JobError(`The dump's archive version is ${version}; this reader knows 1.12 to 1.${NEWEST_KNOWN_ARCHIVE_MINOR} (pg_dump 11 to 18).`, { hint: "Use a pg_dump of PostgreSQL 11 or newer." });
    this.intSize = c.intSize = c.byte();
    this.offSize = c.byte();
    const format = c.byte();
    if (format !== 1) throw new JobError(`The dump's format is ${format}, not custom (1): run pg_dump with -Fc.`);
    if (minor > NEWEST_KNOWN_ARCHIVE_MINOR) {
      // The fields up to the format have not moved since archive 1.0; what follows may have.
      this.notInspected = `archive version ${version} is newer than this reader knows (1.${NEWEST_KNOWN_ARCHIVE_MINOR}, pg_dump 17 and 18)`;
      this.header = { version, database: "", serverVersion: "", dumpVersion: "" };
      return;
    }
    const compressed = minor >= 15 ? c.byte() !== 0 : c.int() !== 0;
    if (compressed) throw new JobError("The dump is compressed by pg_dump itself; Lifeboat runs pg_dump with -Z0 and compresses the stream.", { hint: "Do not pass -Z to pg_dump." });
    for (let i = 0; i < 7; i++) c.int(); // creation time: sec, min, hour, mday, mon, year, isdst
    const database = c.str() ?? "";
    const serverVersion = c.str() ?? "";
    const dumpVersion = c.str() ?? "";
    const count = c.int();
    const entries: TocEntry[] = [];
    for (let i = 0; i < count; i++) {
      const dumpId = c.int();
      c.int(); // hadDumper
      c.str(); // table oid
      c.str(); // oid
      const tag = c.str() ?? "";
      const desc = c.str() ?? "";
      c.int(); // section
      c.str(); // definition
      c.str(); // drop statement
      c.str(); // copy statement
      const namespace = c.str() ?? "";
      c.str(); // tablespace
      if (minor >= 14) c.str(); // table access method
      if (minor >= 16) c.int(); // relkind
      c.str(); // owner
      c.str(); // "false": the old WITH OIDS flag
      while (c.str() !== undefined); // dependencies, ended by a null string
      const offsetAt = c.pos;
      const offsetFlag = c.byte();
      c.bytes(this.offSize); // data offset: not set when written to a pipe
      entries.push({ dumpId, desc, tag, namespace, offsetAt, offsetFlag });
    }
    this.header = { version, database, serverVersion, dumpVersion };
    for (const e of entries) {
      this.toc.set(e.dumpId, e);
      if (e.desc === "TABLE DATA") this.counts.set(e.dumpId, { rows: 0, seen: false });
    }
  }
}
