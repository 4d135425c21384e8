/**
 * Version.check and Version.apply: the invariants every state of the tree
 * holds, against a brute-force oracle, and what apply refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { compareKeys } from '../util/key-order.js';
import type { TableSummary } from './table-summary.js';
import { Version, VersionInvariantError } from './version.js';

const LEVELS = 4;

function table(id: number, level: number, minKey: string, maxKey: string, maxSequence = id): TableSummary {
  return { id, level, bytes: 100, entries: 1, tombstones: 0, minKey, maxKey, minSequence: 0, maxSequence };
}

const violation = (re: RegExp) => (err: unknown) => err instanceof VersionInvariantError && re.test(err.message);

/** The invariants, stated plainly: every pair compared, nothing clever. */
function brokenBy(tables: readonly TableSummary[], nextFileNumber: number): string | undefined {
  for (const t of tables) {
    if (compareKeys(t.minKey, t.maxKey) > 0) return 'key range';
    if (t.id >= nextFileNumber) return 'file number';
  }
  for (const [i, a] of tables.entries()) {
    for (const b of tables.slice(i + 1)) {
      if (a.id === b.id) return 'listed twice';
      const overlap = compareKeys(a.maxKey, b.minKey) >= 0 && compareKeys(b.maxKey, a.minKey) >= 0;
      if (a.level > 0 && a.level === b.level && overlap) return 'overlap';
    }
  }
  return undefined;
}

describe('Version.check', () => {
  test('passes exactly the states a brute-force check of every pair passes (random states, seed 9)', () => {
    const rand = seededRandom(9);
    const key = () => String.fromCharCode(97 + Math.floor(rand() * 12));
    let broken = 0;
    for (let round = 0; round < 3000; round++) {
      const tables = Array.from({ length: Math.floor(rand() * 6) }, () => {
        const [a, b] = [key(), key()];
        // Now and then a reversed range; otherwise ordered.
        const [minKey, maxKey] = rand() < 0.05 || compareKeys(a, b) <= 0 ? [a, b] : [b, a];
        return table(1 + Math.floor(rand() * 8), Math.floor(rand() * LEVELS), minKey, maxKey);
      });
      const nextFileNumber = 2 + Math.floor(rand() * 9);
      const expected = brokenBy(tables, nextFileNumber);
      const version = Version.empty(LEVELS).apply([], tables);
      let thrown: unknown;
      try {
        version.check(nextFileNumber);
      } catch (err) {
        thrown = err;
      }
      if (expected === undefined) assert.equal(thrown, undefined, `round ${round}: ${JSON.stringify(tables)}`);
      else {
        broken++;
        assert.ok(thrown instanceof VersionInvariantError, `round ${round} breaks "${expected}" unnoticed: ${JSON.stringify(tables)}`);
      }
    }
    assert.ok(broken > 300 && broken < 2700, `both kinds of state were tried (${broken} broken)`);
  });

  test('names what is wrong: the overlapping tables, the table listed twice, the number too high', () => {
    const overlapping = Version.empty(LEVELS).apply([], [table(5, 1, 'a', 'm'), table(6, 1, 'k', 'z')]);
    assert.throws(() => overlapping.check(10), violation(/^L1 tables 5 \["a", "m"\] and 6 \["k", "z"\] overlap/));
    const twice = Version.empty(LEVELS).apply([], [table(5, 0, 'a', 'b'), table(5, 2, 'c', 'd')]);
    assert.throws(() => twice.check(10), violation(/^table 5 is listed twice, in L0 and in L2$/));
    const high = Version.empty(LEVELS).apply([], [table(12, 1, 'a', 'b')]);
    assert.throws(() => high.check(12), violation(/^L1 table 12 is not below the next file number 12$/));
    // L0 tables may overlap: they are ordered by age, not by key.
    Version.empty(LEVELS)
      .apply([], [table(5, 0, 'a', 'm'), table(6, 0, 'k', 'z')])
      .check(10);
  });

  test('a state built other than by apply: L0 out of age order, a deeper level out of key order, a table at the wrong level', () => {
    const l0 = new Version([[table(5, 0, 'a', 'b', 1), table(6, 0, 'a', 'b', 2)], [], [], []]);
    assert.throws(() => l0.check(10), violation(/^L0 is not newest first: table 5/));
    const unsorted = new Version([[], [table(5, 1, 'm', 'n'), table(6, 1, 'a', 'b')], [], []]);
    assert.throws(() => unsorted.check(10), violation(/^L1 tables 5 .* and 6 .* overlap or are out of key order$/));
    const misplaced = new Version([[], [], [table(5, 1, 'a', 'b')], []]);
    assert.throws(() => misplaced.check(10), violation(/^L2 table 5 says it belongs to L1$/));
  });
});

describe('Version.apply', () => {
  test('refuses to delete a table that is not at the level named, and leaves the Version as it was', () => {
    const v = Version.empty(LEVELS).apply([], [table(5, 1, 'a', 'b'), table(6, 0, 'c', 'd')]);
    assert.throws(
      () =>
        v.apply(
          [
            { level: 1, id: 5 },
            { level: 1, id: 6 },
          ],
          [],
        ),
      violation(/^deletes table 6 from L1, which does not hold it$/),
    );
    assert.throws(() => v.apply([{ level: 2, id: 7 }], []), violation(/^deletes table 7 from L2/));
    assert.deepEqual(
      [...v.files()].map((f) => f.id),
      [6, 5],
    );
    // A move deletes and re-adds in one edit.
    const moved = v.apply([{ level: 1, id: 5 }], [table(5, 2, 'a', 'b')]);
    assert.deepEqual(
      moved.levels.map((files) => files.map((f) => f.id)),
      [[6], [], [5], []],
    );
  });
});
