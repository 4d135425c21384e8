import type { ValueKind } from '../log/write-batch.js';
import { BlockCursor } from './block-reader.js';
import { giveBackWindow, type ReadAhead, type TableReader, takeWindow } from './table-reader.js';
import type { EntrySource } from './entry-source.js';

/**
 * Block loads per source that may enter the block cache (if it admits
 * them). A seek and the step or two after it may be worth caching, as
 * random access comes back to them; a scan that keeps going streams through
 * a private read-ahead window instead, so one long scan neither evicts the
 * hot blocks nor allocates a buffer (or makes a read) per block.
 */
const CACHED_LOADS = 2;

/** Walks SSTables block by block, in either direction, with one reused block cursor. */
export class TableSource implements EntrySource {
  private block = -1;
  private readonly cursor = new BlockCursor();
  private ahead: ReadAhead | undefined;
  private loads = 0;
  valid = false;

  constructor(
    private table: TableReader,
    private readonly reverse: boolean,
  ) {}

  /**
   * Positions at the first entry at/after (forward) or at/before (reverse)
   * `target`; `targetBytes` is its UTF-8 form, when the caller has it already.
   */
  seek(target: string | undefined, inclusive: boolean, targetBytes?: Buffer): this {
    const count = this.table.blockCount;
    if (target === undefined) {
      if (!this.load(this.reverse ? count - 1 : 0)) return this;
      if (this.reverse) this.cursor.seekToLast();
      else this.cursor.seekToFirst();
      return this.settle();
    }
    const bytes = targetBytes ?? Buffer.from(target, 'utf8');
    const b = this.table.blockFor(bytes);
    if (!this.reverse) {
      if (!this.load(b)) return this;
      this.cursor.seek(bytes, inclusive);
    } else {
      if (!this.load(Math.min(b, count - 1))) return this;
      this.cursor.seekForPrev(bytes, inclusive);
    }
    return this.settle();
  }

  /** Repoints this source at another table of the same scan (a level's next file), unpositioned. */
  switchTo(table: TableReader): void {
    this.table = table;
    this.block = -1;
    this.valid = false;
  }

  get key(): string {
    return this.cursor.key;
  }
  get sortKey(): string {
    return this.cursor.sortKey;
  }
  get sequence(): number {
    return this.cursor.sequence;
  }
  get kind(): ValueKind {
    return this.cursor.kind;
  }
  value(): string {
    return this.cursor.value();
  }

  /** The cursor itself, for compaction to copy the current key and value bytes as they lie; valid until next(). */
  get raw(): BlockCursor {
    return this.cursor;
  }

  next(): void {
    if (this.reverse) this.cursor.prev();
    else this.cursor.next();
    if (!this.cursor.valid) this.step();
  }

  /** The scan is over: its window goes back for another scan, and the source reads as exhausted from now on. */
  release(): void {
    this.valid = false;
    this.block = -1;
    this.cursor.clear();
    if (this.ahead !== undefined) giveBackWindow(this.ahead);
    this.ahead = undefined;
  }

  /** After positioning inside a block: if nothing there qualified, the answer is the neighbouring block's edge. */
  private settle(): this {
    if (this.cursor.valid) this.valid = true;
    else this.step();
    return this;
  }

  private step(): void {
    for (;;) {
      if (!this.load(this.reverse ? this.block - 1 : this.block + 1)) return;
      if (this.reverse) this.cursor.seekToLast();
      else this.cursor.seekToFirst();
      if (this.cursor.valid) {
        this.valid = true;
        return;
      }
    }
  }

  /** Loads `block` into the cursor (unpositioned); false, and invalid, past either end of the table. */
  private load(block: number): boolean {
    const table = this.table;
    if (block < 0 || block >= table.blockCount) {
      this.valid = false;
      this.block = -1;
      return false;
    }
    this.block = block;
    const ahead = (this.ahead ??= takeWindow());
    // The first load is the seek's: a forward scan reads on into the next block, so that comes in the same read.
    const load = this.loads++;
    const contents =
      load < CACHED_LOADS ? table.readBlock(block, ahead, load === 0 && !this.reverse) : table.streamBlock(block, ahead, this.reverse);
    this.cursor.reset(contents, table.path, table.blockOffset(block));
    return true;
  }
}
