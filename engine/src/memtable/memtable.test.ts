import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValueKind } from '../log/write-batch.js';
import { seededRandom } from '../testing/random.js';
import { compareKeys } from '../util/key-order.js';
import { Memtable, type MemtableEntry } from './memtable.js';

const utf8 = (s: string) => Buffer.byteLength(s);

function put(m: Memtable, sequence: number, key: string, value: string, keepOlder = false): void {
  m.add(sequence, ValueKind.Put, key, utf8(key), value, utf8(value), keepOlder);
}

function collectAll(
  m: Memtable,
  from: string | undefined,
  inclusive: boolean,
  reverse: boolean,
  snapshot = Infinity,
  max = Infinity,
): string[] {
  const out: MemtableEntry[] = [];
  m.collect(from, inclusive, reverse, snapshot, max, out);
  return out.map((e) => e.key);
}

describe('Memtable', () => {
  test('keys written after a scan read are in the next read, in code point order', () => {
    const m = new Memtable(1);
    put(m, 1, 'm', 'v');
    put(m, 2, 'c', 'v');
    assert.deepEqual(collectAll(m, undefined, true, false), ['c', 'm']);
    // '\u{1F600}' is a surrogate pair, which UTF-16 order puts below '\uFFFD'; code point order puts it above.
    put(m, 3, '\u{1F600}', 'v');
    put(m, 4, '\uFFFD', 'v');
    put(m, 5, 'a', 'v');
    assert.deepEqual(collectAll(m, undefined, true, false), ['a', 'c', 'm', '\uFFFD', '\u{1F600}']);
    assert.deepEqual(collectAll(m, undefined, true, true), ['\u{1F600}', '\uFFFD', 'm', 'c', 'a']);
  });

  test('entries() of a memtable never read in order lists every key once, in order, with its newest value', () => {
    const m = new Memtable(1);
    put(m, 1, 'b', 'old');
    put(m, 2, 'a', 'x');
    put(m, 3, 'b', 'new');
    m.add(4, ValueKind.Delete, 'c', 1, '', 0, false);
    assert.deepEqual(
      [...m.entries()].map((e) => [e.key, e.sequence, e.kind, e.value]),
      [
        ['a', 2, ValueKind.Put, 'x'],
        ['b', 3, ValueKind.Put, 'new'],
        ['c', 4, ValueKind.Delete, ''],
      ],
    );
    assert.equal(m.size, 3);
    assert.equal(m.tombstones, 1);
  });

  test('a scan snapshot does not see keys added after it, even ones not yet ordered', () => {
    const m = new Memtable(1);
    put(m, 1, 'a', '1');
    put(m, 2, 'b', '2', true);
    put(m, 3, 'b', '3', true);
    put(m, 4, 'c', '4', true);
    const out: MemtableEntry[] = [];
    m.collect(undefined, true, false, 2, Infinity, out);
    assert.deepEqual(
      out.map((e) => [e.key, e.value]),
      [
        ['a', '1'],
        ['b', '2'],
      ],
    );
  });

  test('more new keys than are ever left out of the tree, read in order after every write or only at the end, come out in order', () => {
    // 40,000 keys: more than twice what the memtable leaves out of its tree at once, so writes move keys into it as they go.
    const random = seededRandom(7);
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${Math.floor(random() * 1e9)}-${i}`);
    const sorted = [...keys].sort(compareKeys);
    const late = new Memtable(1);
    keys.forEach((k, i) => put(late, i + 1, k, 'v'));
    assert.deepEqual(collectAll(late, undefined, true, false), sorted);
    assert.deepEqual(collectAll(late, sorted[20_000], false, true, Infinity, 3), [sorted[19_999], sorted[19_998], sorted[19_997]]);
    assert.equal([...late.entries()].length, keys.length);
    const early = new Memtable(1);
    keys.forEach((k, i) => {
      put(early, i + 1, k, 'v');
      if (i % 9_999 === 0) assert.equal(collectAll(early, undefined, true, false).length, i + 1);
    });
    assert.deepEqual(collectAll(early, undefined, true, false), sorted);
  });

  test('random writes interleaved with bounded reads agree with a sorted model', () => {
    const random = seededRandom(20261203);
    const alphabet = ['a', 'b', 'z', '\u00e9', '\uFFFD', '\u{1F600}', '\u0000'];
    const randomKey = () =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const m = new Memtable(1);
    const model = new Map<string, string>();
    for (let sequence = 1; sequence <= 3000; sequence++) {
      const key = randomKey();
      const value = `v${sequence}`;
      put(m, sequence, key, value);
      model.set(key, value);
      if (random() < 0.05) {
        const from = randomKey();
        const reverse = random() < 0.5;
        const inclusive = random() < 0.5;
        const sorted = [...model.keys()].sort(compareKeys);
        const expected = (reverse ? sorted.reverse() : sorted)
          .filter((k) => {
            const c = compareKeys(k, from);
            return reverse ? c < 0 || (inclusive && c === 0) : c > 0 || (inclusive && c === 0);
          })
          .slice(0, 10);
        assert.deepEqual(
          collectAll(m, from, inclusive, reverse, Infinity, 10),
          expected,
          `after ${sequence} writes, from ${JSON.stringify(from)}`,
        );
      }
    }
    const sorted = [...model.keys()].sort(compareKeys);
    assert.deepEqual(
      [...m.entries()].map((e) => [e.key, e.value]),
      sorted.map((k) => [k, model.get(k)]),
    );
    assert.equal(m.size, model.size);
  });
});
