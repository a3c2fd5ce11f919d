/**
 * CRC-64/Jones as Redis computes it (reflected, polynomial 0xad93d23594c935a9, initial value 0),
 * for the checksum that ends an RDB file and the one that ends each DUMP payload. Two 32-bit halves
 * keep it fast without BigInt.
 */
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
{
  // The polynomial bit-reversed, for the reflected algorithm.
  const POLY_HI = 0x95ac9329;
  const POLY_LO = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
}

/** A running CRC-64. */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(data: Uint8Array, from = 0, to = data.length): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]!;
      hi = (hi >>> 8) ^ TABLE_HI[index]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The checksum as Redis stores it: 8 bytes, little-endian. */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }
}
