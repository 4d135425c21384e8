/**
 * Varint (LEB128) and fixed-width helpers shared by every on-disk format.
 * Numbers up to 2^53 are supported, because sequence numbers and file offsets
 * are plain JavaScript numbers.
 */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

export function writeVarint(buf: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[offset++] = value;
  return offset;
}

/** A reader cursor over one buffer; throws RangeError past the end so decoders can map it to CORRUPTION. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number = buf.length,
  ) {}

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new RangeError('varint runs past the end');
      const byte = buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new RangeError('varint is too long');
  }

  bytes(length: number): Buffer {
    if (length < 0 || this.pos + length > this.end) throw new RangeError('field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Moves past `length` bytes without making a view of them. */
  skip(length: number): void {
    if (length < 0 || this.pos + length > this.end) throw new RangeError('field runs past the end');
    this.pos += length;
  }

  u8(): number {
    if (this.pos >= this.end) throw new RangeError('byte runs past the end');
    return this.buf[this.pos++];
  }

  get done(): boolean {
    return this.pos >= this.end;
  }
}
