import { Crc64 } from "./crc64";

/** Thrown when the bytes end before the structure being read does. */
export class TruncatedError extends Error {}

/**
 * Pull-style reading of a pushed byte stream: a parser awaits `read(n)` while a producer `feed`s
 * chunks (and waits when the parser falls behind, so memory stays bounded). Every byte taken goes
 * through a running CRC-64, and optionally into a capture for re-sending.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private offset = 0;
  private buffered = 0;
  private ended = false;
  private wake?: () => void;
  private drained?: () => void;
  /** Bytes consumed so far. */
  position = 0;
  readonly crc = new Crc64();
  /** While set, bytes taken are appended here too. */
  capture: Buffer[] | undefined;

  constructor(private readonly highWater = 4 * 1024 * 1024) {}

  /** Adds a chunk; resolves once the parser has room for more. */
  feed(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.wake?.();
    if (this.buffered <= this.highWater) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  /** No more chunks will come. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  get available(): number {
    return this.buffered;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private async need(n: number): Promise<void> {
    while (this.buffered < n) {
      if (this.ended) throw new TruncatedError(`the data ended after ${this.position + this.buffered} bytes, in the middle of a record`);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Waits until at least `n` bytes are buffered (true) or the data has ended with fewer (false). */
  async waitFor(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return true;
  }

  /** Takes exactly `n` bytes. */
  async read(n: number): Promise<Buffer> {
    if (this.buffered < n) await this.need(n);
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const take = Math.min(n - filled, chunk.length - this.offset);
        chunk.copy(out, filled, this.offset, this.offset + take);
        filled += take;
        this.offset += take;
        if (this.offset === chunk.length) {
          this.chunks.shift();
          this.offset = 0;
        }
      }
    }
    this.buffered -= n;
    this.position += n;
    this.crc.update(out);
    this.capture?.push(out);
    if (this.drained && this.buffered <= this.highWater / 2) {
      const resolve = this.drained;
      this.drained = undefined;
      resolve();
    }
    return out;
  }

  async byte(): Promise<number> {
    return (await this.read(1))[0]!;
  }

  /** Takes everything left; for checking that nothing follows the end. */
  async rest(): Promise<number> {
    let n = 0;
    for (;;) {
      n += this.buffered;
      this.chunks = [];
      this.offset = 0;
      this.buffered = 0;
      this.drained?.();
      if (this.ended) return n;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
