/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollectionStats } from '@strata/engine';
import type { EngineEvent, HistoryStep } from '../../../shared/ipc/types';
import { emptyHistory, flowOf, historyReducer, MAX_STEPS, stepKey } from './history';

const stats = (userBytes: number, l0: number[] = []): CollectionStats =>
  ({
    totals: { userBytesWritten: userBytes, writeAmplification: 1.5 },
    levels: [
      { level: 0, bytes: l0.length * 10, files: l0.map((id) => ({ id, bytes: 10, entries: 1, tombstones: 0, minKey: 'a', maxKey: 'b' })) },
      { level: 1, bytes: 0, files: [] },
    ],
  }) as unknown as CollectionStats;

const flushEnd = (id: number, at: number): EngineEvent => ({
  type: 'flush-end',
  at,
  payload: { id, startedAt: at - 5, reason: 'memtable-full', memtableBytes: 100, durationMs: 5, outputs: [{ id, level: 0, bytes: 10 }] },
});

test('flushes and compactions become steps; the last one carries the pushed tree', () => {
  const s = historyReducer(emptyHistory, {
    type: 'push',
    events: [flushEnd(5, 1000), { type: 'compaction-progress', at: 1001, payload: {} }, flushEnd(6, 1002)],
    stats: stats(500, [6, 5]),
    now: 1002,
  });
  assert.deepEqual(
    s.steps.map((x) => x.kind),
    ['flush', 'flush'],
  );
  assert.equal(s.steps[0]!.levels, null);
  assert.deepEqual(
    s.steps[1]!.levels![0]!.map((t) => t.id),
    [6, 5],
  );
  assert.equal(s.samples.length, 1);
});

test('samples are taken at most once a second', () => {
  let s = historyReducer(emptyHistory, { type: 'push', events: [], stats: stats(1), now: 10_000 });
  s = historyReducer(s, { type: 'push', events: [], stats: stats(2), now: 10_400 });
  assert.equal(s.samples.length, 1);
  s = historyReducer(s, { type: 'push', events: [], stats: stats(3), now: 11_000 });
  assert.equal(s.samples.length, 2);
});

test('a push that changes nothing returns the same state (no re-render)', () => {
  const s = historyReducer(emptyHistory, { type: 'push', events: [], stats: stats(1), now: 10_000 });
  assert.equal(historyReducer(s, { type: 'push', events: [], stats: stats(1), now: 10_100 }), s);
});

test('a stall end is remembered for the banner', () => {
  const s = historyReducer(emptyHistory, {
    type: 'push',
    events: [{ type: 'write-stall', at: 5, payload: { phase: 'end', reason: 'level0-stop', durationMs: 240, endedAt: 5 } }],
    stats: null,
    now: 5,
  });
  assert.deepEqual(s.lastStall, { durationMs: 240, reason: 'level0-stop', endedAt: 5 });
  assert.equal(s.steps[0]!.kind, 'stall');
});

test('the loaded history keeps steps pushed while it was in flight, without duplicates', () => {
  const pushed = historyReducer(emptyHistory, { type: 'push', events: [flushEnd(5, 1000), flushEnd(6, 2000)], stats: null, now: 0 });
  const server: HistoryStep = { ...pushed.steps[0]!, seq: 1, levels: [[]] };
  const s = historyReducer(pushed, { type: 'loaded', history: { steps: [server], samples: [] } });
  assert.deepEqual(s.steps.map(stepKey), pushed.steps.map(stepKey));
  assert.deepEqual(s.steps[0]!.levels, [[]]);
});

test('steps are capped', () => {
  const events = Array.from({ length: MAX_STEPS + 10 }, (_, i) => flushEnd(i + 1, i));
  const s = historyReducer(emptyHistory, { type: 'push', events, stats: null, now: 0 });
  assert.equal(s.steps.length, MAX_STEPS);
  assert.equal(s.steps[0]!.detail.id, 11);
});

test('flowOf summarises inputs and outputs per level', () => {
  const step: HistoryStep = {
    seq: 1,
    at: 0,
    kind: 'compaction',
    levels: null,
    detail: {
      reason: 'level0-files',
      durationMs: 30,
      inputTables: [
        { id: 1, level: 0, bytes: 10 },
        { id: 2, level: 0, bytes: 10 },
        { id: 3, level: 1, bytes: 30 },
      ],
      outputs: [{ id: 4, level: 1, bytes: 45 }],
    },
  };
  const f = flowOf(step);
  assert.deepEqual(f.inputs, [
    { level: 0, files: 2, bytes: 20 },
    { level: 1, files: 1, bytes: 30 },
  ]);
  assert.deepEqual(f.outputs, [{ level: 1, files: 1, bytes: 45 }]);
  assert.equal(f.bytesIn, 50);
  assert.equal(f.bytesOut, 45);
  assert.equal(f.durationMs, 30);
});
