import { OrderedMap } from 'js-sdsl';
import { ValueKind } from '../log/write-batch.js';
import { nativeCompare, sortableKey } from '../util/key-order.js';

/**
 * The sorted in-memory table, on js-sdsl's red-black OrderedMap.
 *
 * The tree is keyed by sortableKey(key), so it can use JavaScript's native
 * string comparison (several times faster than a code-point comparator) and
 * still order keys by code point. A hash map beside it answers point
 * lookups and overwrites without walking the tree.
 *
 * New keys reach the tree lazily: a write parks them in a list, and the first
 * ordered read (a scan, or a flush from memory) inserts them. A memtable that
 * is only written and then flushed on the flush thread, which rebuilds the
 * order from the WAL, never builds its tree at all; that was the largest cost
 * of a put. A scan interleaved with writes inserts the same keys it would
 * have inserted eagerly, so no workload pays more in all. What is bounded is
 * the pause: an insert costs ~2 µs, so a first scan after 300,000 parked keys
 * (a large memtable) would block for over a second. Past MAX_PARKED keys,
 * each write inserts the oldest parked key, and a scan inserts at most that
 * many (30-80 ms measured, the more the larger the tree). The default 4 MiB
 * memtable of db_bench's entries (~21k keys) stays mostly parked.
 *
 * Each key maps to a chain of versions, newest first. While no scan holds a
 * snapshot, a write simply replaces the newest version, so overwrites cost no
 * memory. While a scan is open, older versions are kept so the scan keeps
 * seeing the store as it was when it started.
 */
export interface Version {
  readonly key: string;
  sequence: number;
  kind: ValueKind;
  value: string;
  /** UTF-8 length of value, so replacing it adjusts the size by what it really held. */
  valueBytes: number;
  older: Version | undefined;
}

/** Rough per-entry bookkeeping cost, so the memtable limit tracks real memory. */
const ENTRY_OVERHEAD = 96;

/** Most keys left out of the tree at once: what the first ordered read may have to insert. */
const MAX_PARKED = 16_384;

export class Memtable {
  private readonly map = new OrderedMap<string, Version>([], nativeCompare, false);
  private readonly byKey = new Map<string, Version>();
  /** Keys in byKey but not yet in the tree: parked[parkedFrom] onwards, oldest first. */
  private parked: (Version | undefined)[] = [];
  private parkedFrom = 0;
  private bytes = 0;
  private count = 0;
  private tombstoneCount = 0;
  minSequence = Infinity;
  maxSequence = 0;

  /** @param walNumber the WAL file that holds this memtable's writes. */
  constructor(readonly walNumber: number) {}

  get approximateBytes(): number {
    return this.bytes;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count;
  }

  get tombstones(): number {
    return this.tombstoneCount;
  }

  /**
   * @param keepOlder true while a snapshot may still need the version being
   *   replaced.
   */
  add(sequence: number, kind: ValueKind, key: string, keyBytes: number, value: string, valueBytes: number, keepOlder: boolean): void {
    if (sequence < this.minSequence) this.minSequence = sequence;
    if (sequence > this.maxSequence) this.maxSequence = sequence;
    const existing = this.byKey.get(key);
    if (existing === undefined) {
      const version: Version = { key, sequence, kind, value, valueBytes, older: undefined };
      this.byKey.set(key, version);
      this.park(version);
      this.count++;
      if (kind === ValueKind.Delete) this.tombstoneCount++;
      this.bytes += keyBytes + valueBytes + ENTRY_OVERHEAD;
      return;
    }
    if (existing.kind === ValueKind.Delete) this.tombstoneCount--;
    if (kind === ValueKind.Delete) this.tombstoneCount++;
    if (keepOlder) {
      existing.older = {
        key,
        sequence: existing.sequence,
        kind: existing.kind,
        value: existing.value,
        valueBytes: existing.valueBytes,
        older: existing.older,
      };
      this.bytes += valueBytes + ENTRY_OVERHEAD;
    } else {
      this.bytes += valueBytes - existing.valueBytes;
    }
    existing.sequence = sequence;
    existing.kind = kind;
    existing.value = value;
    existing.valueBytes = valueBytes;
  }

  /** The newest version of `key`, or undefined if the memtable has none. */
  get(key: string): Version | undefined {
    return this.byKey.get(key);
  }

  /**
   * Up to `max` entries at or after `from` (forward) or at or before it
   * (reverse), visible at `snapshot`. Each call seeks afresh, so iteration
   * is safe while writes keep arriving.
   */
  collect(from: string | undefined, inclusive: boolean, reverse: boolean, snapshot: number, max: number, out: MemtableEntry[]): void {
    const map = this.ordered();
    if (!reverse) {
      const at = from === undefined ? undefined : sortableKey(from);
      const it = at === undefined ? map.begin() : inclusive ? map.lowerBound(at) : map.upperBound(at);
      while (out.length < max && it.isAccessible()) {
        visible(it.pointer, snapshot, out);
        it.next();
      }
      return;
    }
    // js-sdsl's bound searches return forward iterators; walk them with pre().
    const at = from === undefined ? undefined : sortableKey(from);
    const it =
      at === undefined
        ? map.length === 0
          ? map.end()
          : map.end().pre()
        : inclusive
          ? map.reverseLowerBound(at)
          : map.reverseUpperBound(at);
    const first = map.begin();
    while (out.length < max && it.isAccessible()) {
      visible(it.pointer, snapshot, out);
      if (it.equals(first)) break;
      it.pre();
    }
  }

  /** Leaves a new key out of the tree, unless that would leave more than MAX_PARKED out: then the oldest goes in. */
  private park(version: Version): void {
    const parked = this.parked;
    parked.push(version);
    if (parked.length - this.parkedFrom <= MAX_PARKED) return;
    this.insert(parked[this.parkedFrom]!);
    parked[this.parkedFrom++] = undefined;
    if (this.parkedFrom >= MAX_PARKED) {
      this.parked = parked.slice(this.parkedFrom);
      this.parkedFrom = 0;
    }
  }

  /** The tree, with every key written so far. */
  private ordered(): OrderedMap<string, Version> {
    const parked = this.parked;
    if (parked.length > this.parkedFrom) {
      for (let i = this.parkedFrom; i < parked.length; i++) this.insert(parked[i]!);
      this.parked = [];
      this.parkedFrom = 0;
    }
    return this.map;
  }

  private insert(version: Version): void {
    this.map.setElement(sortableKey(version.key), version);
  }

  /** Every key's version visible at `snapshot`, in key order (used by flush). */
  *entries(snapshot = Infinity): Generator<MemtableEntry> {
    for (const [, newest] of this.ordered()) {
      const entry = visibleAt(newest, snapshot);
      if (entry !== undefined) yield entry;
    }
  }
}

/** The newest version of a key's chain at or below `snapshot`, as an entry. */
function visibleAt(newest: Version, snapshot: number): MemtableEntry | undefined {
  let version: Version | undefined = newest;
  while (version !== undefined && version.sequence > snapshot) version = version.older;
  return version === undefined ? undefined : { key: newest.key, sequence: version.sequence, kind: version.kind, value: version.value };
}

function visible([, newest]: [string, Version], snapshot: number, out: MemtableEntry[]): void {
  const entry = visibleAt(newest, snapshot);
  if (entry !== undefined) out.push(entry);
}

export interface MemtableEntry {
  key: string;
  sequence: number;
  kind: ValueKind;
  value: string;
}
