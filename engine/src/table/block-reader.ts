import { corruption } from '../errors.js';
import { ValueKind } from '../log/write-batch.js';
import { compareBytes } from '../util/bytes.js';
import { sortableKey } from '../util/key-order.js';
import { readLatin1, readUtf8 } from '../util/utf8.js';

export interface PointHit {
  kind: ValueKind;
  sequence: number;
  value: string;
}

const EMPTY = Buffer.alloc(4);

/**
 * A cursor over one data block (format in block.ts), in either direction,
 * that decodes an entry only when it reaches it: a seek binary-searches the
 * restart points and compares keys as bytes, so only the entries a scan
 * returns become strings. Forward it decodes entry by entry; in reverse it
 * decodes one restart interval (at most RESTART_INTERVAL entries) at a
 * time, because prefix-compressed keys can only be rebuilt front to back.
 * One cursor is reused for every block a scan visits. All offsets are
 * checked against the block's bounds: a bad one is CORRUPTION naming the
 * file, never a wrong answer.
 */
export class BlockCursor {
  private buf: Buffer = EMPTY;
  private fileName = '';
  private blockOffset = 0;
  private restartsAt = 0;
  private restartCount = 0;
  private keyBytes = Buffer.allocUnsafe(256);
  private keyLength = 0;
  /** Index of the current key's first non-ASCII byte (keyLength if none). */
  private wideAt = 0;
  private keyString: string | undefined;
  private sortKeyString: string | undefined;
  private pos = 0;
  private nextPos = 0;
  valid = false;
  sequence = 0;
  kind = ValueKind.Put;
  valueStart = 0;
  valueEnd = 0;
  // Reverse iteration: the decoded restart interval and the position in it.
  private interval = -1;
  private at = 0;
  private count = 0;
  private readonly keys: string[] = [];
  private readonly sortKeys: string[] = [];
  private readonly sequences: number[] = [];
  private readonly kinds: ValueKind[] = [];
  private readonly valueStarts: number[] = [];
  private readonly valueEnds: number[] = [];

  /** Points the cursor at a new block; it is not positioned until a seek. */
  reset(buf: Buffer, fileName: string, blockOffset: number): void {
    this.buf = buf;
    this.fileName = fileName;
    this.blockOffset = blockOffset;
    this.valid = false;
    if (buf.length < 4) throw this.bad('block shorter than its restart count');
    this.restartCount = buf.readUInt32LE(buf.length - 4);
    this.restartsAt = buf.length - 4 - 4 * this.restartCount;
    if (this.restartCount === 0 || this.restartsAt < 0) throw this.bad('invalid restart array');
  }

  /** Lets go of the block (a view of a window that is about to be reused); invalid until the next reset. */
  clear(): void {
    this.buf = EMPTY;
    this.valid = false;
    this.restartCount = 0;
    this.restartsAt = 0;
  }

  /** A block without entries is well-formed (the builder never writes one): every seek in it finds nothing. */
  private nothingIn(): boolean {
    if (this.restartsAt > 0) return false;
    this.valid = false;
    return true;
  }

  /** The current key, decoded on first use. */
  get key(): string {
    if (this.keyString === undefined) {
      const bytes = this.keyBytes;
      // An ASCII key is its own Latin-1 decoding, the cheapest way to make it a string.
      this.keyString = this.wideAt === this.keyLength ? readLatin1(bytes, 0, this.keyLength) : readUtf8(bytes, 0, this.keyLength);
    }
    return this.keyString;
  }

  /** The current key in a form whose native string order is key order (see sortableKey). */
  get sortKey(): string {
    if (this.sortKeyString === undefined) this.sortKeyString = this.wideAt === this.keyLength ? this.key : sortableKey(this.key);
    return this.sortKeyString;
  }

  value(): string {
    return this.valueStart === this.valueEnd ? '' : readUtf8(this.buf, this.valueStart, this.valueEnd);
  }

  /** The current value's bytes: a view into the block, valid until the cursor moves to another block. */
  rawValue(): Buffer {
    return this.buf.subarray(this.valueStart, this.valueEnd);
  }

  /** The current key's UTF-8 bytes are keyBuffer[0, keyByteLength): rewritten in place as the cursor moves. */
  get keyBuffer(): Buffer {
    return this.keyBytes;
  }
  get keyByteLength(): number {
    return this.keyLength;
  }

  /** The block the current value lies in, at [valueStart, valueEnd): with those, a value is copied without a view object. */
  get blockBuffer(): Buffer {
    return this.buf;
  }

  seekToFirst(): void {
    if (!this.nothingIn()) this.parseFrom(this.restart(0));
  }

  seekToLast(): void {
    if (!this.nothingIn()) this.loadInterval(this.restartCount - 1, undefined, true);
  }

