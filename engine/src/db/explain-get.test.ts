/**
 * explainGet: the path a get takes, checked against where the keys really
 * are (the model of what was written, stats() and inspectTable), and against
 * get itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StorageManager } from '../manager/storage-manager.js';
import { HeldSyncFileSystem } from '../testing/held-sync-fs.js';
import { isStorageError } from '../testing/storage-error.js';
import { seededRandom } from '../testing/random.js';
import { collectionFixture } from '../testing/collection-fixture.js';
import { compareKeys } from '../util/key-order.js';
import type { Collection } from './collection.js';
import type { GetExplanation, LevelProbe, MemtableProbe, TableProbe } from './explain-get.js';

const { manager, open } = collectionFixture('strata-explain');

async function reopen(base: string, m: StorageManager): Promise<{ m: StorageManager; c: Collection }> {
  await m.closeAll();
  const m2 = manager({ baseDataPath: base });
  return { m: m2, c: await m2.useCollection('t') };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits (with a hang guard, not a timing assertion) until no flush or compaction is running or due. */
async function settle(c: Collection): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = c.stats();
    const due = c.options.autoCompaction && s.levels.slice(0, -1).some((l) => l.score >= 1);
    if (s.compaction.running === undefined && !due && s.immutableMemtables.length === 0) return;
    if (Date.now() > deadline) assert.fail('timed out waiting for compaction to settle');
    await sleep(5);
  }
}

const key = (i: number) => `k${String(i).padStart(4, '0')}`;
const tables = (e: GetExplanation) => e.steps.filter((s): s is TableProbe => s.step === 'table');
const levelSteps = (e: GetExplanation) => e.steps.filter((s): s is LevelProbe => s.step === 'level');
const memSteps = (e: GetExplanation) => e.steps.filter((s): s is MemtableProbe => s.step === 'memtable');

/** The live tables (per stats()) whose key range holds `k`, as [level, id]. */
function tablesCovering(c: Collection, k: string): [number, number][] {
  return c
    .stats()
    .levels.flatMap((l) =>
      l.files.filter((f) => compareKeys(f.minKey, k) <= 0 && compareKeys(k, f.maxKey) <= 0).map((f) => [l.level, f.id] as [number, number]),
    );
}

/** The entries inspectTable finds in table `id`, as key -> tombstone flag. */
async function contents(c: Collection, id: number): Promise<Map<string, boolean>> {
  const t = await c.inspectTable(id, { firstEntries: 10_000 });
  return new Map(t.firstEntries.map((e) => [e.key, e.tombstone]));
}

/** Internal consistency every explanation must have, whatever the key. */
function checkShape(e: GetExplanation): void {
  const ts = tables(e);
  assert.equal(e.counters.tablesConsidered, ts.length);
  assert.equal(e.counters.keyRangeSkips, ts.filter((t) => t.outcome === 'skipped-key-range').length);
  assert.equal(e.counters.bloomSkips, ts.filter((t) => t.outcome === 'skipped-bloom').length);
  assert.equal(e.counters.blocksRead, ts.filter((t) => t.block !== undefined).length);
  assert.equal(e.counters.blockCacheHits, ts.filter((t) => t.block?.source === 'cache').length);
  assert.equal(e.counters.memtablesChecked, memSteps(e).length);
  const last = e.steps.at(-1);
  if (e.result === 'absent') {
    assert.equal(e.foundIn, undefined);
    assert.ok(!e.steps.some((s) => s.step !== 'level' && ['value', 'tombstone'].includes(s.outcome)), 'an absent key was found nowhere');
  } else {
    assert.ok(last && last.step !== 'level', 'the lookup ends at the source that answered');
    assert.equal(last.outcome, e.result === 'value' ? 'value' : 'tombstone');
    assert.equal(last.sequence, e.sequence);
    if (last.step === 'table') assert.deepEqual(e.foundIn, { source: 'table', level: last.level, id: last.id });
  }
  assert.equal(e.value === undefined, e.result !== 'value');
}

