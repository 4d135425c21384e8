import { compareKeys } from './key-order.js';

/** An inclusive key span: a table's smallest and largest key. */
export interface KeySpan {
  minKey: string;
  maxKey: string;
}

/**
 * In spans sorted by key that do not overlap (a level below L0): the index
 * of the first span whose maxKey >= key, the only one that may hold `key`;
 * spans.length when every span ends before it.
 */
export function firstEndingAtOrAfter(spans: readonly KeySpan[], key: string): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(spans[mid].maxKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** In sorted, non-overlapping spans: the index of the last span whose minKey <= key; -1 when every span starts after it. */
export function lastStartingAtOrBefore(spans: readonly KeySpan[], key: string): number {
  let lo = -1;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (compareKeys(spans[mid].minKey, key) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** In sorted, non-overlapping spans: whether one of them covers `key`. */
export function someSpanCovers(spans: readonly KeySpan[], key: string): boolean {
  const i = firstEndingAtOrAfter(spans, key);
  return i < spans.length && compareKeys(spans[i].minKey, key) <= 0;
}