  /** Forward: the first entry with key >= target (> if not inclusive); invalid if none in this block. */
  seek(target: Uint8Array, inclusive: boolean): void {
    if (this.nothingIn()) return;
    // The last restart whose key still precedes every wanted entry.
    let lo = 0;
    let hi = this.restartCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const c = this.compareRestartKey(mid, target);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid;
      else hi = mid - 1;
    }
    this.parseFrom(this.restart(lo));
    while (this.valid) {
      const c = compareBytes(this.keyBytes, 0, this.keyLength, target, 0, target.length);
      if (c > 0 || (c === 0 && inclusive)) return;
      this.next();
    }
  }

  /** Reverse: the last entry with key <= target (< if not inclusive); invalid if none in this block. */
  seekForPrev(target: Uint8Array, inclusive: boolean): void {
    if (this.nothingIn()) return;
    let lo = -1;
    let hi = this.restartCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const c = this.compareRestartKey(mid, target);
      if (c < 0 || (c === 0 && inclusive)) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) this.valid = false;
    else this.loadInterval(lo, target, inclusive);
  }

  /** The newest version of `target` in this block, or undefined (moves the cursor). */
  find(target: Uint8Array): PointHit | undefined {
    this.seek(target, true);
    if (!this.valid || compareBytes(this.keyBytes, 0, this.keyLength, target, 0, target.length) !== 0) return undefined;
    return { kind: this.kind, sequence: this.sequence, value: this.value() };
  }

  next(): void {
    if (this.nextPos >= this.restartsAt) this.valid = false;
    else this.parse(this.nextPos);
  }

  prev(): void {
    if (this.at > 0) this.take(this.at - 1);
    else if (this.interval > 0) this.loadInterval(this.interval - 1, undefined, true);
    else this.valid = false;
  }

  private restart(index: number): number {
    const at = this.buf.readUInt32LE(this.restartsAt + 4 * index);
    if (at >= this.restartsAt) throw this.bad(`restart ${index} points outside the block`);
    return at;
  }

  private parseFrom(pos: number): void {
    this.keyLength = 0;
    this.parse(pos);
  }

  /** Decodes the entry at `pos`, whose key shares a prefix with the current key bytes. */
  private parse(pos: number): void {
    const buf = this.buf;
    const end = this.restartsAt;
    this.pos = pos;
    const shared = this.varint();
    const unshared = this.varint();
    const tag = this.varint();
    const sequence = this.varint();
    pos = this.pos;
    if (shared > this.keyLength) throw this.bad('entry shares more key bytes than the previous key has');
    if (pos + unshared > end) throw this.bad('key runs past the end of the block');
    const length = shared + unshared;
    let keyBytes = this.keyBytes;
    if (keyBytes.length < length) {
      const grown = Buffer.allocUnsafe(length * 2);
      keyBytes.copy(grown, 0, 0, shared);
      this.keyBytes = keyBytes = grown;
    }
    let wideAt = this.wideAt < shared ? this.wideAt : length;
    for (let i = 0; i < unshared; i++) {
      const byte = buf[pos + i];
      keyBytes[shared + i] = byte;
      if (byte >= 0x80 && wideAt === length) wideAt = shared + i;
    }
    this.wideAt = wideAt;
    pos += unshared;
    const valueEnd = tag > 0 ? pos + tag - 1 : pos;
    if (valueEnd > end) throw this.bad('value runs past the end of the block');
    this.keyLength = length;
    this.keyString = undefined;
    this.sortKeyString = undefined;
    this.sequence = sequence;
    this.kind = tag === 0 ? ValueKind.Delete : ValueKind.Put;
    this.valueStart = pos;
    this.valueEnd = valueEnd;
    this.nextPos = valueEnd;
    this.valid = true;
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

  /**
   * Decodes restart interval `index` for reverse steps and positions at its
   * last entry, or with a target at the last entry <= target (< if not inclusive).
   */
  private loadInterval(index: number, target: Uint8Array | undefined, inclusive: boolean): void {
    const end = index + 1 < this.restartCount ? this.restart(index + 1) : this.restartsAt;
    let n = 0;
    this.parseFrom(this.restart(index));
    for (;;) {
      if (target !== undefined) {
        const c = compareBytes(this.keyBytes, 0, this.keyLength, target, 0, target.length);
        if (c > 0 || (c === 0 && !inclusive)) break;
      }
      this.keys[n] = this.key;
      this.sortKeys[n] = this.sortKey;
      this.sequences[n] = this.sequence;
      this.kinds[n] = this.kind;
      this.valueStarts[n] = this.valueStart;
      this.valueEnds[n] = this.valueEnd;
      n++;
      if (this.nextPos >= end) break;
      this.parse(this.nextPos);
    }
    this.interval = index;
    this.count = n;
    if (n === 0)
      this.valid = false; // only when the restart key itself is past the target
    else this.take(n - 1);
  }

  private take(i: number): void {
    this.at = i;
    this.keyString = this.keys[i];
    this.sortKeyString = this.sortKeys[i];
    this.sequence = this.sequences[i];
    this.kind = this.kinds[i];
    this.valueStart = this.valueStarts[i];
    this.valueEnd = this.valueEnds[i];
    this.valid = true;
  }

  /** Compares a restart entry's key (stored whole) with `target` where it lies, without decoding the entry. */
  private compareRestartKey(index: number, target: Uint8Array): number {
    this.pos = this.restart(index);
    const shared = this.varint();
    const unshared = this.varint();
    this.varint();
    this.varint();
    if (shared !== 0) throw this.bad('a restart entry shares key bytes');
    if (this.pos + unshared > this.restartsAt) throw this.bad('key runs past the end of the block');
    return compareBytes(this.buf, this.pos, unshared, target, 0, target.length);
  }

  private bad(what: string) {
    return corruption(this.fileName, `data block at offset ${this.blockOffset}: ${what}`);
  }
}