describe('explainGet', () => {
  test('a key in the active memtable is answered there, before any table', async () => {
    const { c } = await open({ autoCompaction: false });
    await c.put('a', 'on disk');
    await c.flush();
    await c.put('a', 'in memory');
    await c.delete('b');
    const a = await c.explainGet('a');
    assert.equal(a.result, 'value');
    assert.equal(a.value, 'in memory');
    assert.deepEqual(a.foundIn, { source: 'memtable' });
    assert.equal(a.steps.length, 1);
    assert.deepEqual(a.steps[0], {
      step: 'memtable',
      memtable: 'active',
      index: 0,
      walNumber: c.stats().memtable.walNumber,
      entries: 2,
      outcome: 'value',
      sequence: 2,
    });
    assert.equal(a.counters.tablesConsidered, 0);
    const b = await c.explainGet('b');
    assert.equal(b.result, 'deleted');
    assert.equal(b.value, undefined);
    assert.equal(b.sequence, 3);
    assert.equal(b.lastSequence, 3);
    checkShape(a);
    checkShape(b);
  });

  test('memtables waiting for flush are searched after the active one, newest first', async () => {
    // Table fsyncs wait, so the memtables stay waiting for flush.
    const fs = new HeldSyncFileSystem();
    fs.hold();
    const { c } = await open({ fileSystem: fs, autoCompaction: false, maxImmutableMemtables: 4 });
    await c.put('x', 'oldest');
    await c.put('only-old', '1');
    const first = c.flush();
    await c.put('x', 'newer');
    const second = c.flush();
    await c.put('y', 'active');
    const waiting = c.stats().immutableMemtables;
    assert.equal(waiting.length, 2, 'both memtables wait for their flush');

    const x = await c.explainGet('x');
    assert.deepEqual(
      memSteps(x).map((s) => [s.memtable, s.index, s.walNumber, s.outcome]),
      [
        ['active', 0, c.stats().memtable.walNumber, 'miss'],
        ['immutable', 0, waiting[1].walNumber, 'value'],
      ],
    );
    assert.equal(x.value, 'newer');
    assert.deepEqual(x.foundIn, { source: 'immutable-memtable' });
    const old = await c.explainGet('only-old');
    assert.deepEqual(
      memSteps(old).map((s) => [s.memtable, s.index, s.outcome]),
      [
        ['active', 0, 'miss'],
        ['immutable', 0, 'miss'],
        ['immutable', 1, 'value'],
      ],
    );
    const none = await c.explainGet('nothing');
    assert.equal(none.result, 'absent');
    assert.equal(none.counters.memtablesChecked, 3);
    assert.deepEqual(
      levelSteps(none).map((l) => l.outcome),
      Array(7).fill('empty'),
      'no table exists yet',
    );
    for (const e of [x, old, none]) checkShape(e);
    fs.release();
    await Promise.all([first, second]);
    assert.deepEqual(memSteps(await c.explainGet('only-old')).length, 1, 'after the flushes only the active memtable is left');
  });

  test('keys are found where flushes and compactions put them; a tombstone in L0 shadows the value below it', async () => {
    const { c } = await open({
      blockBytes: 256,
      level1TargetBytes: 4096,
      levelSizeMultiplier: 2,
      targetFileBytes: 2048,
      memtableBytes: 1024 * 1024,
    });
    // Even keys only, in two overlapping flushes so compaction merges and cuts many small files.
    for (let i = 0; i < 600; i += 2) await c.put(key(i), `v1-${i}-${'x'.repeat(i % 17)}`);
    await c.flush();
    for (let i = 0; i < 600; i += 4) await c.put(key(i), `v2-${i}`);
    await c.compact();
    await settle(c);
    const deep = c.stats().levels.filter((l) => l.level > 0 && l.fileCount > 0);
    assert.ok(
      deep.some((l) => l.fileCount > 1),
      'some deeper level has several files to search between',
    );
    assert.equal(c.stats().levels[0].fileCount, 0);

    // One L0 table over [k0100, k0301], then two writes left in the memtable.
    await c.delete(key(100));
    await c.delete(key(200));
    await c.put(key(300), 'v3');
    await c.put(key(301), 'new');
    await c.flush();
    await c.put(key(400), 'mem');
    await c.delete(key(402));
    const l0 = c.stats().levels[0].files;
    assert.equal(l0.length, 1);
    const l0Id = l0[0].id;

    const inMem = await c.explainGet(key(400));
    assert.deepEqual([inMem.result, inMem.value, inMem.foundIn?.source], ['value', 'mem', 'memtable']);
    const delMem = await c.explainGet(key(402));
    assert.deepEqual([delMem.result, delMem.foundIn?.source, delMem.counters.tablesConsidered], ['deleted', 'memtable', 0]);

    const inL0 = await c.explainGet(key(300));
    assert.deepEqual([inL0.result, inL0.value], ['value', 'v3']);
    assert.deepEqual(inL0.foundIn, { source: 'table', level: 0, id: l0Id });
    assert.deepEqual(levelSteps(inL0), [{ step: 'level', level: 0, files: 1, outcome: 'every-file' }]);
    const t = tables(inL0)[0];
    assert.equal(t.bloom, 'may-contain');
    assert.ok(t.block && t.block.index >= 0 && t.block.bytes > 0 && t.block.offset >= 0);

    // k0100 still has its value in a deeper table, but the L0 tombstone answers first.
    const shadowed = await c.explainGet(key(100));
    assert.equal(shadowed.result, 'deleted');
    assert.deepEqual(shadowed.foundIn, { source: 'table', level: 0, id: l0Id });
    assert.ok(!shadowed.steps.some((s) => s.step === 'level' && s.level > 0), 'no deeper level is searched');
    const below = tablesCovering(c, key(100)).filter(([level]) => level > 0);
    assert.equal(below.length, 1);
    assert.equal((await contents(c, below[0][1])).get(key(100)), false, 'the older value is still in the deeper table');

    // A key written once, long ago: L0 skipped by key range, then the one deeper file holding it.
    for (const i of [0, 2, 250, 598]) {
      const e = await c.explainGet(key(i));
      checkShape(e);
      assert.equal(e.result, 'value');
      assert.equal(e.value, i % 4 === 0 ? `v2-${i}` : `v1-${i}-${'x'.repeat(i % 17)}`);
      const l0Step = tables(e).find((s) => s.level === 0)!;
      if (compareKeys(key(i), key(100)) < 0 || compareKeys(key(i), key(301)) > 0) assert.equal(l0Step.outcome, 'skipped-key-range');
      const where = tablesCovering(c, key(i)).filter(([level]) => level > 0);
      assert.equal(where.length, 1, `${key(i)} is in one deeper table`);
      const [level, id] = where[0];
      assert.deepEqual(e.foundIn, { source: 'table', level, id: id });
      assert.ok((await contents(c, id)).has(key(i)));
      // Every level between L0 and the answer was binary-searched and had no file for the key.
      for (const l of levelSteps(e).filter((s) => s.level > 0 && s.level < level)) assert.ok(['empty', 'no-file'].includes(l.outcome));
      assert.deepEqual(levelSteps(e).at(-1), {
        step: 'level',
        level,
        files: c.stats().levels[level].fileCount,
        outcome: 'file',
        id: id,
      });
    }
  });

  test('an absent key is skipped by key range outside every table and by the bloom filter inside one', async () => {
    const { c } = await open({ autoCompaction: false, blockBytes: 256 });
    for (let i = 0; i < 400; i += 2) await c.put(key(i), `v${i}`);
    await c.flush();
    await c.compact();
    for (let i = 100; i < 200; i += 2) await c.put(key(i), `w${i}`);
    await c.flush();
    const [l0] = c.stats().levels[0].files;
    const [l1] = c.stats().levels[1].files;

    const outside = await c.explainGet('zzz');
    checkShape(outside);
    assert.equal(outside.result, 'absent');
    assert.deepEqual(
      tables(outside).map((t) => [t.level, t.id, t.outcome]),
      [[0, l0.id, 'skipped-key-range']],
    );
    assert.deepEqual(levelSteps(outside)[1], { step: 'level', level: 1, files: 1, outcome: 'no-file' });
    assert.equal(outside.counters.blocksRead, 0);

    // Odd keys lie inside both tables' ranges but were never written: the filters turn nearly all of them away.
    let bloomSkipped = 0;
    for (let i = 101; i < 198; i += 2) {
      const e = await c.explainGet(key(i));
      checkShape(e);
      assert.equal(e.result, 'absent');
      assert.deepEqual(
        tables(e).map((t) => t.id),
        [l0.id, l1.id],
      );
      for (const t of tables(e)) {
        assert.ok(t.outcome === 'skipped-bloom' || t.outcome === 'not-in-table', t.outcome);
        if (t.outcome === 'skipped-bloom') {
          assert.equal(t.block, undefined, 'a table the filter rejects is not read');
          bloomSkipped++;
        } else assert.ok(t.block, 'a filter false positive costs one block read');
      }
    }
    assert.ok(bloomSkipped >= 85, `${bloomSkipped} of 98 table probes skipped by bloom filter`);
  });

  test('without bloom filters an absent key costs a block read: from disk first, then from the block cache', async () => {
    const { c } = await open({ autoCompaction: false, bloomBitsPerKey: 0, blockBytes: 256 });
    for (let i = 0; i < 200; i += 2) await c.put(key(i), `v${i}`);
    await c.flush();
    const first = await c.explainGet(key(51));
    checkShape(first);
    const [t] = tables(first);
    assert.deepEqual([t.bloom, t.outcome, t.block?.source], ['not-used', 'not-in-table', 'disk']);
    const again = await c.explainGet(key(51));
    assert.deepEqual(tables(again)[0].block, { ...t.block, source: 'cache' });
    assert.equal(again.counters.blockCacheHits, 1);
    // The block explainGet reads for a key is the one get reads: get fills it, explainGet then finds it cached.
    const other = key(150);
    await c.get(other);
    assert.equal(tables(await c.explainGet(other))[0].block?.source, 'cache');
  });

  test('explainGet adds to the block cache exactly what get adds', async () => {
    const { m, c, base } = await open({ autoCompaction: false, blockBytes: 256 });
    for (let i = 0; i < 300; i++) await c.put(key(i), `value-${i}`);
    await c.flush();
    const probes = [key(3), key(150), key(299), key(150), 'absent'];
    const { m: m1, c: c1 } = await reopen(base, m);
    for (const k of probes) await c1.get(k);
    const afterGets = c1.stats().blockCache.usedBytes;
    const { c: c2 } = await reopen(base, m1);
    for (const k of probes) await c2.explainGet(k);
    assert.ok(afterGets > 0);
    assert.equal(c2.stats().blockCache.usedBytes, afterGets);
  });

  test('agrees with get on random keys after random writes, deletes, flushes and compactions', async () => {
    const { c } = await open({
      memtableBytes: 16 * 1024,
      blockBytes: 256,
      level1TargetBytes: 8 * 1024,
      levelSizeMultiplier: 2,
      targetFileBytes: 4096,
    });
    const r = seededRandom(4242);
    const model = new Map<string, string>();
    const deleted = new Set<string>();
    for (let i = 0; i < 6000; i++) {
      const k = key(Math.floor(r() * 1500));
      if (r() < 0.2) {
        await c.delete(k);
        model.delete(k);
        deleted.add(k);
      } else {
        const v = `${i}-${'p'.repeat(Math.floor(r() * 40))}`;
        await c.put(k, v);
        model.set(k, v);
        deleted.delete(k);
      }
      if (i === 3000) await c.compact();
    }
    const results = { value: 0, deleted: 0, absent: 0 };
    const sources = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const k = key(Math.floor(r() * 1700));
      const e = await c.explainGet(k);
      checkShape(e);
      assert.equal(e.value, await c.get(k), `explainGet(${k}) and get(${k}) agree`);
      assert.equal(e.value, model.get(k), `${k} as the model has it`);
      if (e.result === 'deleted') assert.ok(deleted.has(k), `${k} reported deleted was deleted last`);
      results[e.result]++;
      sources.add(e.foundIn?.source === 'table' ? `L${e.foundIn.level === 0 ? 0 : '1+'}` : (e.foundIn?.source ?? 'none'));
    }
    assert.ok(results.value > 0 && results.deleted > 0 && results.absent > 0, JSON.stringify(results));
    for (const s of ['memtable', 'L1+']) assert.ok(sources.has(s), `some key was answered by ${s} (saw ${[...sources]})`);
  });

  test('refuses a bad key as get does, and a closed collection', async () => {
    const { m, c } = await open();
    await assert.rejects(c.explainGet(''), isStorageError('INVALID_KEY'));
    await assert.rejects(c.explainGet(7 as unknown as string), isStorageError('INVALID_KEY'));
    await m.closeAll();
    await assert.rejects(c.explainGet('a'), isStorageError('CLOSED'));
  });
});
