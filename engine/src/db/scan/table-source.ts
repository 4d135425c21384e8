import type { ValueKind } from '../../log/write-batch.js';
import type { DecodedBlock } from '../../table/block-reader.js';
import type { TableReader } from '../../table/table-reader.js';
import { compareKeys } from '../../util/key-order.js';
import type { EntrySource } from './entry-source.js';

/** Walks one SSTable block by block, in either direction. */
export class TableSource implements EntrySource {
  private block = -1;
  private decoded: DecodedBlock | undefined;
  private index = 0;
  valid = false;

  constructor(
    private readonly table: TableReader,
    private readonly reverse: boolean,
  ) {}

  /** Positions at the first entry at/after (forward) or at/before (reverse) `target`. */
  seek(target: string | undefined, inclusive: boolean): this {
    const count = this.table.blockCount;
    if (!this.reverse) {
      if (target === undefined) return this.load(0, 'first');
      const b = this.table.blockFor(Buffer.from(target, 'utf8'));
      if (b >= count) return this.invalidate();
      this.load(b, 'first');
      const keys = this.decoded!.keys;
      // first index with key > target (exclusive) or >= target (inclusive)
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = compareKeys(keys[mid], target);
        if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
        else hi = mid;
      }
      this.index = lo;
      if (lo === keys.length) this.advanceBlock();
      return this;
    }
    if (target === undefined) return this.load(count - 1, 'last');
    const b = Math.min(this.table.blockFor(Buffer.from(target, 'utf8')), count - 1);
    this.load(b, 'last');
    const keys = this.decoded!.keys;
    // last index with key < target (exclusive) or <= target (inclusive)
    let lo = -1;
    let hi = keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const c = compareKeys(keys[mid], target);
      if (c < 0 || (c === 0 && inclusive)) lo = mid;
      else hi = mid - 1;
    }
    this.index = lo;
    if (lo < 0) this.advanceBlock();
    return this;
  }

  get key(): string {
    return this.decoded!.keys[this.index];
  }
  get sequence(): number {
    return this.decoded!.sequences[this.index];
  }
  get kind(): ValueKind {
    return this.decoded!.kinds[this.index];
  }
  value(): string {
    const d = this.decoded!;
    const start = d.valueStarts[this.index];
    const end = d.valueEnds[this.index];
    return start === end ? '' : d.buf.toString('utf8', start, end);
  }

  /** The current value's UTF-8 bytes, without decoding (compaction copies them as they are). */
  rawValue(): Buffer {
    const d = this.decoded!;
    return d.buf.subarray(d.valueStarts[this.index], d.valueEnds[this.index]);
  }

  next(): void {
    if (this.reverse) {
      if (--this.index < 0) this.advanceBlock();
    } else if (++this.index >= this.decoded!.keys.length) this.advanceBlock();
  }

  private advanceBlock(): void {
    const b = this.reverse ? this.block - 1 : this.block + 1;
    if (b < 0 || b >= this.table.blockCount) {
      this.invalidate();
      return;
    }
    this.load(b, this.reverse ? 'last' : 'first');
  }

  private load(block: number, at: 'first' | 'last'): this {
    if (block < 0 || block >= this.table.blockCount) return this.invalidate();
    this.block = block;
    this.decoded = this.table.decodeBlock(block, false);
    this.index = at === 'first' ? 0 : this.decoded.keys.length - 1;
    this.valid = this.decoded.keys.length > 0;
    if (!this.valid) this.advanceBlock();
    return this;
  }

  private invalidate(): this {
    this.valid = false;
    this.decoded = undefined;
    return this;
  }
}
