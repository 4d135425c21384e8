/**
 * Leveled compaction: the original store's compaction bugs as named
 * regressions, the merge itself run in-process, the level invariants after
 * compact(), tombstone dropping, the worker process being killed (alone, and
 * together with the whole writer process), scans across compactions,
 * backpressure under sustained writes, and the events compaction reports.
 *
 * Nothing here depends on timing to pass: where an interleaving matters
 * (a flush finishing while a compaction waits to be installed, a worker
 * killed before it reports), a ControlledLauncher makes it happen; kills at
 * "random" moments use seeded delays and only count what they provably hit.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import type { Collection } from '../db/collection.js';
import type { CollectionEventName, CollectionEvents } from '../events/collection-events.js';
import { tableFileName } from '../version/file-names.js';
import { TableSource } from '../table/table-source.js';
import type { CollectionStats } from '../events/stats.js';
import { type GateState, WriteGate } from '../db/write-gate.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { ValueKind } from '../log/write-batch.js';
import { StorageManager, type StorageManagerOptions } from '../manager/storage-manager.js';
import { BlockCache } from '../table/block-cache.js';
import { TableBuilder } from '../table/table-builder.js';
import { TableReader } from '../table/table-reader.js';
import { ControlledLauncher, inertLauncher } from '../testing/controlled-launcher.js';
import {
  checkState,
  COLLECTION,
  type Expectation,
  exactly,
  expectAfter,
  parseWriterOutput,
  type WriterOutput,
} from '../testing/kill-protocol.js';
import { ENGINE_ROOT, runKillWriter } from '../testing/kill-runner.js';
import { seededRandom } from '../testing/random.js';
import { tempDir } from '../testing/temp-dir.js';
import { compareKeys } from '../util/key-order.js';
import { summaryOf, type TableSummary } from '../version/table-summary.js';
import { runCompaction } from './merge.js';
import type { CompactionJob } from './protocol.js';

const dir = tempDir('strata-compaction');
/** Every manager a test opened: closed at the end even if the test failed, so no worker process keeps the run alive. */
const managers: StorageManager[] = [];
after(async () => {
  for (const m of managers) await m.closeAll().catch(() => {});
  dir.cleanup();
});
let n = 0;

function manager(opts: StorageManagerOptions): StorageManager {
  const m = new StorageManager(opts);
  managers.push(m);
  return m;
}

interface Opened {
  m: StorageManager;
  c: Collection;
  base: string;
  /** The collection's own directory (where its .sst files are). */
  colDir: string;
}

/** Tables stay uncompressed here: these tests size data to reach given levels and cut points. */
async function fresh(opts: Partial<StorageManagerOptions> = {}): Promise<Opened> {
  const base = join(dir.path, `c${n++}`);
  const m = manager({ baseDataPath: base, compression: 'none', ...opts });
  await m.createCollection('t');
  return { m, c: await m.useCollection('t'), base, colDir: join(base, 't') };
}

async function reopen(o: Opened, opts: Partial<StorageManagerOptions> = {}): Promise<Opened> {
  await o.m.closeAll();
  const m = manager({ baseDataPath: o.base, ...opts });
  return { ...o, m, c: await m.useCollection('t') };
}

async function all(c: Collection, range?: object): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of c.scan(range)) out.push(e);
  return out;
}

const sorted = (model: Map<string, string>): [string, string][] => [...model].sort((a, b) => compareKeys(a[0], b[0]));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const key = (i: number) => `key${String(i).padStart(5, '0')}`;

/** Get and scan agree with the model, key by key. */
async function assertMatches(c: Collection, model: Map<string, string>, where: string, alsoAbsent: string[] = []): Promise<void> {
  for (const [k, v] of model) {
    const got = await c.get(k);
    if (got !== v)
      assert.fail(`${where}: get(${k}) returned ${JSON.stringify(got?.slice(0, 40))}, expected ${JSON.stringify(v.slice(0, 40))}`);
  }
  for (const k of alsoAbsent) if (!model.has(k)) assert.equal(await c.get(k), undefined, `${where}: ${k} should be absent`);
  const scanned = await all(c);
  assert.equal(scanned.length, model.size, `${where}: scan returned ${scanned.length} entries, the model holds ${model.size}`);
  assert.deepEqual(scanned, sorted(model), `${where}: scan differs from the model`);
}

