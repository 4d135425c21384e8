import { StorageError } from '../../errors.js';
import type { KeyRange } from '../../util/key-range.js';
import { isEmptyRange } from '../../util/key-range.js';
import { compareKeys } from '../../util/key-order.js';
import { describe } from '../../util/describe.js';
import type { EntrySource } from '../../table/entry-source.js';
import { MergingIterator } from '../../table/merging-iterator.js';

/** What a scan pins for its whole life: the snapshot and the sources it may read. */
export interface ReadView {
  snapshot: number;
  sources(range: KeyRange): EntrySource[];
  release(): void;
}

const BATCH = 256;

const NOTHING = () => {};
const ENDED: ReadView = { snapshot: 0, sources: () => [], release: NOTHING };
const ENDED_RANGE: KeyRange = { lower: undefined, lowerInclusive: true, upper: undefined, upperInclusive: true, reverse: false, limit: 0 };

/** What a scan dropped without being ended still owes: releasing its view and telling its collection. */
const abandoned = new FinalizationRegistry<{ view: ReadView; onEnd: () => void }>(({ view, onEnd }) => {
  view.release();
  onEnd();
});

/**
 * The public scan iterator. Entries are produced synchronously in batches
 * of up to 256 and handed out from a buffer, so iterating costs no I/O wait
 * per entry. It holds a ReadView until it ends, is returned from, or is
 * garbage-collected, so files it reads are never deleted under it.
 */
export class ScanIterator implements AsyncIterableIterator<[string, string]> {
  private buffer: [string, string][] = [];
  private pos = 0;
  private merged: MergingIterator | undefined;
  private remaining: number;
  private ended = false;
  private exhausted = false;
  private aborted = false;
  private seekRange: KeyRange | undefined;

  constructor(
    private view: ReadView,
    private range: KeyRange,
    private readonly isClosed: () => boolean,
    private onEnd: () => void,
    /** False for iterators that may seek() again after reaching the end (the abstract-level adapter). */
    private readonly releaseAtEnd = true,
  ) {
    this.remaining = range.limit;
    abandoned.register(this, { view, onEnd }, this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<[string, string]>> {
    try {
      const entry = this.nextSync();
      return Promise.resolve(entry === undefined ? { done: true, value: undefined } : { done: false, value: entry });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Up to `size` entries at once, in order; an empty array once the scan is
   * done. The fast way to read many entries: no promise per entry.
   */
  nextv(size: number): Promise<[string, string][]> {
    try {
      if (!Number.isInteger(size) || size < 1)
        throw new StorageError('INVALID_ARGUMENT', `nextv size must be a positive integer, got ${describe(size)}`);
      return Promise.resolve(this.nextBatch(size));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Up to `max` entries at once (empty when done), synchronously: nextv and the adapter's path. */
  nextBatch(max: number): [string, string][] {
    this.checkOpen();
    const out: [string, string][] = [];
    if (this.ended || this.exhausted) return out;
    while (this.pos < this.buffer.length && out.length < max) out.push(this.buffer[this.pos++]);
    if (out.length < max && this.remaining > 0) {
      const before = out.length;
      try {
        this.merge()?.fill(out, Math.min(max, before + this.remaining));
      } catch (err) {
        this.end();
        throw err;
      }
      this.remaining -= out.length - before;
      // Short of `max`: the range or the limit is exhausted, so let go of the view now.
      if (out.length < max) this.finish();
    }
    if (out.length === 0) this.finish();
    return out;
  }

  return(): Promise<IteratorResult<[string, string]>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Moves to the first entry at/after (or at/before, in reverse) `target`, within the original range. */
  seek(target: string): void {
    if (this.isClosed()) throw new StorageError('CLOSED', 'collection is closed');
    if (this.ended) return;
    this.exhausted = false;
    const r = { ...this.range };
    if (!r.reverse) {
      if (r.lower === undefined || compareKeys(target, r.lower) > 0 || (compareKeys(target, r.lower) === 0 && r.lowerInclusive)) {
        r.lower = target;
        r.lowerInclusive = true;
      }
    } else if (r.upper === undefined || compareKeys(target, r.upper) < 0 || (compareKeys(target, r.upper) === 0 && r.upperInclusive)) {
      r.upper = target;
      r.upperInclusive = true;
    }
    this.seekRange = r;
    this.merged?.release();
    this.merged = undefined;
    this.buffer = [];
    this.pos = 0;
  }

  private checkOpen(): void {
    if (this.aborted || (!this.ended && this.isClosed())) {
      this.abort();
      throw new StorageError('CLOSED', 'collection was closed while this scan was open');
    }
  }

  private merge(): MergingIterator | undefined {
    if (this.merged === undefined) {
      const r = this.seekRange ?? this.range;
      // Only called while entries remain, so the limit is not what could make it empty.
      if (isEmptyRange(r)) return undefined;
      this.merged = new MergingIterator(this.view.sources(r), r, this.view.snapshot);
    }
    return this.merged;
  }

  private nextSync(): [string, string] | undefined {
    this.checkOpen();
    if (this.ended || this.exhausted) return undefined;
    if (this.pos < this.buffer.length) return this.buffer[this.pos++];
    if (this.remaining <= 0) return this.finish();
    try {
      this.buffer = [];
      this.pos = 0;
      this.merge()?.fill(this.buffer, Math.min(BATCH, this.remaining));
    } catch (err) {
      this.end();
      throw err;
    }
    this.remaining -= this.buffer.length;
    if (this.buffer.length === 0) return this.finish();
    return this.buffer[this.pos++];
  }

  private finish(): undefined {
    this.exhausted = true;
    if (this.releaseAtEnd) this.end();
    return undefined;
  }

  /** Ends the scan because its collection closed: later next() calls reject with CLOSED rather than look finished. */
  abort(): void {
    this.aborted = true;
    this.end();
  }

  /** Releases the pinned view; idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    abandoned.unregister(this);
    this.view.release();
    this.onEnd();
    // Keep nothing an ended scan no longer needs (sources, blocks, view):
    // its caller may hold on to it long after.
    this.buffer = [];
    this.merged?.release();
    this.merged = undefined;
    this.view = ENDED;
    this.range = ENDED_RANGE;
    this.seekRange = undefined;
    this.onEnd = NOTHING;
  }
}
