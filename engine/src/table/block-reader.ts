import { corruption } from '../errors.js';
import { ValueKind } from '../log/write-batch.js';

/** A data block as entries decoded into parallel arrays, for iteration both ways. */
export interface DecodedBlock {
  keys: string[];
  sequences: number[];
  kinds: ValueKind[];
  valueStarts: number[];
  valueEnds: number[];
  buf: Buffer;
}

export interface PointHit {
  kind: ValueKind;
  sequence: number;
  value: string;
}

/**
 * Reads one data block (format in block.ts). All offsets are checked against
 * the block's bounds; a bad one becomes CORRUPTION naming the file, never a
 * wrong answer.
 */
export class BlockReader {
  private readonly restartsAt: number;
  private readonly restartCount: number;
  private keyScratch = Buffer.allocUnsafe(256);
  private pos = 0;
  private keyLength = 0;
  private valueTag = 0;
  private sequence = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly fileName: string,
    private readonly blockOffset: number,
  ) {
    if (buf.length < 4) throw this.bad('block shorter than its restart count');
    this.restartCount = buf.readUInt32LE(buf.length - 4);
    this.restartsAt = buf.length - 4 - 4 * this.restartCount;
    if (this.restartCount === 0 || this.restartsAt < 0) throw this.bad('invalid restart array');
  }

  /** The newest version of `target` in this block, or undefined. */
  find(target: Buffer): PointHit | undefined {
    // Binary search: the last restart whose key is < target.
    let lo = 0;
    let hi = this.restartCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      this.seekRestart(mid);
      this.readEntry();
      if (this.compareKey(target) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.seekRestart(lo);
    const end = this.restartsAt;
    while (this.pos < end) {
      this.readEntry();
      const c = this.compareKey(target);
      if (c === 0) {
        const kind = this.valueTag === 0 ? ValueKind.Delete : ValueKind.Put;
        const valueBytes = kind === ValueKind.Delete ? 0 : this.valueTag - 1;
        const value = valueBytes === 0 ? '' : this.buf.toString('utf8', this.pos, this.pos + valueBytes);
        return { kind, sequence: this.sequence, value };
      }
      if (c > 0) return undefined;
      this.skipValue();
    }
    return undefined;
  }

  decode(): DecodedBlock {
    const out: DecodedBlock = { keys: [], sequences: [], kinds: [], valueStarts: [], valueEnds: [], buf: this.buf };
    this.pos = 0;
    this.keyLength = 0;
    const end = this.restartsAt;
    while (this.pos < end) {
      this.readEntry();
      out.keys.push(this.keyScratch.toString('utf8', 0, this.keyLength));
      out.sequences.push(this.sequence);
      const kind = this.valueTag === 0 ? ValueKind.Delete : ValueKind.Put;
      out.kinds.push(kind);
      out.valueStarts.push(this.pos);
      this.skipValue();
      out.valueEnds.push(this.pos);
    }
    return out;
  }

  private seekRestart(index: number): void {
    const at = this.buf.readUInt32LE(this.restartsAt + 4 * index);
    if (at >= this.restartsAt) throw this.bad(`restart ${index} points outside the block`);
    this.pos = at;
    this.keyLength = 0;
  }

  /** Decodes the entry header and key at `pos`, leaving `pos` at its value. */
  private readEntry(): void {
    const shared = this.varint();
    const unshared = this.varint();
    this.valueTag = this.varint();
    this.sequence = this.varint();
    if (shared > this.keyLength) throw this.bad('entry shares more key bytes than the previous key has');
    const length = shared + unshared;
    if (this.pos + unshared > this.restartsAt) throw this.bad('key runs past the end of the block');
    if (this.keyScratch.length < length) {
      const grown = Buffer.allocUnsafe(length * 2);
      this.keyScratch.copy(grown, 0, 0, shared);
      this.keyScratch = grown;
    }
    this.buf.copy(this.keyScratch, shared, this.pos, this.pos + unshared);
    this.pos += unshared;
    this.keyLength = length;
  }

  private skipValue(): void {
    if (this.valueTag > 0) {
      this.pos += this.valueTag - 1;
      if (this.pos > this.restartsAt) throw this.bad('value runs past the end of the block');
    }
  }

  /** Sign of (current key - target), bytewise. */
  private compareKey(target: Buffer): number {
    return this.keyScratch.compare(target, 0, target.length, 0, this.keyLength);
  }

  private varint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.restartsAt) throw this.bad('entry header runs past the end of the block');
      const byte = buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw this.bad('varint too long');
  }

  private bad(what: string) {
    return corruption(this.fileName, `data block at offset ${this.blockOffset}: ${what}`);
  }
}