/** Polls `done` until it holds; fails with `what()` after `timeoutMs` (a hang guard, not a timing assertion). */
async function waitFor(done: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what()}`);
    await sleep(5);
  }
}

const shape = (s: CollectionStats) =>
  s.levels
    .filter((l) => l.fileCount > 0)
    .map((l) => `L${l.level}:${l.fileCount}f/${l.bytes}B/score ${l.score.toFixed(2)}`)
    .join(' ') || 'empty';

/** Waits until automatic compaction has caught up: nothing running, no level due, no memtable waiting for flush. */
async function settle(c: Collection): Promise<void> {
  await waitFor(
    () => {
      const s = c.stats();
      const due = c.options.autoCompaction && s.levels.slice(0, -1).some((l) => l.score >= 1);
      return s.compaction.running === undefined && !due && s.immutableMemtables.length === 0;
    },
    () => `compaction to settle (${shape(c.stats())})`,
  );
}

const liveIds = (s: CollectionStats) => s.levels.flatMap((l) => l.files.map((f) => f.id)).sort((a, b) => a - b);
const idsOnDisk = (colDir: string) =>
  readdirSync(colDir)
    .filter((f) => /^\d+\.sst$/.test(f))
    .map((f) => Number(f.slice(0, -4)))
    .sort((a, b) => a - b);

/** Obsolete tables are deleted asynchronously after an install or a scan's end: wait for the directory to hold exactly the live tables. */
async function assertNoStrayTables(c: Collection, colDir: string, where: string): Promise<void> {
  await waitFor(
    () => JSON.stringify(idsOnDisk(colDir)) === JSON.stringify(liveIds(c.stats())),
    () => `${where}: .sst files on disk ${JSON.stringify(idsOnDisk(colDir))} vs live tables ${JSON.stringify(liveIds(c.stats()))}`,
    5_000,
  );
}

/** L1 and deeper: files sorted by key and pairwise disjoint. */
function assertLevelsDisjoint(s: CollectionStats, where: string): void {
  for (const l of s.levels.slice(1)) {
    for (let i = 1; i < l.files.length; i++) {
      const a = l.files[i - 1];
      const b = l.files[i];
      assert.ok(
        compareKeys(a.maxKey, b.minKey) < 0,
        `${where}: L${l.level} tables ${a.id} [${a.minKey}..${a.maxKey}] and ${b.id} [${b.minKey}..${b.maxKey}] overlap`,
      );
    }
  }
}

const tombstones = (s: CollectionStats) => s.levels.reduce((n, l) => n + l.files.reduce((m, f) => m + f.tombstones, 0), 0);
const covering = (s: CollectionStats, level: number, k: string) =>
  s.levels[level].files.filter((f) => compareKeys(f.minKey, k) <= 0 && compareKeys(k, f.maxKey) <= 0);

/** Small level targets and an L0 trigger of 2, for tests that need data in L2 quickly. */
const DEEP_OPTIONS = { memtableBytes: 256 * 1024, level1TargetBytes: 8 * 1024, targetFileBytes: 4 * 1024, level0CompactionTrigger: 2 };

/**
 * Writes 300 keys as two interleaved L0 tables (with DEEP_OPTIONS), so an automatic L0 -> L1 merge
 * cuts them into ~4 KiB tables; L1 is then over its 8 KiB target and level-size compactions move
 * most of them to L2. Returns the keys whose only version is in L2.
 */
async function oldVersionsInL2(c: Collection, model: Map<string, string>, value: (i: number) => string): Promise<string[]> {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = pass; i < 300; i += 2) {
      model.set(key(i), value(i));
      await c.put(key(i), value(i));
    }
    await c.flush();
  }
  await settle(c);
  const s = c.stats();
  assert.ok(s.levels[2].fileCount >= 3, `old versions reached L2 in several tables (${shape(s)})`);
  return s.levels[2].files.map((f) => f.minKey).filter((k) => covering(s, 1, k).length === 0 && covering(s, 0, k).length === 0);
}

function nextEvent<E extends CollectionEventName>(c: Collection, name: E): Promise<CollectionEvents[E]> {
  return new Promise((resolve) => {
    const on = (e: CollectionEvents[E]) => {
      c.off(name, on);
      resolve(e);
    };
    c.on(name, on);
  });
}

// ---- the merge, in-process ----------------------------------------------------

const fs = new NodeFileSystem();
type Entry = [key: string, sequence: number, kind: ValueKind, value?: string];

async function buildInput(directory: string, id: number, level: number, entries: Entry[]): Promise<TableSummary> {
  const builder = new TableBuilder(fs.create(join(directory, tableFileName(id))), {
    blockBytes: 256,
    bloomBitsPerKey: 10,
    compression: 'none',
  });
  for (const [k, seq, kind, v] of [...entries].sort((a, b) => compareKeys(a[0], b[0]) || b[1] - a[1]))
    builder.addString(k, seq, kind, v ?? '');
  return summaryOf(id, level, await builder.finish());
}

async function readTable(directory: string, meta: TableSummary): Promise<Entry[]> {
  const reader = TableReader.open(fs.openRead(join(directory, tableFileName(meta.id))), meta.id, new BlockCache(0));
  try {
    const out: Entry[] = [];
    for (const s = new TableSource(reader, false).seek(undefined, true); s.valid; s.next()) {
      out.push(s.kind === ValueKind.Put ? [s.key, s.sequence, s.kind, s.value()] : [s.key, s.sequence, s.kind]);
    }
    return out;
  } finally {
    await reader.close();
  }
}

function job(directory: string, inputs: CompactionJob['inputs'], outputLevel: number, extra: Partial<CompactionJob> = {}): CompactionJob {
  return {
    id: 1,
    directory,
    reason: 'manual',
    inputs,
    outputLevel,
    outputIds: Array.from({ length: 64 }, (_, i) => 1000 + i),
    deeperSpans: [],
    grandparents: [],
    targetFileBytes: 1 << 20,
    maxGrandparentOverlapBytes: 1 << 30,
    blockBytes: 512,
    bloomBitsPerKey: 10,
    compression: 'none',
    ...extra,
  };
}

describe('regressions of the original store', () => {
  test('an overwrite survives compactions and reads return the newest value', async () => {
    const o = await fresh({ memtableBytes: 8 * 1024, level1TargetBytes: 16 * 1024, targetFileBytes: 8 * 1024, level0CompactionTrigger: 2 });
    const { c } = o;
    const rand = seededRandom(101);
    const model = new Map<string, string>();
    for (let round = 0; round < 8; round++) {
      for (let j = 0; j < 400; j++) {
        const k = key(Math.floor(rand() * 600));
        const v = `r${round}:${j}:${'v'.repeat(Math.floor(rand() * 40))}`;
        await c.put(k, v);
        model.set(k, v);
      }
      await c.put('hot', `hot-${round}`); // overwritten in every round: its versions sit in many tables and levels
      model.set('hot', `hot-${round}`);
      await c.flush();
      if (round % 2 === 1) {
        // an overwrite that is still in the memtable when compact() starts
        await c.put('hot', `hot-${round}-late`);
        model.set('hot', `hot-${round}-late`);
        await c.compact();
        assert.equal(c.stats().levels[0].fileCount, 0, `round ${round}: compact() empties L0`);
      } else await settle(c);
      await assertMatches(c, model, `round ${round}`);
    }
    const s = c.stats();
    assert.ok(s.totals.compactions >= 8, `${s.totals.compactions} compactions ran`);
    assert.ok(
      s.levels.slice(2).some((l) => l.fileCount > 0),
      `data reached L2 or deeper (${shape(s)})`,
    );
    assert.ok(s.totals.writeAmplification > 1, 'compaction rewrote data');
    const r = await reopen(o);
    await assertMatches(r.c, model, 'after reopen');
    await r.c.compact();
    await assertMatches(r.c, model, 'after reopen and compact()');
    await r.m.closeAll();
  });

  test('a delete survives compactions while older versions sit in deeper levels, and the key stays gone', async () => {
    const o = await fresh(DEEP_OPTIONS);
    let { c } = o;
    const model = new Map<string, string>();
    const victims = (await oldVersionsInL2(c, model, (i) => `old-${i}-${'o'.repeat(80)}`)).slice(0, 4);
    assert.ok(victims.length >= 2, 'some keys live only in L2');
    for (const k of victims) {
      await c.delete(k);
      model.delete(k);
    }
    await c.flush(); // the tombstones, in L0
    assert.equal(c.stats().levels[0].files[0].tombstones, victims.length);
    for (const k of victims) assert.equal(await c.get(k), undefined, `${k} is gone while its tombstone is in L0`);

    // A second L0 table reaches level0CompactionTrigger: an automatic L0 -> L1 compaction, which must
    // keep the tombstones because L2 still holds the old versions. Check the moment it is installed.
    let partway: { inL1: number; oldInL2: boolean; visible: string[] } | undefined;
    c.on('compaction-end', (e: { level: number; outputLevel: number }) => {
      if (partway !== undefined || e.level !== 0) return;
      const now = c.stats();
      partway = {
        inL1: now.levels[1].files.reduce((n, f) => n + f.tombstones, 0),
        oldInL2: victims.every((k) => covering(now, 2, k).length === 1),
        visible: victims.filter((k) => c.getSync(k) !== undefined),
      };
    });
    await c.put('filler', 'f');
    model.set('filler', 'f');
    await c.flush();
    await settle(c);
    assert.ok(partway, 'an L0 -> L1 compaction ran');
    assert.equal(partway.inL1, victims.length, 'the tombstones moved to L1 and were kept there');
    assert.ok(partway.oldInL2, 'the old versions were still in L2 at that moment');
    assert.deepEqual(partway.visible, [], 'no deleted key came back once its tombstone left L0');
    await assertMatches(c, model, 'after the partial compaction', victims);

    // A full compaction merges the tombstones with the old versions: both go.
    const dropped: number[] = [];
    c.on('compaction-end', (e: { droppedTombstones: number }) => dropped.push(e.droppedTombstones));
    await c.compact();
    const s = c.stats();
    assert.equal(s.levels[0].fileCount + s.levels[1].fileCount, 0, `everything was merged into L2 (${shape(s)})`);
    assert.equal(tombstones(s), 0, `no tombstone is left in any table (${shape(s)})`);
    assert.ok(dropped.reduce((a, b) => a + b, 0) >= victims.length, 'compaction-end reports the dropped tombstones');
    await assertMatches(c, model, 'after compact()', victims);

    // And it stays gone: after reopen, and after more writes and compactions around it.
    ({ c } = await reopen(o));
    await assertMatches(c, model, 'after reopen', victims);
    for (let i = 0; i < 300; i += 3) {
      const v = `new-${i}`;
      if (victims.includes(key(i))) continue;
      await c.put(key(i), v);
      model.set(key(i), v);
    }
    await c.compact();
    await settle(c);
    await assertMatches(c, model, 'after more compactions', victims);
    await c.close();
  });

  test('a flush that finishes during a compaction is not lost', async () => {
    const control = new ControlledLauncher();
    const o = await fresh({ memtableBytes: 1024 * 1024, compactionLauncher: control.launcher });
    const { c } = o;
    const model = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) {
        const v = `v${round}-${i}-${'p'.repeat(30)}`;
        await c.put(key(i * 3 + round), v);
        model.set(key(i * 3 + round), v);
      }
      await c.flush();
    }
    assert.equal(c.stats().levels[0].fileCount, 3, 'three overlapping L0 tables, below the automatic trigger');
    await waitFor(
      () => c.stats().totals.flushes === 3,
      () => 'the events of the three flushes', // flush() may resolve just before its flush events are emitted
    );
    const order: string[] = [];
    c.on('compaction-start', () => order.push('compaction-start'));
    c.on('compaction-end', () => order.push('compaction-end'));
    c.on('flush-end', () => order.push('flush-end'));

    control.holdDone = true;
    const compacting = c.compact();
    await control.waitForHeld(); // the worker has finished merging; its result waits to be installed
    assert.ok(c.stats().compaction.running, 'the compaction is still running');
    const flushed: number[] = [];
    c.on('flush', (e: { id: number }) => flushed.push(e.id));
    for (let i = 0; i < 300; i++) {
      // new keys, and overwrites of keys the running compaction is rewriting
      const k = i % 2 === 0 ? `new${String(i).padStart(4, '0')}` : key(i * 5);
      await c.put(k, `during-${i}`);
      model.set(k, `during-${i}`);
    }
    await c.delete(key(7));
    model.delete(key(7));
    await c.flush();
    await waitFor(
      () => flushed.length > 0,
      () => 'the flush event',
    );
    assert.equal(flushed.length, 1);
    assert.ok(
      c.stats().levels[0].files.some((f) => f.id === flushed[0]),
      'the flushed table is installed',
    );
    assert.ok(c.stats().compaction.running, 'the flush finished while the compaction was still running');
    control.release();
    await compacting;
    assert.deepEqual(order, ['compaction-start', 'flush-end', 'compaction-end']);

    const s = c.stats();
    assert.deepEqual(
      s.levels[0].files.map((f) => f.id),
      flushed,
      'the table flushed during the compaction is still in L0',
    );
    assert.ok(existsSync(join(o.colDir, tableFileName(flushed[0]))));
    assert.ok(s.levels[1].fileCount > 0);
    await assertMatches(c, model, 'after the compaction was installed', [key(7)]);
    const r = await reopen(o);
    assert.ok(
      r.c.stats().levels[0].files.some((f) => f.id === flushed[0]),
      'the flushed table is in the manifest after reopen',
    );
    await assertMatches(r.c, model, 'after reopen', [key(7)]);
    await r.c.compact();
    await assertMatches(r.c, model, 'after reopen and compact()', [key(7)]);
    await r.m.closeAll();
  });

  test('the newer level wins a merge (the merge in-process: sequence decides, not level or input order)', async () => {
    const d = join(dir.path, `merge-${n++}`);
    await fs.mkdir(d);
    const P = ValueKind.Put;
    const D = ValueKind.Delete;
    // L1 holds some keys at higher sequences than L2, and (vice versa) L2 holds others at higher sequences than L1.
    const upper = await buildInput(d, 1, 1, [
      ['a', 20, P, 'a-new (L1)'],
      ['b', 5, P, 'b-old (L1)'],
      ['c', 30, D],
      ['e', 7, D],
      ['f', 40, P, 'f (L1 only)'],
    ]);
    const lower = await buildInput(d, 2, 2, [
      ['a', 10, P, 'a-old (L2)'],
      ['b', 15, P, 'b-new (L2)'],
      ['c', 8, P, 'c-old (L2)'],
      ['d', 9, P, 'd (L2 only)'],
      ['e', 12, P, 'e-new (L2)'],
    ]);
    const expected: Entry[] = [
      ['a', 20, P, 'a-new (L1)'],
      ['b', 15, P, 'b-new (L2)'],
      ['d', 9, P, 'd (L2 only)'],
      ['e', 12, P, 'e-new (L2)'],
      ['f', 40, P, 'f (L1 only)'],
    ];
    const orders = [
      [
        { level: 1, files: [upper] },
        { level: 2, files: [lower] },
      ],
      [
        { level: 2, files: [lower] },
        { level: 1, files: [upper] },
      ],
    ];
    let next = 100;
    for (const inputs of orders) {
      const ids = [next++, next++];
      const result = await runCompaction(fs, job(d, inputs, 2, { outputIds: ids }));
      assert.equal(result.outputs.length, 1);
      assert.deepEqual(await readTable(d, result.outputs[0]), expected, `inputs listed as L${inputs[0].level}, L${inputs[1].level}`);
      assert.equal(result.entriesRead, 10);
      assert.equal(result.droppedVersions, 4, 'a, b, c and e each lose an older version');
      assert.equal(result.droppedTombstones, 1, 'c: its tombstone wins, and no level below can hold c');
      assert.equal(result.outputs[0].level, 2);
      assert.equal(result.outputs[0].entries, 5);
    }
    // With a deeper level covering c, the winning tombstone must be kept.
    const kept = await runCompaction(fs, job(d, orders[0], 2, { outputIds: [next++], deeperSpans: [[{ minKey: 'b', maxKey: 'c' }]] }));
    const keptEntries = await readTable(d, kept.outputs[0]);
    assert.deepEqual(
      keptEntries.find((e) => e[0] === 'c'),
      ['c', 30, D],
    );
    assert.equal(kept.outputs[0].tombstones, 1);

    // Randomized: two L0 tables, an L1 and an L2 table, with sequences dealt out at random across
    // them (so any of them may hold a key's newest version); each key's highest sequence wins.
    const rand = seededRandom(77);
    const tables: Entry[][] = [[], [], [], []];
    const winner = new Map<string, Entry>();
    const sequences = Array.from({ length: 4000 }, (_, i) => i + 1);
    for (let i = sequences.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [sequences[i], sequences[j]] = [sequences[j], sequences[i]];
    }
    let s = 0;
    for (let i = 0; i < 1000; i++) {
      const k = `r${String(i).padStart(4, '0')}`;
      for (let t = 0; t < 4; t++) {
        if (rand() < 0.4) continue;
        const e: Entry =
          rand() < 0.2 ? [k, sequences[s++], D] : [k, sequences[s++], P, `${k}@t${t}:${'z'.repeat(Math.floor(rand() * 30))}`];
        tables[t].push(e);
        if ((winner.get(k)?.[1] ?? -1) < e[1]) winner.set(k, e);
      }
    }
    const metas = await Promise.all(tables.map((entries, t) => buildInput(d, 10 + t, t < 2 ? 0 : t - 1, entries)));
    const randomized = job(
      d,
      [
        { level: 0, files: [metas[1], metas[0]] },
        { level: 1, files: [metas[2]] },
        { level: 2, files: [metas[3]] },
      ],
      2,
      { outputIds: Array.from({ length: 64 }, () => next++), targetFileBytes: 8 * 1024 },
    );
    const result = await runCompaction(fs, randomized);
    assert.ok(result.outputs.length >= 3, 'outputs were cut at targetFileBytes');
    const merged: Entry[] = [];
    for (const meta of result.outputs) merged.push(...(await readTable(d, meta)));
    const expectRandom = [...winner.values()].filter((e) => e[2] === P).sort((a, b) => compareKeys(a[0], b[0]));
    assert.deepEqual(merged, expectRandom);
    for (let i = 1; i < result.outputs.length; i++) {
      assert.ok(compareKeys(result.outputs[i - 1].maxKey, result.outputs[i].minKey) < 0, 'outputs are disjoint and in key order');
    }
    const unused = randomized.outputIds.filter((id) => !result.outputs.some((f) => f.id === id));
    for (const id of unused) assert.equal(existsSync(join(d, tableFileName(id))), false, 'only used output numbers become files');
  });

  test('the newer level wins a merge (end to end: a newer L1 over an older L2, a newer L0 over both)', async () => {
    const o = await fresh(DEEP_OPTIONS);
    const { c } = o;
    const model = new Map<string, string>();
    const inL2 = await oldVersionsInL2(c, model, (i) => `gen0-${i}-${'o'.repeat(80)}`);
    assert.ok(inL2.length >= 2, 'some keys live only in L2');
    let s: CollectionStats;
    // gen1 of those keys goes to L1 through an automatic L0 -> L1 compaction (two L0 tables)
    for (const k of inL2) {
      model.set(k, `gen1-${k}`);
      await c.put(k, model.get(k)!);
    }
    await c.flush();
    await c.put('filler', 'f');
    model.set('filler', 'f');
    await c.flush();
    await settle(c);
    s = c.stats();
    const layered = inL2.filter((k) => covering(s, 1, k).length === 1 && covering(s, 2, k).length === 1);
    assert.ok(layered.length > 0, `some key has its new version in L1 and its old one in L2 (${shape(s)})`);
    await assertMatches(c, model, 'L1 over L2');
    // gen2 in L0 over gen1 (L1) and gen0 (L2)
    for (const k of layered) {
      model.set(k, `gen2-${k}`);
      await c.put(k, model.get(k)!);
    }
    await c.flush();
    assert.equal(c.stats().levels[0].fileCount, 1);
    await assertMatches(c, model, 'L0 over L1 over L2');
    await c.compact();
    s = c.stats();
    assert.equal(s.levels[0].fileCount + s.levels[1].fileCount, 0, `everything merged into L2 (${shape(s)})`);
    assert.equal(s.levels[2].entries, model.size, 'exactly one version of each key is left');
    await assertMatches(c, model, 'after the merge into L2');
    const r = await reopen(o);
    await assertMatches(r.c, model, 'after reopen');
    await r.m.closeAll();
  });
});

describe('compact()', () => {
  test('after compact(), L0 is empty and no two tables of a level L1+ overlap', async () => {
    const o = await fresh({ memtableBytes: 16 * 1024, level1TargetBytes: 32 * 1024, targetFileBytes: 8 * 1024 });
    const { c } = o;
    const rand = seededRandom(202);
    const model = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let j = 0; j < 1500; j++) {
        const k = key(Math.floor(rand() * 4000));
        if (rand() < 0.2) {
          await c.delete(k);
          model.delete(k);
        } else {
          const v = `${round}:${j}:${'w'.repeat(Math.floor(rand() * 60))}`;
          await c.put(k, v);
          model.set(k, v);
        }
      }
      await c.compact();
      const s = c.stats();
      assert.equal(s.levels[0].fileCount, 0, `round ${round}: L0 is empty (${shape(s)})`);
      assert.equal(s.memtable.entries, 0, 'compact() flushed the memtable first');
      assertLevelsDisjoint(s, `round ${round}`);
      await assertMatches(c, model, `round ${round}`);
    }
    assert.ok(
      c
        .stats()
        .levels.slice(2)
        .some((l) => l.fileCount > 0),
      `data reached L2 or deeper (${shape(c.stats())})`,
    );
    await settle(c);
    assertLevelsDisjoint(c.stats(), 'once automatic compaction is idle');
    await assertNoStrayTables(c, o.colDir, 'after compact()');
    await o.m.closeAll();
  });

  test('when compact() resolves, the tables it replaced are already deleted from disk', async () => {
    const o = await fresh({ memtableBytes: 16 * 1024, autoCompaction: false, compression: 'none' });
    const { c } = o;
    for (let round = 0; round < 5; round++) {
      for (let j = 0; j < 400; j++) await c.put(key(j), `${round}:${'v'.repeat(40)}`);
      await c.flush();
    }
    assert.ok(idsOnDisk(o.colDir).length >= 5, 'several L0 tables before compact()');
    await c.compact();
    // No waiting: compact() itself must have given the space back.
    assert.deepEqual(idsOnDisk(o.colDir), liveIds(c.stats()));
    await o.m.closeAll();
  });

  test('compact({ gte, lt }) only touches the L0 tables in that range', async () => {
    const o = await fresh({ autoCompaction: false, memtableBytes: 1024 * 1024 });
    const { c } = o;
    const model = new Map<string, string>();
    const l0: Record<string, number> = {};
    for (const prefix of ['a', 'b', 'c']) {
      for (let i = 0; i < 200; i++) {
        model.set(`${prefix}${i}`, `${prefix}-${i}`);
        await c.put(`${prefix}${i}`, `${prefix}-${i}`);
      }
      await c.flush();
      l0[prefix] = c.stats().levels[0].files.find((f) => f.minKey.startsWith(prefix))!.id;
    }
    const starts: { inputs: { level: number; files: number[]; bytes: number }[] }[] = [];
    c.on('compaction-start', (e) => starts.push(e));
    await c.compact({ gte: 'b', lt: 'c' });
    let s = c.stats();
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0].inputs, [
      { level: 0, files: [l0.b], bytes: starts[0].inputs[0].bytes },
      { level: 1, files: [], bytes: 0 },
    ]);
    assert.deepEqual(
      s.levels[0].files.map((f) => f.id).sort((x, y) => x - y),
      [l0.a, l0.c].sort((x, y) => x - y),
      'the a and c tables stay in L0, untouched',
    );
    assert.ok(
      s.levels[1].files.every((f) => f.minKey.startsWith('b') && f.maxKey.startsWith('b')),
      'only b keys went to L1',
    );
    await assertMatches(c, model, 'after compact({ gte: b, lt: c })');
    // An empty range compacts nothing; then the rest.
    await c.compact({ gte: 'x', lt: 'y' });
    assert.equal(starts.length, 1, 'a range with no tables starts no compaction');
    await c.compact({ gte: 'c' });
    s = c.stats();
    assert.deepEqual(
      s.levels[0].files.map((f) => f.id),
      [l0.a],
    );
    await c.compact();
    s = c.stats();
    assert.equal(s.levels[0].fileCount, 0);
    assertLevelsDisjoint(s, 'after compact()');
    await assertMatches(c, model, 'after compact()');
    await o.m.closeAll();
  });

  test('after compact() on a collection where everything was deleted, no tombstone remains and liveBytes is small', async () => {
    const o = await fresh({ memtableBytes: 16 * 1024, level1TargetBytes: 32 * 1024, targetFileBytes: 8 * 1024 });
    const { c } = o;
    for (let i = 0; i < 2000; i++) await c.put(key(i), `value-${i}-${'d'.repeat(40)}`);
    await settle(c);
    const full = c.stats();
    assert.ok(full.levels.slice(1).filter((l) => l.fileCount > 0).length >= 1, `data is in L1+ (${shape(full)})`);
    for (let i = 0; i < 2000; i++) await c.delete(key(i));
    await settle(c);
    assert.ok(tombstones(c.stats()) > 0, 'tombstones are in tables before compact()');
    await c.compact();
    const s = c.stats();
    assert.equal(tombstones(s), 0, `no tombstone remains (${shape(s)})`);
    assert.ok(s.liveBytes <= 1024, `liveBytes is ${s.liveBytes} (was ${full.liveBytes} before the deletes)`);
    assert.deepEqual(await all(c), []);
    for (let i = 0; i < 2000; i += 97) assert.equal(await c.get(key(i)), undefined);
    await assertNoStrayTables(c, o.colDir, 'after compact()');
    const r = await reopen(o);
    assert.deepEqual(await all(r.c), []);
    assert.equal(r.c.stats().liveBytes, s.liveBytes);
    await r.m.closeAll();
  });

  test('compact() drops the tombstones of keys written and deleted before any flush (it never just moves a table holding tombstones)', async () => {
    const o = await fresh({ memtableBytes: 64 * 1024 });
    const { c } = o;
    const model = new Map<string, string>();
    for (let i = 0; i < 500; i++) {
      model.set(key(i), `kept-${i}`);
      await c.put(key(i), `kept-${i}`);
    }
    await c.compact();
    // Short-lived keys (a queue, a session): put and deleted while still in the memtable, so their
    // tombstones reach a table that overlaps nothing else, and nothing below can hold those keys.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 200; i++) await c.put(`tmp:${round}:${i}`, 'short-lived');
      for (let i = 0; i < 200; i++) await c.delete(`tmp:${round}:${i}`);
      await c.flush();
    }
    assert.equal(tombstones(c.stats()), 400);
    await c.compact();
    const s = c.stats();
    assert.equal(tombstones(s), 0, `no tombstone is left (${shape(s)})`);
    await assertMatches(c, model, 'after compact()', ['tmp:0:0', 'tmp:1:199']);
    await o.m.closeAll();
  });
});

describe('the compaction worker process', () => {
  test('killing the compaction worker mid-compaction loses nothing and compaction resumes', async (t) => {
    const control = new ControlledLauncher();
    const o = await fresh({
      memtableBytes: 32 * 1024,
      level1TargetBytes: 128 * 1024,
      targetFileBytes: 32 * 1024,
      compactionLauncher: control.launcher,
    });
    const { c } = o;
    const KEYS = 4000;
    const WORKERS = 8;
    const model = new Map<string, string>();
    let stop = false;
    let writes = 0;
    const writer = async (w: number) => {
      const r = seededRandom(500 + w);
      for (let i = 0; !stop; i++) {
        const k = key(w + WORKERS * Math.floor(r() * (KEYS / WORKERS))); // each worker owns its keys
        if (r() < 0.15) {
          await c.delete(k);
          model.delete(k);
        } else {
          const v = `${w}:${i}:${'x'.repeat(Math.floor(r() * 200))}`;
          await c.put(k, v);
          model.set(k, v);
        }
        writes++;
      }
    };
    const ended: number[] = [];
    const merged: number[] = []; // ended, and not a trivial move: merged by a worker
    const failed: { id: number; message: string; retryInMs?: number }[] = [];
    c.on('compaction-end', (e: { id: number; move?: boolean }) => {
      ended.push(e.id);
      if (!e.move) merged.push(e.id);
    });
    c.on('compaction-error', (e: { id: number; message: string; retryInMs?: number }) => failed.push(e));
    const writers = Array.from({ length: WORKERS }, (_, w) => writer(w));

    const rand = seededRandom(4242);
    const KILLS = 3;
    let kills = 0;
    let beforeDone = 0;
    let attempts = 0;
    while (kills < KILLS) {
      assert.ok(++attempts < 200, 'compactions kept finishing before the kill landed');
      const started = await nextEvent(c, 'compaction-start');
      await sleep(Math.floor(rand() * 6)); // a few ms into the job
      const s = c.stats();
      if (s.compaction.running?.id !== started.id || s.compaction.workerPid === undefined) continue;
      const { killed, dropped } = control.killWorker(s.compaction.workerPid);
      if (!killed) continue;
      kills++;
      await waitFor(
        () => failed.some((f) => f.id === started.id),
        () => `compaction ${started.id} to fail after its worker was killed`,
      );
      assert.ok(!ended.includes(started.id), 'the killed job was not installed');
      if (!dropped.some((m) => m.type === 'done')) beforeDone++;
      // Compaction resumes on a new worker: a later merge completes.
      await waitFor(
        () => merged.some((id) => id > started.id),
        () => `a merge to complete after kill ${kills} (${shape(c.stats())})`,
      );
    }
    stop = true;
    await Promise.all(writers);
    t.diagnostic(
      `${writes} writes; ${kills} kills, ${beforeDone} before the worker had reported done; ${merged.length} merges and ${ended.length - merged.length} moves completed`,
    );

    const s = c.stats();
    assert.ok(s.compaction.errors >= kills, `compaction.errors is ${s.compaction.errors} after ${kills} kills`);
    assert.match(s.compaction.lastError ?? '', /killed by SIGKILL/);
    assert.ok(s.compaction.workerStarts >= kills + 1, `workerStarts is ${s.compaction.workerStarts}`);
    assert.ok(
      failed.every((f) => f.retryInMs !== undefined && f.retryInMs > 0),
      'each failure schedules a retry',
    );
    assert.equal(s.writeError, undefined, 'the collection still accepts writes');
    await assertMatches(c, model, 'after the kills');
    const compactionsBefore = s.totals.compactions;
    await c.compact();
    await settle(c);
    assert.ok(c.stats().totals.compactions > compactionsBefore, 'compactions keep completing');
    assertLevelsDisjoint(c.stats(), 'after compact()');
    await assertMatches(c, model, 'after compact()');
    await assertNoStrayTables(c, o.colDir, 'once idle after compact()');
    const r = await reopen(o);
    await assertMatches(r.c, model, 'after reopen');
    await r.m.closeAll();
  });

  test('SIGKILL of the whole process during a compaction: reopen is correct', async (t) => {
    const base = join(dir.path, 'killed-compacting');
    const plan = [
      { mode: 'nosync', workers: 4, verifyHere: true },
      { mode: 'mixed', workers: 2, verifyHere: false },
      { mode: 'nosync', workers: 1, verifyHere: true },
      { mode: 'mixed', workers: 4, verifyHere: false },
      { mode: 'nosync', workers: 2, verifyHere: true },
      { mode: 'nosync', workers: 4, verifyHere: true },
    ];
    const rand = seededRandom(31337);
    let expect: Expectation = exactly(new Map());
    let midCompaction = 0;
    let compactionsDone = 0;
    for (let i = 0; i < plan.length; i++) {
      const { mode, workers, verifyHere } = plan[i];
      const seed = 2000 + i;
      const delayMs = 1 + Math.floor(rand() * 3);
      const where = `round ${i} (${mode}, ${workers} worker(s), killed ${delayMs} ms into a merge)`;
      const r = await runCompactingWriter(base, seed, mode, workers, delayMs);
      assert.deepEqual(r.out.errors, [], `${where}: writer failed\n${r.stderr}`);
      assert.deepEqual(r.out.problems, [], `${where}: writer output out of protocol`);
      assert.equal(r.signal, 'SIGKILL', `${where}: writer was not killed but exited\n${r.stderr}`);
      assert.ok(r.out.ready && r.out.dump !== undefined, `${where}: writer never got ready\n${r.stderr}`);
      checkOrFail(expect, r.out.dump, `${where}, state the writer recovered at open`);
      assert.ok(
        r.out.attempts.some((a) => a.acked),
        `${where}: no write was acknowledged`,
      );
      if (r.out.compactingAtEnd) midCompaction++;
      compactionsDone += r.out.compactionEnds;
      expect = expectAfter(r.out.dump, seed, r.out);
      if (verifyHere || i === plan.length - 1) {
        const got = await readBack(base);
        checkOrFail(expect, got.state, `${where}, state reopened by the test`);
        assert.deepEqual(got.onDisk, got.live, `${where}: after reopen, the .sst files on disk are exactly the live tables`);
        expect = exactly(got.state);
      }
      t.diagnostic(
        `${where}: ${r.out.attempts.length} writes, ${r.out.compactionStarts} compactions started, ${r.out.compactionEnds} installed${r.out.compactingAtEnd ? ', killed mid-compaction' : ''}`,
      );
    }
    const final = await readBack(base);
    checkOrFail(expect, final.state, 'after a clean reopen');
    assert.deepEqual(final.onDisk, final.live, 'after a clean reopen, the .sst files on disk are exactly the live tables');
    t.diagnostic(
      `${midCompaction} of ${plan.length} rounds killed mid-compaction; ${compactionsDone} compactions installed; levels ${final.shape}`,
    );
    assert.ok(midCompaction > plan.length / 2, `only ${midCompaction} of ${plan.length} rounds were killed mid-compaction`);
    assert.ok(compactionsDone > 0, 'compactions were installed in the killed writers');
    assert.ok(final.deepFiles > 0, 'data reached L1 and below');
  });
});

interface CompactingRound {
  out: WriterOutput;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/**
 * Runs kill-writer.ts with STRATA_KILL_COMPACT=1 and SIGKILLs it `delayMs`
 * after the start of its second merge (not a trivial move) after its first
 * acknowledged write: by then the worker process is warm, so the kill lands
 * in the merge rather than in the worker's start-up. If that does not come
 * within 6 s, it is killed then.
 */
async function runCompactingWriter(base: string, seed: number, mode: string, workers: number, delayMs: number): Promise<CompactingRound> {
  let firstAck = -1;
  let armed = false;
  let fallback: NodeJS.Timeout | undefined;
  const run = await runKillWriter({ base, seed, mode, workers, env: { STRATA_KILL_COMPACT: '1' }, safetyMs: 20_000 }, (stdout, kill) => {
    if (firstAck < 0) {
      const m = /(^|\n)K /.exec(stdout);
      if (m === null) return;
      firstAck = m.index;
      fallback = setTimeout(kill, 6_000);
    }
    if (!armed && (stdout.slice(firstAck).match(/\nCS \d+ \d+ \d+ 0\n/g)?.length ?? 0) >= 2) {
      armed = true;
      setTimeout(kill, delayMs);
    }
  });
  if (fallback) clearTimeout(fallback);
  return { out: parseWriterOutput(run.stdout), stderr: run.stderr, signal: run.signal };
}

async function readBack(
  base: string,
): Promise<{ state: Map<string, string>; live: number[]; onDisk: number[]; deepFiles: number; shape: string }> {
  // No compaction worker: what is on disk is what recovery left, plus the flush of the recovered log.
  const m = manager({ baseDataPath: base, compactionLauncher: inertLauncher });
  try {
    const c = await m.useCollection(COLLECTION);
    await c.flush();
    const s = c.stats();
    const onDisk = idsOnDisk(join(base, COLLECTION));
    const state = new Map<string, string>();
    for await (const [k, v] of c.scan()) state.set(k, v);
    return { state, live: liveIds(s), onDisk, deepFiles: s.levels.slice(1).reduce((n, l) => n + l.fileCount, 0), shape: shape(s) };
  } finally {
    await m.closeAll();
  }
}

function checkOrFail(expect: Expectation, actual: Map<string, string>, where: string): void {
  const problems = checkState(expect, actual);
  assert.deepEqual(problems.slice(0, 12), [], `${where}: ${problems.length} durability violation(s)`);
}

describe('reads during compaction', () => {
  test('a scan that runs across several compactions sees a consistent snapshot and no file it reads disappears', async () => {
    const o = await fresh({ memtableBytes: 16 * 1024, level1TargetBytes: 64 * 1024, targetFileBytes: 16 * 1024 });
    const { c, colDir } = o;
    const old = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      old.set(key(i), `old-${i}-${'s'.repeat(i % 50)}`);
      await c.put(key(i), old.get(key(i))!);
    }
    await settle(c);
    for (let i = 0; i < 3000; i += 500) {
      old.set(key(i), `old-in-memtable-${i}`); // part of the snapshot still in the memtable
      await c.put(key(i), old.get(key(i))!);
    }
    const it = c.scan();
    const seen: [string, string][] = [];
    for (let i = 0; i < 10; i++) seen.push((await it.next()).value as [string, string]);
    const pinned = liveIds(c.stats());
    assert.ok(pinned.length >= 3, `the scan pins several tables (${shape(c.stats())})`);

    const model = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3000; i++) {
        if ((i + round) % 4 === 0) {
          await c.delete(key(i));
          model.delete(key(i));
        } else {
          model.set(key(i), `new${round}-${i}`);
          await c.put(key(i), model.get(key(i))!);
        }
      }
      await c.compact();
      await settle(c);
      const live = new Set(liveIds(c.stats()));
      const replaced = pinned.filter((id) => !live.has(id));
      assert.equal(replaced.length, pinned.length, `round ${round}: every table the scan pinned was compacted away`);
      const missing = pinned.filter((id) => !existsSync(join(colDir, tableFileName(id))));
      assert.deepEqual(missing, [], `round ${round}: tables the open scan reads are still on disk`);
      assert.equal(await c.get(key(1)), model.get(key(1)), 'reads outside the scan see the new data');
    }
    for await (const e of it) seen.push(e);
    assert.equal(seen.length, old.size);
    assert.deepEqual(seen, sorted(old), 'the scan returned exactly the data of its snapshot');
    assert.equal(c.stats().openScans, 0);
    await waitFor(
      () => pinned.every((id) => !existsSync(join(colDir, tableFileName(id)))),
      () => `the scan's obsolete tables to be deleted: ${pinned.filter((id) => existsSync(join(colDir, tableFileName(id))))}`,
      5_000,
    );
    await assertNoStrayTables(c, colDir, 'after the scan ended');
    await assertMatches(c, model, 'after the scan');
    await o.m.closeAll();
  });
});

