import { ValueKind } from '../../log/write-batch.js';
import { compareKeys } from '../../util/key-order.js';
import { type KeyRange, pastEnd } from '../../util/key-range.js';
import type { EntrySource } from './entry-source.js';

/**
 * Merges sources into one stream of live entries: for each key the version
 * with the highest sequence at or below the snapshot wins, and a winning
 * tombstone hides the key. Sources are few (memtables, L0 tables, one per
 * deeper level), so a linear pick of the smallest key beats a heap here.
 */
export class MergingIterator {
  private done = false;

  constructor(
    private readonly sources: EntrySource[],
    private readonly range: KeyRange,
    private readonly snapshot: number,
  ) {}

  /** Appends up to `max` live entries to `out`; returns false once the range is exhausted. */
  fill(out: [string, string][], max: number): boolean {
    const sources = this.sources;
    const reverse = this.range.reverse;
    const snapshot = this.snapshot;
    while (!this.done && out.length < max) {
      let key: string | undefined;
      for (const s of sources) {
        if (!s.valid) continue;
        if (key === undefined) key = s.key;
        else {
          const c = compareKeys(s.key, key);
          if (reverse ? c > 0 : c < 0) key = s.key;
        }
      }
      if (key === undefined || pastEnd(this.range, key)) {
        this.done = true;
        break;
      }
      let bestSequence = -1;
      let bestKind = ValueKind.Delete;
      let bestValue = '';
      for (const s of sources) {
        while (s.valid && s.key === key) {
          const seq = s.sequence;
          if (seq <= snapshot && seq > bestSequence) {
            bestSequence = seq;
            bestKind = s.kind;
            bestValue = bestKind === ValueKind.Put ? s.value() : '';
          }
          s.next();
        }
      }
      if (bestSequence >= 0 && bestKind === ValueKind.Put) out.push([key, bestValue]);
    }
    return !this.done;
  }
}
