import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** A pass-through that counts bytes and computes their SHA-256 on the way. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash("sha256");
  bytes = 0;
  private hex?: string;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** The SHA-256 (hex) of everything that passed; only once the stream has ended. */
  get sha256(): string {
    this.hex ??= this.hash.digest("hex");
    return this.hex;
  }
}

/**
 * A pass-through that does not end until `until` resolves, and fails instead when it rejects. Put
 * last before an upload: a stream that ends is a stream the upload completes, so it must not end
 * before every producer has exited cleanly. A truncated dump must never become an artifact.
 */
export class GateStream extends Transform {
  constructor(private readonly until: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.until().then(() => callback(), (error: Error) => callback(error));
  }
}

/** Counts bytes passing through, for progress. */
export class CountingStream extends Transform {
  bytes = 0;

  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }
}
