import { ValueKind } from '../log/write-batch.js';
import { sortableKey } from '../util/key-order.js';
import type { KeyRange } from '../util/key-range.js';
import type { EntrySource } from './entry-source.js';

/**
 * Merges sources into one stream of live entries: for each key the version
 * with the highest sequence at or below the snapshot wins, and a winning
 * tombstone hides the key. Sources are few (memtables, L0 tables, one per
 * deeper level), so a linear pick of the smallest key beats a heap here.
 * Keys are compared in their sortable form with native string comparison
 * (several times cheaper than compareKeys); each source's current one is
 * kept in an array, and the pass that finds the smallest also notes every
 * source positioned at it and the runner-up.
 */
export class MergingIterator {
  private done = false;
  /** Each source's current sort key; undefined once it is exhausted. */
  private readonly keys: (string | undefined)[];
  /** Indexes of the sources positioned at the key being merged. */
  private readonly at: number[] = [];
  /** The range's far end as a sort key, and whether the end itself is in the range. */
  private readonly end: string | undefined;
  private readonly endInclusive: boolean;
  private readonly reverse: boolean;

  constructor(
    private readonly sources: EntrySource[],
    range: KeyRange,
    private readonly snapshot: number,
  ) {
    const reverse = (this.reverse = range.reverse);
    this.keys = sources.map((s) => (s.valid ? s.sortKey : undefined));
    const end = reverse ? range.lower : range.upper;
    this.end = end === undefined ? undefined : sortableKey(end);
    this.endInclusive = reverse ? range.lowerInclusive : range.upperInclusive;
  }

  /** The scan is over: its sources give back what they can reuse, and nothing more is produced. */
  release(): void {
    this.done = true;
    for (const s of this.sources) s.release?.();
  }

  /** Appends live entries to `out` until it holds `max`; returns false once the range is exhausted. */
  fill(out: [string, string][], max: number): boolean {
    const sources = this.sources;
    const keys = this.keys;
    const at = this.at;
    const n = keys.length;
    const reverse = this.reverse;
    const snapshot = this.snapshot;
    const end = this.end;
    // The smallest key among the sources not at the current one. While only
    // one source is at the smallest key and its next key still comes before
    // this, that source stays the smallest and no pass over the others is needed.
    let second: string | undefined;
    let run = -1;
    while (!this.done && out.length < max) {
      let sk: string | undefined;
      let m = 0;
      if (run >= 0) {
        sk = keys[run];
        at[0] = run;
        m = 1;
      } else {
        second = undefined;
        for (let i = 0; i < n; i++) {
          const k = keys[i];
          if (k === undefined) continue;
          if (sk === undefined) {
            sk = k;
            at[0] = i;
            m = 1;
          } else if (k === sk) at[m++] = i;
          else if (reverse ? k > sk : k < sk) {
            second = sk;
            sk = k;
            at[0] = i;
            m = 1;
          } else if (second === undefined || (reverse ? k > second : k < second)) second = k;
        }
      }
      if (sk === undefined || (end !== undefined && (reverse ? sk < end : sk > end)) || (sk === end && !this.endInclusive)) {
        this.done = true;
        break;
      }
      const key = sources[at[0]].key;
      let bestSequence = -1;
      let bestKind = ValueKind.Delete;
      let bestValue = '';
      for (let j = 0; j < m; j++) {
        const s = sources[at[j]];
        // A source may hold several versions of the key, one after another.
        do {
          const seq = s.sequence;
          if (seq <= snapshot && seq > bestSequence) {
            bestSequence = seq;
            bestKind = s.kind;
            bestValue = bestKind === ValueKind.Put ? s.value() : '';
          }
          s.next();
        } while (s.valid && s.sortKey === sk);
        keys[at[j]] = s.valid ? s.sortKey : undefined;
      }
      if (bestSequence >= 0 && bestKind === ValueKind.Put) out.push([key, bestValue]);
      const next = m === 1 ? keys[at[0]] : undefined;
      run = next !== undefined && (second === undefined || (reverse ? next > second : next < second)) ? at[0] : -1;
    }
    return !this.done;
  }
}
