/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TableShape } from '../../../shared/model/history';
import { MIN_HEIGHT, assignLanes, layoutLevels, overlapping } from './layout';
import { keyScale } from './scale';

const t = (id: number, level: number, minKey: string, maxKey: string, bytes = 100, tombstones = 0): TableShape => ({
  id,
  level,
  bytes,
  entries: 10,
  tombstones,
  minKey,
  maxKey,
});

test('overlapping spans stack in lanes, disjoint ones share a lane', () => {
  const { lanes, count } = assignLanes([
    [0, 0.5],
    [0.4, 0.9],
    [0.6, 1],
    [0.1, 0.3],
  ]);
  assert.deepEqual(lanes, [0, 1, 0, 1]);
  assert.equal(count, 2);
});

test('L0 stacks its overlapping tables; deeper levels stay one row; heights follow bytes', () => {
  const levels = [
    [t(9, 0, 'a', 'm', 400), t(8, 0, 'c', 'z', 200)],
    [t(3, 1, 'a', 'f', 40, 5), t(4, 1, 'g', 'z', 400)],
  ];
  const placed = layoutLevels(levels, keyScale(levels.flat()));
  assert.equal(placed[0]!.lanes, 2);
  assert.deepEqual(
    placed[0]!.tables.map((p) => p.lane),
    [0, 1],
  );
  assert.equal(placed[1]!.lanes, 1);
  assert.equal(placed[0]!.tables[0]!.height, 1);
  assert.equal(placed[0]!.tables[1]!.height, Math.sqrt(0.5));
  assert.equal(placed[1]!.tables[0]!.height, Math.max(MIN_HEIGHT, Math.sqrt(0.1)));
  assert.equal(placed[1]!.tables[0]!.tombstoneShare, 0.5);
  assert.ok(placed[1]!.tables[0]!.x1 <= placed[1]!.tables[1]!.x0);
});

test('overlapping() finds shared keys between tables of a level', () => {
  assert.equal(overlapping([t(1, 1, 'a', 'c'), t(2, 1, 'd', 'f')]), false);
  assert.equal(overlapping([t(1, 1, 'a', 'd'), t(2, 1, 'd', 'f')]), true);
  assert.equal(overlapping([]), false);
});

test('rowGeometry stacks rows and shrinks L0 lanes past its maximum', async () => {
  const { rowGeometry } = await import('./layout');
  const placed = [
    { level: 0, lanes: 10, tables: [] },
    { level: 1, lanes: 1, tables: [] },
  ];
  const g = rowGeometry(placed, 30, 10, 150, 5);
  assert.equal(g.rows[0]!.height, 160);
  assert.equal(g.rows[0]!.laneHeight, 15);
  assert.equal(g.rows[1]!.y, 170);
  assert.equal(g.height, 170 + 40);
});