describe('backpressure', () => {
  test('a write held by the slowdown is not let through once the gate has stopped', async () => {
    let state: GateState = { state: 'slow', reason: 'level0-slowdown' };
    const gate = new WriteGate(
      () => state,
      () => {},
    );
    let submitted = 0;
    const write = gate.admit(async () => {
      submitted++;
    });
    assert.equal(submitted, 0, 'slowed down: the write waits for the next 1 ms slot');
    state = { state: 'stop', reason: 'level0-stop' }; // e.g. a flush brought L0 to the stop trigger within that millisecond
    await sleep(10); // timers fire in order of due time: the gate's 1 ms slot has come and gone
    assert.equal(submitted, 0, 'the slot came, but the gate is stopped now: the write keeps waiting');
    state = { state: 'slow', reason: 'level0-slowdown' }; // compaction brought L0 back under the stop trigger
    gate.pump();
    await sleep(10);
    assert.equal(submitted, 1, 'back to slowdown: the write goes in the next slot');
    await write;
    assert.equal(gate.stalled, true);
    state = { state: 'open' };
    gate.pump();
    assert.equal(gate.stalled, false);
    assert.equal(gate.stalls, 1, 'one stall, from the first slowdown to the open gate');
  });

  test('under sustained writes backpressure holds L0 bounded', async (t) => {
    // The first compaction's result is held back until writes have stalled at the L0 stop trigger, so
    // the test reaches the stop trigger however fast compaction runs here; then compaction goes freely.
    const control = new ControlledLauncher();
    control.holdDone = true;
    const o = await fresh({ memtableBytes: 32 * 1024, compactionLauncher: control.launcher }); // default L0 triggers 4 / 8 / 12, maxImmutableMemtables 2
    const { c } = o;
    const opts = c.options;
    const WRITERS = 32;
    const PER_WRITER = 800;
    let maxL0 = 0;
    let maxImms = 0;
    let samples = 0;
    const memStart = process.memoryUsage();
    let maxRss = memStart.rss;
    let maxHeap = memStart.heapUsed;
    const sample = () => {
      const s = c.stats();
      samples++;
      maxL0 = Math.max(maxL0, s.levels[0].fileCount);
      maxImms = Math.max(maxImms, s.immutableMemtables.length);
      if (samples % 8 === 0) {
        const mem = process.memoryUsage();
        maxRss = Math.max(maxRss, mem.rss);
        maxHeap = Math.max(maxHeap, mem.heapUsed);
      }
    };
    for (const e of ['flush-start', 'flush-end', 'compaction-start', 'compaction-end', 'version'] as const) c.on(e, sample);
    const stalls: { phase: string; reason: string; durationMs?: number }[] = [];
    c.on('write-stall', (e) => {
      stalls.push(e);
      sample();
    });
    const model = new Map<string, string>();
    const writer = async (w: number) => {
      const r = seededRandom(900 + w);
      for (let i = 0; i < PER_WRITER; i++) {
        const k = key(w + WRITERS * Math.floor(r() * 600)); // each writer owns its keys
        const v = `${w}.${i}.${'b'.repeat(60 + Math.floor(r() * 80))}`;
        await c.put(k, v);
        model.set(k, v);
        if (i % 16 === 0) sample();
      }
    };
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await waitFor(
      () => {
        const now = c.stats();
        return now.levels[0].fileCount >= opts.level0StopTrigger && now.stalls.active;
      },
      () => `writes to stall at the L0 stop trigger (${shape(c.stats())})`,
    );
    control.release();
    await writing;
    await settle(c);
    const s = c.stats();
    const ends = stalls.filter((e) => e.phase === 'end');
    t.diagnostic(
      `max L0 ${maxL0}, max immutable memtables ${maxImms}, ${s.stalls.count} stalls for ${s.stalls.totalMs.toFixed(0)} ms (${[...new Set(stalls.map((e) => e.reason))].join(', ')}), ` +
        `${s.totals.flushes} flushes, ${s.totals.compactions} compactions, rss +${((maxRss - memStart.rss) / 2 ** 20).toFixed(0)} MiB, heap +${((maxHeap - memStart.heapUsed) / 2 ** 20).toFixed(0)} MiB`,
    );
    // The gate admits a write only while L0 < level0StopTrigger and fewer than maxImmutableMemtables
    // memtables wait (so L0 + waiting memtables <= stop - 1 + max - 1 at the last admission). Writes
    // already admitted (here 32 x ~150 bytes, less than one memtable) can fill the memtable once more,
    // and every waiting memtable is flushed regardless of L0. So L0 can exceed the stop trigger by
    // maxImmutableMemtables - 1 (= 1 with the default of 2), never more.
    assert.ok(maxL0 <= opts.level0StopTrigger + opts.maxImmutableMemtables - 1, `L0 reached ${maxL0} files`);
    assert.ok(maxImms <= opts.maxImmutableMemtables, `${maxImms} immutable memtables waited for flush`);
    assert.ok(ends.length > 0, 'write-stall end events were emitted');
    assert.equal(stalls.filter((e) => e.phase === 'start').length, ends.length, 'every stall that started ended');
    for (const e of ends) {
      assert.ok(['memtables-full', 'level0-slowdown', 'level0-stop'].includes(e.reason), e.reason);
      assert.ok(Number.isFinite(e.durationMs) && e.durationMs! >= 0, `stall duration ${e.durationMs}`);
    }
    assert.ok(s.stalls.totalMs > 0, 'stall time is counted');
    assert.equal(s.stalls.count, ends.length);
    assert.equal(s.stalls.active, false);
    assert.ok(maxRss - memStart.rss < 512 * 2 ** 20, `rss grew by ${(maxRss - memStart.rss) / 2 ** 20} MiB`);
    assert.ok(maxHeap - memStart.heapUsed < 256 * 2 ** 20, `heap grew by ${(maxHeap - memStart.heapUsed) / 2 ** 20} MiB`);
    await assertMatches(c, model, 'after the writes');
    await o.m.closeAll();
  });
});

