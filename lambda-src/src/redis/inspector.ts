import { Transform, type TransformCallback } from "node:stream";
import { JobError } from "../support/errors";
import { ByteReader } from "./byte-reader";
import { RdbError, readRdb, type RdbSummary } from "./rdb";

/**
 * A pass-through that reads the RDB file streaming past: it fails the stream on a malformed or
 * damaged file (checksum included) and sums up the keys per database once it has ended.
 */
export class RdbInspector extends Transform {
  private readonly reader = new ByteReader();
  private readonly result: Promise<RdbSummary>;
  private summaryValue?: RdbSummary;

  constructor(private readonly subject = "The RDB snapshot") {
    super();
    this.result = readRdb(this.reader).then((s) => (this.summaryValue = s));
    this.result.catch(() => undefined);
  }

  private asJobError(error: unknown): Error {
    return error instanceof RdbError ? new JobError(`${this.subject} is not a usable RDB file: ${error.message}.`) : (error as Error);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    Promise.race([this.reader.feed(chunk), this.result.then(() => undefined)]).then(
      () => callback(null, chunk),
      (error) => callback(this.asJobError(error)),
    );
  }

  override _flush(callback: TransformCallback): void {
    this.reader.end();
    this.result.then(
      () => callback(),
      (error) => callback(this.asJobError(error)),
    );
  }

  get summary(): RdbSummary {
    if (!this.summaryValue) throw new JobError(`${this.subject} was not read to its end.`);
    return this.summaryValue;
  }
}

/** The manifest's `tables` for Redis: one entry per database, its key count as rows. */
export function redisTables(summary: RdbSummary): { schema: string; name: string; rows: number }[] {
  return [...summary.keys.entries()].sort(([a], [b]) => a - b).map(([db, rows]) => ({ schema: "redis", name: `db${db}`, rows }));
}
