import type { ValueKind } from '../log/write-batch.js';
import type { Memtable, MemtableEntry } from './memtable.js';
import { sortableKey } from '../util/key-order.js';
import type { KeyRange } from '../util/key-range.js';
import type { EntrySource } from '../table/entry-source.js';

/** A short scan takes few entries from each memtable, so chunks start small and double. */
const FIRST_CHUNK = 4;
const MAX_CHUNK = 256;

/** Reads a memtable in chunks, re-seeking after the last key each time, so concurrent inserts are harmless. */
export class MemtableSource implements EntrySource {
  private chunk: MemtableEntry[] = [];
  private index = 0;
  private exhausted = false;
  private chunkSize = FIRST_CHUNK;
  private currentSortKey: string | undefined;

  constructor(
    private readonly memtable: Memtable,
    private readonly snapshot: number,
    private readonly range: KeyRange,
  ) {
    const start = range.reverse ? range.upper : range.lower;
    const inclusive = range.reverse ? range.upperInclusive : range.lowerInclusive;
    this.fill(start, inclusive);
  }

  get valid(): boolean {
    return this.index < this.chunk.length;
  }
  get key(): string {
    return this.chunk[this.index].key;
  }
  get sortKey(): string {
    return (this.currentSortKey ??= sortableKey(this.chunk[this.index].key));
  }
  get sequence(): number {
    return this.chunk[this.index].sequence;
  }
  get kind(): ValueKind {
    return this.chunk[this.index].kind;
  }
  value(): string {
    return this.chunk[this.index].value;
  }

  next(): void {
    this.currentSortKey = undefined;
    this.index++;
    if (this.index === this.chunk.length && !this.exhausted) this.fill(this.chunk[this.index - 1].key, false);
  }

  private fill(from: string | undefined, inclusive: boolean): void {
    this.chunk = [];
    this.index = 0;
    const size = this.chunkSize;
    this.chunkSize = Math.min(2 * size, MAX_CHUNK);
    this.memtable.collect(from, inclusive, this.range.reverse, this.snapshot, size, this.chunk);
    if (this.chunk.length < size) this.exhausted = true;
  }
}
