/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TableShape } from '../../../shared/model/stats';
import { assignLanes, layoutLevels, MIN_HEIGHT, overlapping, rowGeometry, type PlacedLevel, type PlacedTable } from './layout';
import { keyScale } from './scale';

// Properties of the Levels view's layout, over many random trees (seeded:
// a failure names the seed that shows it). L0 tables have any key ranges;
// deeper levels hold sorted, disjoint ranges, as a healthy tree does.

const SEEDS = 300;

/** A deterministic generator: a seeded linear congruential sequence in [0, 1). */
function generator(seed: number): { int(n: number): number; chance(p: number): boolean } {
  let s = seed >>> 0 || 1;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { int: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

const key = (n: number): string => `k${String(n).padStart(4, '0')}`;

function randomTree(seed: number): TableShape[][] {
  const r = generator(seed);
  let id = 1;
  const table = (level: number, lo: number, hi: number): TableShape => {
    const entries = r.int(1000);
    return { id: id++, level, bytes: 1 + r.int(10_000_000), entries, tombstones: r.int(entries + 1), minKey: key(lo), maxKey: key(hi) };
  };
  const l0 = Array.from({ length: r.int(9) }, () => {
    const a = r.int(1000);
    const b = r.int(1000);
    return table(0, Math.min(a, b), Math.max(a, b));
  });
  const deeper = Array.from({ length: 1 + r.int(4) }, (_, i) => {
    // Sorted distinct keys, taken one (a single-key table) or two (a range) at a time: disjoint ranges in key order.
    const points = [...new Set(Array.from({ length: r.int(30) }, () => r.int(10_000)))].sort((a, b) => a - b);
    const tables: TableShape[] = [];
    for (let p = 0; p < points.length;) {
      const single = r.chance(0.2) || p + 1 === points.length;
      tables.push(table(i + 1, points[p]!, points[single ? p : p + 1]!));
      p += single ? 1 : 2;
    }
    return tables;
  });
  return [l0, ...deeper];
}

function layout(levels: TableShape[][]): PlacedLevel[] {
  return layoutLevels(levels, keyScale(levels.flat()));
}

const keysOverlap = (a: TableShape, b: TableShape): boolean => a.minKey <= b.maxKey && b.minKey <= a.maxKey;
const boxesOverlap = (a: PlacedTable, b: PlacedTable): boolean => a.x0 < b.x1 && b.x0 < a.x1;

function forEachTree(check: (placed: PlacedLevel[], levels: TableShape[][], seed: number) => void): void {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const levels = randomTree(seed);
    check(layout(levels), levels, seed);
  }
}

test('two tables overlap on screen exactly when their key ranges overlap, in any two levels', () => {
  forEachTree((placed, _, seed) => {
    const all = placed.flatMap((p) => p.tables);
    for (const a of all)
      for (const b of all) {
        if (a === b) continue;
        assert.equal(boxesOverlap(a, b), keysOverlap(a.table, b.table), `seed ${seed}: tables ${a.table.id} and ${b.table.id}`);
      }
  });
});

test('keys map left to right: a table whose keys all sort before another ends where or before that one starts', () => {
  forEachTree((placed, _, seed) => {
    const all = placed.flatMap((p) => p.tables);
    for (const a of all)
      for (const b of all)
        if (a.table.maxKey < b.table.minKey) assert.ok(a.x1 <= b.x0, `seed ${seed}: table ${a.table.id} is drawn past ${b.table.id}`);
  });
});

test('within L1 and deeper, boxes never overlap: one lane, in key order', () => {
  forEachTree((placed, _, seed) => {
    for (const level of placed.slice(1)) {
      assert.equal(level.lanes, 1, `seed ${seed}: L${level.level} has one lane`);
      const sorted = [...level.tables].sort((a, b) => (a.table.minKey < b.table.minKey ? -1 : 1));
      for (let i = 1; i < sorted.length; i++)
        assert.ok(
          sorted[i - 1]!.x1 <= sorted[i]!.x0,
          `seed ${seed}: L${level.level} tables ${sorted[i - 1]!.table.id} and ${sorted[i]!.table.id}`,
        );
      assert.ok(
        level.tables.every((t) => t.lane === 0),
        `seed ${seed}: L${level.level} uses lane 0 only`,
      );
    }
  });
});

test('every table is visible: inside its row, at least one key slot (1/(2 × tables)) wide, and at least MIN_HEIGHT tall', () => {
  forEachTree((placed, levels, seed) => {
    const count = levels.flat().length;
    for (const t of placed.flatMap((p) => p.tables)) {
      assert.ok(t.x0 >= 0 && t.x1 <= 1, `seed ${seed}: table ${t.table.id} at [${t.x0}, ${t.x1})`);
      assert.ok(t.x1 - t.x0 >= 1 / (2 * count) - 1e-12, `seed ${seed}: table ${t.table.id} is ${t.x1 - t.x0} wide`);
      assert.ok(t.height >= MIN_HEIGHT && t.height <= 1, `seed ${seed}: table ${t.table.id} height ${t.height}`);
    }
  });
});

test('height grows with size: the largest table is full height, and no table is shorter than a smaller one', () => {
  forEachTree((placed, _, seed) => {
    const all = placed.flatMap((p) => p.tables);
    if (all.length === 0) return;
    const largest = Math.max(...all.map((t) => t.table.bytes));
    for (const a of all) {
      if (a.table.bytes === largest) assert.equal(a.height, 1, `seed ${seed}: the largest table, ${a.table.id}`);
      for (const b of all)
        if (a.table.bytes >= b.table.bytes) assert.ok(a.height >= b.height, `seed ${seed}: ${a.table.id} is larger than ${b.table.id}`);
    }
  });
});

test('the tombstone share runs from 0 (no tombstones) to 1 (nothing else), and grows with the tombstones', () => {
  forEachTree((placed, _, seed) => {
    for (const t of placed.flatMap((p) => p.tables)) {
      const { tombstones, entries, id } = t.table;
      assert.ok(t.tombstoneShare >= 0 && t.tombstoneShare <= 1, `seed ${seed}: table ${id}`);
      assert.equal(t.tombstoneShare === 0, tombstones === 0, `seed ${seed}: table ${id} has ${tombstones} tombstones`);
      assert.equal(t.tombstoneShare === 1, tombstones === entries && entries > 0, `seed ${seed}: table ${id}, all tombstones`);
    }
  });
  const share = (tombstones: number) =>
    layout([[{ id: 1, level: 0, bytes: 1, entries: 10, tombstones, minKey: 'a', maxKey: 'b' }]])[0]!.tables[0]!.tombstoneShare;
  for (let n = 1; n <= 10; n++) assert.ok(share(n) > share(n - 1), `${n} tombstones of 10`);
});

test('L0 stacks overlapping tables in lanes: the newest on top, each in the first lane it fits, as many lanes as tables may hold one key', () => {
  forEachTree((placed, levels, seed) => {
    const [l0] = placed;
    const tables = l0!.tables;
    if (tables.length === 0) return assert.equal(l0!.lanes, 1, `seed ${seed}: an empty L0 still has its row`);
    assert.equal(tables[0]!.lane, 0, `seed ${seed}: the newest table is on top`);
    tables.forEach((t, i) => {
      const newer = tables.slice(0, i);
      assert.ok(
        newer.every((n) => n.lane !== t.lane || !keysOverlap(n.table, t.table)),
        `seed ${seed}: table ${t.table.id} shares lane ${t.lane} with a table it overlaps`,
      );
      for (let lane = 0; lane < t.lane; lane++)
        assert.ok(
          newer.some((n) => n.lane === lane && keysOverlap(n.table, t.table)),
          `seed ${seed}: table ${t.table.id} would fit in lane ${lane}`,
        );
    });
    assert.equal(l0!.lanes, Math.max(...tables.map((t) => t.lane)) + 1, `seed ${seed}: lane count`);
    // A read of a key searches every L0 table holding it: at least that many lanes stack there.
    for (const k of levels[0]!.flatMap((t) => [t.minKey, t.maxKey])) {
      const holding = levels[0]!.filter((t) => t.minKey <= k && k <= t.maxKey).length;
      assert.ok(l0!.lanes >= holding, `seed ${seed}: ${holding} tables hold ${k}, ${l0!.lanes} lanes`);
    }
  });
});

test('overlapping() says whether any two tables of a level share a key', () => {
  forEachTree((_, levels, seed) => {
    for (const files of levels) {
      const any = files.some((a, i) => files.some((b, j) => i !== j && keysOverlap(a, b)));
      assert.equal(overlapping(files), any, `seed ${seed}: L${files[0]?.level}`);
    }
  });
  assert.equal(overlapping([]), false);
});

test('assignLanes: spans that touch end to start share a lane', () => {
  assert.deepEqual(
    assignLanes([
      [0, 0.5],
      [0.5, 1],
    ]),
    { lanes: [0, 0], count: 1 },
  );
  assert.deepEqual(assignLanes([]), { lanes: [], count: 1 });
});

test('rowGeometry: rows stack in level order without touching, each holds its lanes, and a tall L0 shrinks its lanes to fit its maximum', () => {
  const r = generator(7);
  for (let i = 0; i < SEEDS; i++) {
    const placed = Array.from({ length: 1 + r.int(6) }, (_, level) => ({ level, lanes: level === 0 ? 1 + r.int(40) : 1, tables: [] }));
    const [laneHeight, gap, maxL0, pad] = [10 + r.int(40), r.int(30), 50 + r.int(200), r.int(10)];
    const g = rowGeometry(placed, laneHeight, gap, maxL0, pad);
    g.rows.forEach((row, level) => {
      assert.equal(row.level, level);
      const lanes = placed[level]!.lanes;
      assert.ok(Math.abs(row.laneHeight * lanes + 2 * pad - row.height) < 1e-9, `case ${i}: L${level}'s lanes fill its row`);
      assert.ok(row.laneHeight <= laneHeight + 1e-9, `case ${i}: L${level}'s lanes are never taller than asked`);
      if (lanes * laneHeight <= Math.max(laneHeight, maxL0)) assert.equal(row.laneHeight, laneHeight, `case ${i}: L${level} fits unshrunk`);
      else assert.ok(row.height <= maxL0 + 2 * pad + 1e-9, `case ${i}: L0 of ${lanes} lanes stays within its maximum`);
      if (level > 0)
        assert.equal(row.y, g.rows[level - 1]!.y + g.rows[level - 1]!.height + gap, `case ${i}: L${level} follows after the gap`);
    });
    const last = g.rows.at(-1)!;
    assert.equal(g.height, last.y + last.height, `case ${i}: the height ends with the last row`);
  }
});
