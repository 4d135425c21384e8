/**
 * The common key-space scale of the Levels view. Keys are strings of any
 * shape, so there is no numeric axis to use; instead every table boundary
 * key across all levels gets a slot, in sorted order. A table spans the
 * slots from its min key to its max key, so two tables overlap on screen
 * exactly when their key ranges overlap, and an L1 table drawn under four L0
 * tables is visibly the one they will be merged into.
 */
export interface KeyScale {
  /** Sorted unique boundary keys. */
  readonly keys: readonly string[];
  /** [start, end) of a key range as fractions of the width, at least one slot wide. */
  span(minKey: string, maxKey: string): [number, number];
  /** Where a key falls (between slots when it is not a boundary), 0..1. */
  at(key: string): number;
}

/** Code-unit order; matches the engine's UTF-8 byte order for every key outside the surrogate range. */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Index of the first key >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function keyScale(ranges: Iterable<{ minKey: string; maxKey: string }>): KeyScale {
  const set = new Set<string>();
  for (const r of ranges) {
    set.add(r.minKey);
    set.add(r.maxKey);
  }
  const keys = [...set].sort(compareKeys);
  const n = Math.max(keys.length, 1);
  const slot = (key: string) => lowerBound(keys, key);
  return {
    keys,
    span(minKey, maxKey) {
      const i = slot(minKey);
      const j = Math.max(i, keys[slot(maxKey)] === maxKey ? slot(maxKey) : slot(maxKey) - 1);
      return [i / n, (j + 1) / n];
    },
    at(key) {
      const i = slot(key);
      // A boundary key sits in the middle of its slot; any other key on the line between slots.
      return keys[i] === key ? (i + 0.5) / n : i / n;
    },
  };
}