describe('events', () => {
  test('compaction-start/progress/end carry ids, levels, file ids, bytes and duration; a version event follows each install', async () => {
    const o = await fresh({ memtableBytes: 8 * 1024, level1TargetBytes: 16 * 1024, targetFileBytes: 8 * 1024 });
    const { c } = o;
    const log: [string, any][] = [];
    for (const name of ['compaction-start', 'compaction-progress', 'compaction-end', 'compaction-error', 'flush-end', 'version'] as const) {
      c.on(name, (e) => log.push([name, e]));
    }
    const liveAtStart = new Map<number, Set<number>>();
    c.on('compaction-start', (e: { id: number }) => liveAtStart.set(e.id, new Set(liveIds(c.stats()))));
    const rand = seededRandom(808);
    for (let i = 0; i < 3000; i++) await c.put(key(Math.floor(rand() * 2000)), `e${i}-${'q'.repeat(Math.floor(rand() * 60))}`);
    await settle(c);
    await c.compact();

    const starts = log.filter(([name]) => name === 'compaction-start').map(([, e]) => e);
    const ends = log.filter(([name]) => name === 'compaction-end').map(([, e]) => e);
    assert.equal(log.filter(([name]) => name === 'compaction-error').length, 0);
    assert.ok(starts.length >= 5, `${starts.length} compactions`);
    assert.equal(ends.length, starts.length, 'every compaction that started ended');
    const reasons = new Set(starts.map((e) => e.reason));
    for (const r of ['level0-files', 'level-size', 'manual']) assert.ok(reasons.has(r), `a ${r} compaction ran (saw ${[...reasons]})`);

    const ids = new Set<number>();
    let merges = 0;
    let moves = 0;
    for (let i = 0; i < log.length; i++) {
      const [name, e] = log[i];
      if (name === 'flush-end') {
        assert.equal(log[i + 1]?.[0], 'version', 'a version event follows each flush');
        continue;
      }
      if (name !== 'compaction-start') continue;
      // start
      assert.ok(Number.isInteger(e.id) && !ids.has(e.id), `compaction id ${e.id} is a new integer`);
      ids.add(e.id);
      assert.ok(Number.isInteger(e.level) && e.outputLevel === e.level + 1, `level ${e.level} -> ${e.outputLevel}`);
      // A level is compacted automatically only once it is due (score >= 1); a manual pick has no score.
      if (e.reason === 'manual') assert.equal(e.score, 0);
      else assert.ok(e.score >= 1, `a ${e.reason} compaction of L${e.level} started at score ${e.score}`);
      assert.deepEqual(
        e.inputs.map((x: { level: number }) => x.level),
        [e.level, e.outputLevel],
      );
      assert.ok(e.inputs[0].files.length > 0);
      let inputBytes = 0;
      for (const input of e.inputs) {
        for (const id of input.files) assert.ok(liveAtStart.get(e.id)!.has(id), `input table ${id} is live when the compaction starts`);
        assert.ok(input.bytes >= 0 && (input.files.length === 0 || input.bytes > 0));
        inputBytes += input.bytes;
      }
      assert.equal(e.inputBytes, inputBytes);
      // progress (a merge), then end, then the version it installed
      const endAt = log.findIndex(([nm, x], j) => j > i && nm === 'compaction-end' && x.id === e.id);
      assert.ok(endAt > i, `compaction ${e.id} ended`);
      assert.ok(!log.slice(i + 1, endAt).some(([nm]) => nm === 'compaction-start'), 'one compaction at a time');
      const end = log[endAt][1];
      assert.equal(end.id, e.id);
      assert.equal(end.level, e.level);
      assert.equal(end.outputLevel, e.outputLevel);
      assert.equal(end.reason, e.reason);
      assert.equal(end.move, e.move);
      assert.ok(Number.isFinite(end.durationMs) && end.durationMs >= 0);
      const inputIds: number[] = e.inputs.flatMap((x: { files: number[] }) => x.files);
      const progress = log
        .slice(i + 1, endAt)
        .filter(([nm, x]) => nm === 'compaction-progress' && x.id === e.id)
        .map(([, x]) => x);
      if (e.move) {
        // a trivial move: the files change level by a manifest edit, nothing is read or written
        moves++;
        assert.equal(e.inputs[1].files.length, 0, 'a move has no inputs in the next level');
        assert.equal(progress.length, 0);
        assert.deepEqual(
          end.outputs.map((f: { id: number }) => f.id),
          inputIds,
        );
        assert.equal(end.bytesRead + end.bytesWritten + end.entriesRead + end.entriesWritten + end.droppedEntries, 0);
        for (const f of end.outputs) assert.equal(f.level, e.outputLevel);
      } else {
        merges++;
        assert.ok(progress.length >= 1, `compaction ${e.id} reported progress`);
        for (const p of progress) {
          assert.equal(p.inputBytes, e.inputBytes);
          assert.ok(p.bytesRead >= 0 && p.bytesRead <= e.inputBytes && p.bytesWritten >= 0);
        }
        assert.equal(progress[progress.length - 1].bytesRead, e.inputBytes, 'the last progress event reports all input read');
        assert.equal(end.bytesRead, e.inputBytes);
        assert.equal(
          end.bytesWritten,
          end.outputs.reduce((sum: number, f: { bytes: number }) => sum + f.bytes, 0),
        );
        assert.ok(end.entriesRead > 0);
        assert.equal(end.entriesRead, end.entriesWritten + end.droppedVersions + end.droppedTombstones);
        assert.equal(end.droppedEntries, end.droppedVersions + end.droppedTombstones);
        for (const f of end.outputs) {
          assert.equal(f.level, e.outputLevel);
          assert.ok(f.bytes > 0 && f.entries > 0 && compareKeys(f.minKey, f.maxKey) <= 0);
          assert.ok(!inputIds.includes(f.id), 'outputs are new tables');
        }
      }
      const [nextName, version] = log[endAt + 1] ?? [];
      assert.equal(nextName, 'version', `a version event follows the install of compaction ${e.id}`);
      const levels: { level: number; files: { id: number }[] }[] = version.levels;
      for (const input of e.inputs) {
        for (const id of input.files) assert.ok(!levels[input.level].files.some((x) => x.id === id), `input ${id} left L${input.level}`);
      }
      for (const f of end.outputs)
        assert.ok(
          levels[e.outputLevel].files.some((x) => x.id === f.id),
          `output ${f.id} is in L${e.outputLevel}`,
        );
    }
    assert.ok(merges >= 3 && moves >= 1, `${merges} merges and ${moves} trivial moves`);
    const s = c.stats();
    assert.equal(s.totals.compactions, ends.length);
    assert.equal(
      s.totals.bytesCompacted,
      ends.reduce((sum, e) => sum + e.bytesWritten, 0),
    );
    assert.equal(
      s.levels.reduce((sum, l) => sum + l.compactionBytesWritten, 0),
      s.totals.bytesCompacted,
    );
    assert.equal(
      s.levels.reduce((sum, l) => sum + l.compactionBytesRead, 0),
      ends.reduce((sum, e) => sum + e.bytesRead, 0),
    );
    assert.ok(s.totals.writeAmplification > 1);
    // After compact() nothing is due, and the bottom level is never compacted further.
    for (const l of s.levels) {
      assert.ok(l.score < 1, `L${l.level} is not due after compact() (score ${l.score})`);
      assert.equal(l.files.length, l.fileCount);
    }
    assert.equal(s.levels.at(-1)!.score, 0);
    assert.equal(s.compaction.running, undefined);
    assert.equal(s.compaction.errors, 0);
    assert.equal(typeof s.compaction.workerPid, 'number');
    assert.equal(s.compaction.workerStarts, 1);
    await o.m.closeAll();
  });
});

describe('process lifetime', () => {
  test('a program that never closes its collection still exits once compaction is idle', async () => {
    const base = join(dir.path, 'no-close');
    const script = join(dir.path, 'no-close.mts');
    const { writeFileSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const engine = JSON.stringify(fileURLToPath(new URL('../index.ts', import.meta.url)));
    writeFileSync(
      script,
      `import { StorageManager } from ${engine};
const m = new StorageManager({ baseDataPath: ${JSON.stringify(base)}, memtableBytes: 8192 });
await m.createCollection('a');
const c = await m.useCollection('a');
for (let i = 0; i < 3000; i++) await c.put('k' + (i % 700), 'x'.repeat(50));
await c.compact();
console.log('workers', c.stats().compaction.workerStarts);
`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ENGINE_ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.error, undefined, 'the process exited by itself (no timeout)');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /workers [1-9]/, 'a compaction worker was started');
  });
});
