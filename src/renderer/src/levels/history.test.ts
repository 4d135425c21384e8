/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompactionEnd, EngineEvent } from '../../../shared/model/events';
import { MAX_STEPS, type HistoryStep } from '../../../shared/model/history';
import type { CollectionStats, TableStats } from '../../../shared/model/stats';
import { emptyHistory, flowOf, historyReducer, stepKey } from './history';

const table = (id: number, level: number, bytes = 10): TableStats => ({
  id,
  level,
  bytes,
  entries: 1,
  tombstones: 0,
  minKey: 'a',
  maxKey: 'b',
  minSequence: 1,
  maxSequence: 1,
});

/** Stats with the given L0 tables (newest first) and an empty L1; everything else idle. */
function stats(userBytes: number, l0: number[] = []): CollectionStats {
  const level = (n: number, ids: number[]) => ({
    level: n,
    fileCount: ids.length,
    bytes: ids.length * 10,
    entries: ids.length,
    targetBytes: 1000,
    score: 0,
    compactionBytesRead: 0,
    compactionBytesWritten: 0,
    files: ids.map((id) => ({
      id,
      level: n,
      bytes: 10,
      entries: 1,
      tombstones: 0,
      minKey: 'a',
      maxKey: 'b',
      minSequence: 1,
      maxSequence: 1,
    })),
  });
  return {
    name: 't',
    lastSequence: 0,
    memtable: { bytes: 0, entries: 0, limitBytes: 1000, tombstones: 0, walNumber: 1 },
    immutableMemtables: [],
    levels: [level(0, l0), level(1, [])],
    level0: { files: l0.length, compactionTrigger: 4, slowdownTrigger: 8, stopTrigger: 12 },
    blockCache: { capacityBytes: 0, usedBytes: 0 },
    totals: {
      userBytesWritten: userBytes,
      walBytesWritten: 0,
      walWrites: 0,
      walSyncs: 0,
      flushes: 0,
      bytesFlushed: 0,
      compactions: 0,
      bytesCompacted: 0,
      compactionBytesRead: 0,
      writeAmplification: 1.5,
    },
    liveBytes: 0,
    recovery: { tornWals: [], lostFiles: [], tornManifest: null, gap: null },
    stalls: { count: 0, totalMs: 0, active: false, current: null },
    compaction: { running: null, pendingBytes: 0, errors: 0, lastError: null, workerPid: null, workerStarts: 0 },
    openScans: 0,
    flush: { onThread: false, threadStopped: null },
    writeError: null,
    warnings: { count: 0, recent: [] },
  };
}

const flushEnd = (id: number, at: number): EngineEvent => ({
  type: 'flush-end',
  at,
  payload: {
    id,
    level: 0,
    bytes: 10,
    entries: 1,
    tombstones: 0,
    minKey: 'a',
    maxKey: 'b',
    durationMs: 5,
    reason: 'memtable-full',
    walNumber: id,
    memtableBytes: 100,
    minSequence: 1,
    maxSequence: 1,
    outputs: [table(id, 0)],
    startedAt: at - 5,
  },
});

const compactionEnd = (inputTables: TableStats[], outputs: TableStats[], move = false): CompactionEnd => ({
  id: 9,
  reason: 'level0-files',
  level: 0,
  outputLevel: 1,
  move,
  inputs: [],
  inputTables,
  inputBytes: inputTables.reduce((n, t) => n + t.bytes, 0),
  outputs,
  outputBytes: outputs.reduce((n, t) => n + t.bytes, 0),
  bytesRead: 0,
  bytesWritten: 0,
  entriesRead: 0,
  entriesWritten: 0,
  droppedEntries: 0,
  droppedVersions: 0,
  droppedTombstones: 0,
  startedAt: 0,
  durationMs: 30,
});

const progress = (at: number): EngineEvent => ({
  type: 'compaction-progress',
  at,
  payload: {
    id: 9,
    reason: 'level0-files',
    level: 0,
    outputLevel: 1,
    bytesRead: 0,
    bytesWritten: 0,
    entriesRead: 0,
    inputBytes: 20,
    progress: 0,
    startedAt: at,
    elapsedMs: 0,
  },
});

const stall = (phase: 'start' | 'end', at: number): EngineEvent => ({
  type: 'write-stall',
  at,
  payload: {
    phase,
    reason: 'level0-stop',
    startedAt: at - 240,
    endedAt: phase === 'end' ? at : null,
    durationMs: phase === 'end' ? 240 : null,
    level0Files: 12,
    immutableMemtables: 0,
  },
});

test('flushes and compactions become steps; the last one carries the pushed tree', () => {
  const s = historyReducer(emptyHistory, {
    type: 'push',
    events: [flushEnd(5, 1000), progress(1001), flushEnd(6, 1002)],
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
    events: [stall('start', 1), stall('end', 5)],
    stats: null,
    now: 5,
  });
  assert.deepEqual(s.lastStall, { durationMs: 240, reason: 'level0-stop', endedAt: 5 });
  assert.deepEqual(
    s.steps.map((x) => x.kind),
    ['stall'],
    'a stall becomes a step when it ends',
  );
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
  const first = s.steps[0]!;
  assert.equal(first.kind === 'flush' && first.detail.id, 11);
});

test('flowOf summarises inputs and outputs per level', () => {
  const step: HistoryStep = {
    seq: 1,
    at: 0,
    kind: 'compaction',
    levels: null,
    detail: compactionEnd([table(1, 0), table(2, 0), table(3, 1, 30)], [table(4, 1, 45)]),
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
  assert.equal(f.reason, 'level0-files');
});

test('a trivial move is a step of its own kind, and writes nothing', () => {
  const s = historyReducer(emptyHistory, {
    type: 'push',
    events: [{ type: 'compaction-end', at: 7, payload: compactionEnd([table(1, 0)], [table(1, 1)], true) }],
    stats: stats(0),
    now: 7,
  });
  const [step] = s.steps;
  assert.equal(step!.kind, 'move');
  assert.equal(flowOf(step!).bytesOut, 0);
  assert.deepEqual(step!.levels, [[], []], 'a move changes the tree: it carries the pushed one');
});

test('a flush step reads the memtable and writes its one table', () => {
  const s = historyReducer(emptyHistory, { type: 'push', events: [flushEnd(3, 100)], stats: null, now: 0 });
  const f = flowOf(s.steps[0]!);
  assert.deepEqual(f.inputs, []);
  assert.deepEqual(f.outputs, [{ level: 0, files: 1, bytes: 10 }]);
  assert.equal(f.bytesIn, 100);
  assert.equal(stepKey(s.steps[0]!), 'flush:3:95');
});
