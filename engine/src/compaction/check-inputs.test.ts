/**
 * A compaction's inputs are checked against the current Version before it
 * starts: every pick the picker makes passes, and a pick that would lose or
 * resurrect data is CORRUPTION.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_OPTIONS } from '../options/options.js';
import { isStorageError } from '../testing/storage-error.js';
import { seededRandom } from '../testing/random.js';
import type { TableSummary } from '../version/table-summary.js';
import { Version } from '../version/version.js';
import { checkInputs } from './check-inputs.js';
import { pickCompaction, pickManual, type PickedCompaction, span } from './picker.js';

const LEVELS = 4;

/** A random consistent Version: L0 tables anywhere, each deeper level's tables disjoint and sorted. */
function randomVersion(rand: () => number): Version {
  const key = (i: number) => `k${String(i).padStart(3, '0')}`;
  let id = 1;
  const tables: TableSummary[] = [];
  const table = (level: number, lo: number, hi: number): TableSummary => ({
    id: id++,
    level,
    bytes: 1000 + Math.floor(rand() * 100_000),
    entries: 10,
    tombstones: 0,
    minKey: key(lo),
    maxKey: key(hi),
    minSequence: 0,
    maxSequence: id,
  });
  for (let i = Math.floor(rand() * 6); i > 0; i--) {
    const lo = Math.floor(rand() * 90);
    tables.push(table(0, lo, lo + Math.floor(rand() * 10)));
  }
  for (let level = 1; level < LEVELS; level++) {
    for (let at = Math.floor(rand() * 10); at < 100; at += 2 + Math.floor(rand() * 25)) {
      const hi = Math.min(99, at + Math.floor(rand() * 10));
      tables.push(table(level, at, hi));
      at = hi;
    }
  }
  return Version.empty(LEVELS).apply([], tables);
}

function picksOf(version: Version, rand: () => number): PickedCompaction[] {
  const picks: PickedCompaction[] = [];
  const auto = pickCompaction(version, { ...DEFAULT_OPTIONS, level0CompactionTrigger: 2, level1TargetBytes: 1024 }, {});
  if (auto) picks.push(auto);
  for (let level = 0; level < LEVELS - 1; level++) {
    const a = `k${String(Math.floor(rand() * 100)).padStart(3, '0')}`;
    const b = `k${String(Math.floor(rand() * 100)).padStart(3, '0')}`;
    const manual = pickManual(version, level, a < b ? { gte: a, lt: b } : {});
    if (manual) picks.push(manual);
  }
  return picks;
}

const corrupt = (re: RegExp) =>
  isStorageError('CORRUPTION', new RegExp(`^compaction inputs in /dir do not match the current version: ${re.source}$`));

describe('compaction inputs, checked before the merge starts', () => {
  test('every pick the picker makes from a consistent Version passes (random versions, seed 4)', () => {
    const rand = seededRandom(4);
    let picks = 0;
    for (let round = 0; round < 500; round++) {
      const version = randomVersion(rand);
      version.check(Number.MAX_SAFE_INTEGER);
      for (const picked of picksOf(version, rand)) {
        checkInputs(picked, version, '/dir');
        picks++;
      }
    }
    assert.ok(picks > 500, `${picks} picks checked`);
  });

  test('a pick that leaves out an overlapping table, names a table the Version lacks, or is out of order is CORRUPTION', () => {
    const rand = seededRandom(5);
    const tried = new Set<string>();
    for (let round = 0; round < 300; round++) {
      const version = randomVersion(rand);
      for (const picked of picksOf(version, rand)) {
        const [upper, lower] = picked.inputs;
        const withInputs = (u: TableSummary[], l: TableSummary[]): PickedCompaction => ({
          ...picked,
          inputs: [
            { level: upper.level, files: u },
            { level: lower.level, files: l },
          ],
        });
        if (lower.files.length > 0) {
          tried.add('output level table left out');
          assert.throws(
            () => checkInputs(withInputs(upper.files, lower.files.slice(1)), version, '/dir'),
            corrupt(/L\d table \d+ overlaps the inputs but is not one of them/),
          );
        }
        if (upper.level === 0 && upper.files.length > 1) {
          // Leaving out an L0 table is wrong only where its keys meet the others' (an older one would shadow the output).
          const meets = upper.files.findIndex((f, i) => {
            const [lo, hi] = span(upper.files.filter((_, j) => j !== i));
            return f.maxKey >= lo && f.minKey <= hi;
          });
          if (meets >= 0) {
            tried.add('L0 table left out');
            const rest = upper.files.filter((_, j) => j !== meets);
            assert.throws(
              () => checkInputs(withInputs(rest, lower.files), version, '/dir'),
              corrupt(/L0 table \d+ overlaps the L0 inputs but is not one of them/),
            );
          }
          tried.add('out of order');
          assert.throws(
            () => checkInputs(withInputs([...upper.files].reverse(), lower.files), version, '/dir'),
            corrupt(/L0 input table \d+ is out of order/),
          );
        }
        tried.add('not in the version');
        const stranger = { ...upper.files[0], id: 9999 };
        assert.throws(
          () => checkInputs(withInputs([...upper.files, stranger], lower.files), version, '/dir'),
          corrupt(/L\d input table 9999 is not in L\d as given/),
        );
        tried.add('changed since picked');
        const grown = { ...upper.files[0], bytes: upper.files[0].bytes + 1 };
        assert.throws(
          () => checkInputs(withInputs([grown, ...upper.files.slice(1)], lower.files), version, '/dir'),
          corrupt(/L\d input table \d+ is not in L\d as given/),
        );
        tried.add('wrong levels');
        assert.throws(
          () => checkInputs({ ...picked, outputLevel: picked.level + 2 }, version, '/dir'),
          corrupt(/a compaction from L\d into L\d with inputs from L\d and L\d; expected L\d into L\d, reading both/),
        );
      }
    }
    assert.equal(tried.size, 6, `every kind of bad pick was tried: ${[...tried].join(', ')}`);
  });
});
