import { Writable } from "node:stream";

/**
 * Writes every chunk to each target that is still alive, honouring each one's backpressure. A
 * target that errors or closes is dropped instead of failing the rest: a checksum must still see
 * every byte when the decompressor fed alongside it gives up, and `pg_restore --list` exits as soon
 * as it has read the table of contents.
 */
export class SoftTee extends Writable {
  private readonly alive: Set<NodeJS.WritableStream & Writable>;

  constructor(targets: Writable[]) {
    super({ highWaterMark: 1024 * 1024 });
    this.alive = new Set(targets);
    for (const t of targets) {
      const drop = () => this.alive.delete(t);
      t.once("error", drop);
      t.once("close", drop);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const waits: Promise<void>[] = [];
    for (const t of this.alive) {
      if (!t.write(chunk)) {
        waits.push(
          new Promise<void>((resolve) => {
            const done = () => {
              t.off("drain", done);
              t.off("close", done);
              t.off("error", done);
              resolve();
            };
            t.on("drain", done);
            t.on("close", done);
            t.on("error", done);
          }),
        );
      }
    }
    if (waits.length === 0) callback();
    else Promise.all(waits).then(() => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    for (const t of this.alive) t.end();
    callback();
  }
}

/** A writable that discards everything (to drain a stream whose bytes only pass through checks). */
export function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
