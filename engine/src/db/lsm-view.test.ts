/**
 * What a live view of the LSM tree reads: stats() (levels against targets,
 * memtables, L0 triggers, the compaction in flight, stalls, cumulative bytes)
 * and the events a timeline is built from (flush, compaction, write stall),
 * each with its reason, inputs and outputs per level, bytes, start and
 * duration.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inertLauncher } from '../testing/controlled-launcher.js';
import { HeldSyncFileSystem } from '../testing/held-sync-fs.js';
import { isStorageError } from '../testing/storage-error.js';
import { seededRandom } from '../testing/random.js';
import { collectionFixture } from '../testing/collection-fixture.js';
import type {
  CollectionStats,
  CompactionEndEvent,
  CompactionInput,
  CompactionProgressEvent,
  CompactionStartEvent,
  FlushEvent,
  FlushStartEvent,
  TableSummary,
  WriteStallEvent,
} from '../index.js';

const { manager, open } = collectionFixture('strata-lsm-view');

const key = (i: number) => `k${String(i).padStart(5, '0')}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `done` holds (a hang guard, not a timing assertion). */
async function waitFor(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const isEpochMs = (t: unknown, since: number) => typeof t === 'number' && t >= since && t <= Date.now();

/** Inputs as a view draws them: per level, file numbers and bytes, and each table with its level, size and range. */
function checkInputs(e: { inputs: CompactionInput[]; inputTables: TableSummary[]; inputBytes: number }, stats: CollectionStats): void {
  assert.deepEqual(
    e.inputTables.map((t) => [t.level, t.id]),
    e.inputs.flatMap((i) => i.files.map((id) => [i.level, id])),
  );
  for (const input of e.inputs) {
    assert.equal(
      input.bytes,
      e.inputTables.filter((t) => t.level === input.level).reduce((s, t) => s + t.bytes, 0),
    );
  }
  assert.equal(
    e.inputBytes,
    e.inputs.reduce((s, i) => s + i.bytes, 0),
  );
  for (const t of e.inputTables) {
    const f = stats.levels[t.level].files.find((x) => x.id === t.id);
    assert.ok(f, `input ${t.id} is live in L${t.level}`);
    assert.deepEqual(t, f, 'an input table is described exactly as stats() describes it');
  }
}

describe('flush events', () => {
  test('say why the memtable was flushed, when, from which log, and the table written', async () => {
    const since = Date.now();
    const { c } = await open({ memtableBytes: 4096, autoCompaction: false });
    const starts: FlushStartEvent[] = [];
    const ends: FlushEvent[] = [];
    c.on('flush-start', (e) => starts.push(e));
    c.on('flush-end', (e) => ends.push(e));
    for (let i = 0; i < 60; i++) await c.put(key(i), 'x'.repeat(100)); // fills the 4 KiB memtable at least once
    await c.put('last', 'one');
    await c.flush();
    assert.ok(ends.length >= 2);
    assert.deepEqual(
      ends.map((e) => e.reason),
      [...Array(ends.length - 1).fill('memtable-full'), 'manual'],
    );
    const live = new Map(c.stats().levels[0].files.map((f) => [f.id, f]));
    for (const [i, e] of ends.entries()) {
      const s = starts[i];
      assert.deepEqual([s.id, s.reason, s.walNumber, s.startedAt], [e.id, e.reason, e.walNumber, e.startedAt]);
      assert.equal(s.memtableBytes, e.memtableBytes);
      assert.ok(isEpochMs(e.startedAt, since) && e.durationMs >= 0);
      const f = live.get(e.id)!;
      assert.deepEqual(e.outputs, [f], 'the output is described exactly as stats() describes the table');
      assert.deepEqual([e.minSequence, e.maxSequence], [f.minSequence, f.maxSequence]);
      if (i > 0) assert.ok(e.walNumber > ends[i - 1].walNumber, 'each flush empties a later log');
    }
    assert.ok(ends[0].memtableBytes >= 4096, 'a full memtable is flushed');
  });

  test('a memtable recovered from the log is flushed for reason "recovery"', async () => {
    const fs = new HeldSyncFileSystem();
    const { m, c, base } = await open({ fileSystem: fs, autoCompaction: false });
    await c.put('a', 'unflushed');
    await m.closeAll();
    fs.hold(); // the recovery flush starts inside open(): hold it until the listener is attached
    const m2 = manager({ baseDataPath: base, fileSystem: fs });
    const c2 = await m2.useCollection('t');
    const ended = new Promise<FlushEvent>((resolve) => c2.on('flush-end', resolve));
    fs.release();
    const e = await ended;
    assert.equal(e.reason, 'recovery');
    assert.equal(e.entries, 1);
  });
});

describe('compaction events and stats', () => {
  test('start, progress and end carry inputs per level, start time, progress, outputs and bytes; stats() shows the same compaction', async () => {
    const since = Date.now();
    const { c } = await open({ memtableBytes: 8 * 1024, level1TargetBytes: 16 * 1024, targetFileBytes: 8 * 1024 });
    const starts = new Map<number, CompactionStartEvent>();
    const progress = new Map<number, CompactionProgressEvent[]>();
    const ends: CompactionEndEvent[] = [];
    let runningChecked = 0;
    c.on('compaction-start', (e: CompactionStartEvent) => {
      checkInputs(e, c.stats());
      starts.set(e.id, e);
    });
    c.on('compaction-progress', (e: CompactionProgressEvent) => {
      const list = progress.get(e.id) ?? [];
      list.push(e);
      progress.set(e.id, list);
      const running = c.stats().compaction.running!;
      const start = starts.get(e.id)!;
      assert.deepEqual(
        [running.id, running.reason, running.level, running.outputLevel, running.score, running.startedAt],
        [start.id, start.reason, start.level, start.outputLevel, start.score, start.startedAt],
      );
      assert.deepEqual([running.inputs, running.inputTables], [start.inputs, start.inputTables]);
      assert.deepEqual(
        [running.bytesRead, running.bytesWritten, running.entriesRead, running.progress],
        [e.bytesRead, e.bytesWritten, e.entriesRead, e.progress],
      );
      runningChecked++;
    });
    c.on('compaction-end', (e: CompactionEndEvent) => ends.push(e));
    const r = seededRandom(77);
    for (let i = 0; i < 3000; i++) await c.put(key(Math.floor(r() * 2000)), `v${i}-${'q'.repeat(Math.floor(r() * 60))}`);
    await c.compact();
    await waitFor(() => c.stats().compaction.running === undefined && ends.length === starts.size, 'compactions to end');

    assert.ok(ends.length >= 3 && runningChecked > 0, `${ends.length} compactions, ${runningChecked} progress checks`);
    let merged = 0;
    for (const end of ends) {
      const start = starts.get(end.id)!;
      assert.ok(isEpochMs(start.startedAt, since));
      assert.deepEqual(
        [end.reason, end.level, end.outputLevel, end.startedAt, end.inputBytes, end.move],
        [start.reason, start.level, start.outputLevel, start.startedAt, start.inputBytes, start.move],
      );
      assert.deepEqual([end.inputs, end.inputTables], [start.inputs, start.inputTables], 'compaction-end repeats the inputs');
      assert.equal(
        end.outputBytes,
        end.outputs.reduce((s, f) => s + f.bytes, 0),
      );
      if (end.move) {
        assert.equal(end.outputBytes, end.inputBytes, 'a move places its inputs unchanged');
        continue;
      }
      merged++;
      const ps = progress.get(end.id) ?? [];
      assert.ok(ps.length > 0);
      for (const [i, p] of ps.entries()) {
        assert.deepEqual(
          [p.reason, p.level, p.outputLevel, p.startedAt, p.inputBytes],
          [start.reason, start.level, start.outputLevel, start.startedAt, start.inputBytes],
        );
        assert.ok(p.progress >= 0 && p.progress <= 1 && p.elapsedMs >= 0);
        if (i > 0) assert.ok(p.progress >= ps[i - 1].progress && p.entriesRead >= ps[i - 1].entriesRead, 'progress never goes back');
      }
      assert.equal(ps.at(-1)!.progress, 1, 'the last progress event reports all input read');
      assert.equal(ps.at(-1)!.entriesRead, end.entriesRead);
    }
    assert.ok(merged > 0);
    const s = c.stats();
    const read = ends.reduce((sum, e) => sum + e.bytesRead, 0);
    assert.equal(s.totals.compactionBytesRead, read);
    assert.equal(
      s.levels.reduce((sum, l) => sum + l.compactionBytesRead, 0),
      read,
    );
    assert.equal(
      s.totals.bytesCompacted,
      ends.reduce((sum, e) => sum + e.bytesWritten, 0),
    );
    assert.ok(s.totals.writeAmplification > 1);
  });

  test('stats() shows the compaction in flight with its inputs, and L0 against its triggers', async () => {
    const since = Date.now();
    // The worker never starts, so the picked compaction stays in flight.
    const { c } = await open({
      compactionLauncher: inertLauncher,
      level0CompactionTrigger: 2,
      level0SlowdownTrigger: 5,
      level0StopTrigger: 9,
    });
    const started = new Promise<CompactionStartEvent>((resolve) => c.on('compaction-start', resolve));
    await c.put('a', '1');
    await c.flush();
    await c.put('b', '2');
    await c.delete('a');
    await c.flush();
    const start = await started;
    const s = c.stats();
    assert.deepEqual(s.level0, { files: 2, compactionTrigger: 2, slowdownTrigger: 5, stopTrigger: 9 });
    const running = s.compaction.running!;
    assert.ok(running, 'a compaction is in flight');
    checkInputs(running, s);
    assert.deepEqual([running.inputs, running.inputTables], [start.inputs, start.inputTables]);
    assert.deepEqual(
      running.inputs.map((i) => [i.level, i.files.length]),
      [
        [0, 2],
        [1, 0],
      ],
    );
    assert.deepEqual([running.reason, running.level, running.outputLevel, running.score], ['level0-files', 0, 1, 1]);
    assert.deepEqual([running.bytesRead, running.progress, running.entriesRead], [0, 0, 0]);
    assert.equal(running.inputBytes, s.levels[0].bytes);
    assert.ok(isEpochMs(running.startedAt, since) && running.elapsedMs >= 0);
    running.inputs[0].files.push(999);
    assert.equal(c.stats().compaction.running!.inputs[0].files.length, 2, 'stats() hands out copies');
  });

  test('memtable stats name their logs and count tombstones', async () => {
    const fs = new HeldSyncFileSystem();
    const { c } = await open({ fileSystem: fs, autoCompaction: false });
    await c.put('a', '1');
    await c.delete('b');
    fs.hold();
    const flushed = c.flush();
    await c.delete('c');
    const s = c.stats();
    assert.deepEqual(
      s.immutableMemtables.map((m) => [m.entries, m.tombstones]),
      [[2, 1]],
    );
    assert.deepEqual([s.memtable.entries, s.memtable.tombstones], [1, 1]);
    assert.ok(s.memtable.walNumber > s.immutableMemtables[0].walNumber, 'the active memtable writes a later log');
    fs.release();
    await flushed;
  });
});

describe('write-stall events', () => {
  test('carry reason, start and end time, duration and the L0 and memtable counts; stats() shows the stall in progress', async () => {
    const since = Date.now();
    const { m, c } = await open({
      compactionLauncher: inertLauncher,
      level0CompactionTrigger: 2,
      level0SlowdownTrigger: 3,
      level0StopTrigger: 3,
    });
    const events: WriteStallEvent[] = [];
    let during: CollectionStats['stalls'] | undefined;
    c.on('write-stall', (e: WriteStallEvent) => {
      events.push(e);
      if (e.phase === 'start') during = c.stats().stalls;
    });
    for (let i = 0; i < 3; i++) {
      await c.put(key(i), 'v');
      await c.delete('gone'); // a tombstone in every table rules out trivial moves: only a merge can shrink L0
      await c.flush();
    }
    const blocked = c.put('blocked', 'v'); // L0 at the stop trigger and compaction cannot run
    const outcome = blocked.then(
      () => undefined,
      (err: unknown) => err,
    );
    await waitFor(() => events.length === 1, `the stall to start (${JSON.stringify(events)} L0 ${c.stats().levels[0].fileCount})`);
    const [start] = events;
    assert.deepEqual(
      { ...start, startedAt: 0 },
      { phase: 'start', reason: 'level0-stop', startedAt: 0, level0Files: 3, immutableMemtables: 0 },
    );
    assert.ok(isEpochMs(start.startedAt, since));
    assert.equal(during?.active, true);
    assert.equal(during?.current?.reason, 'level0-stop');
    assert.equal(during?.current?.startedAt, start.startedAt);
    assert.ok(during!.current!.durationMs >= 0);

    await m.closeAll(); // releases the waiting write, which then finds the collection closed
    assert.ok(isStorageError('CLOSED')(await outcome));
    const end = events[1];
    assert.equal(end.phase, 'end');
    assert.equal(end.reason, 'level0-stop');
    assert.equal(end.startedAt, start.startedAt);
    assert.ok(end.endedAt! >= end.startedAt && end.endedAt! <= Date.now());
    assert.ok(end.durationMs! >= 0);
    assert.equal(c.stats().stalls.current, undefined);
  });
});
