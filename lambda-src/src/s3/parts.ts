import type { Readable } from "node:stream";

/** One part of an object to upload: its bytes, whether it is the last, and how to give its memory back. */
export interface Part {
  readonly data: Buffer;
  readonly last: boolean;
  /** Call once the part is uploaded (or given up): its buffer is filled again with a later part. */
  readonly release: () => void;
}

const nothing = () => undefined;

/**
 * A fixed set of `capacity` part-sized buffers, reused from part to part. They are allocated and
 * written once, all together, when the first is taken: a stream uploaded through the pool uses the
 * same memory from its first part to its last, whatever its length and however long S3 takes to
 * answer, and leaves no garbage behind each part (memory that is reused is not at the mercy of
 * when the garbage collector frees it). A job that fits in its memory once always fits.
 */
export class PartPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: { resolve: (buffer: Buffer) => void; reject: (error: unknown) => void }[] = [];
  private allocated = 0;
  private closedBy: { error: unknown } | undefined;

  constructor(
    readonly partSize: number,
    readonly capacity: number,
  ) {}

  /** Buffers allocated: none until the first {@link take}, then `capacity`. */
  get size(): number {
    return this.allocated;
  }

  /** A free buffer, or the next one released when every buffer is in use. */
  take(): Promise<Buffer> {
    if (this.closedBy) return Promise.reject(this.closedBy.error);
    // Written once so that the memory is the process's from now on, not when a slow part first
    // needs the last buffer; every byte of a part is written again before it is sent.
    for (; this.allocated < this.capacity; this.allocated++) this.free.push(Buffer.allocUnsafeSlow(this.partSize).fill(0));
    const buffer = this.free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(buffer: Buffer): void {
    if (this.closedBy) return;
    const next = this.waiting.shift();
    if (next) next.resolve(buffer);
    else this.free.push(buffer);
  }

  /** Fails every waiting and later {@link take} with `error`, and lets the buffers go. */
  close(error: unknown): void {
    if (this.closedBy) return;
    this.closedBy = { error };
    this.free.length = 0;
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}

/** The parts of a buffer already in memory: views of it, nothing copied. */
export function* bufferParts(body: Buffer, partSize: number): Generator<Part> {
  for (let start = 0; ; start += partSize) {
    const last = start + partSize >= body.length;
    yield { data: body.subarray(start, start + partSize), last, release: nothing };
    if (last) return;
  }
}

/**
 * The parts of a stream, each `partSize` bytes but the last, copied into the pool's buffers. A
 * full part is handed out only once a byte of the next has arrived, so the last part is always
 * known as such. The first part is held as the chunks received until it overflows: a stream that
 * fits in one part (most objects) takes no part buffer and is handed out as it came.
 *
 * Waits for a free buffer when every one is in use: that is the upload's backpressure on the stream.
 */
export async function* streamParts(body: Readable, pool: PartPool): AsyncGenerator<Part> {
  const partSize = pool.partSize;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let part: Buffer | undefined;
  let filled = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let pending: Buffer[];
    if (part) {
      pending = [chunk];
    } else {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= partSize) continue;
      part = await pool.take();
      pending = held;
      held = [];
    }
    for (const piece of pending) {
      for (let offset = 0; offset < piece.length; ) {
        if (filled === partSize) {
          const full = part;
          yield { data: full, last: false, release: () => pool.release(full) };
          part = await pool.take();
          filled = 0;
        }
        const copied = piece.copy(part, filled, offset);
        filled += copied;
        offset += copied;
      }
    }
  }
  if (!part) {
    yield { data: held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes), last: true, release: nothing };
    return;
  }
  const rest = part;
  yield { data: rest.subarray(0, filled), last: true, release: () => pool.release(rest) };
}
