/**
 * Repair, checked against a model. A collection is built with tables on
 * several levels (so sequence ranges interleave across levels) and unflushed
 * WAL records; then one kind of file at a time is damaged at seeded offsets,
 * the collection is repaired and opened, and every key is compared with
 * what was written:
 *   - repair and the open after it always succeed;
 *   - a key whose newest version lies outside the damaged bytes reads
 *     exactly that version (every record in an intact file is readable);
 *   - a key whose newest version was in the damaged bytes reads an older
 *     value written to it, or nothing, never a value never written.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Collection } from '../db/collection.js';
import { scanLog } from '../log/log-scan.js';
import { decodeBatch, ValueKind } from '../log/write-batch.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { TableBuilder } from '../table/table-builder.js';
import { summaryOf, type TableSummary } from '../version/table-summary.js';
import { tableFileName } from '../version/file-names.js';
import { VersionSet } from '../version/version-set.js';
import { Version } from '../version/version.js';
import { StorageManager } from '../manager/storage-manager.js';
import { TableSalvage } from '../table/table-salvage.js';
import { decodeFooter, FOOTER_BYTES } from '../table/table-format.js';
import { seededRandom } from '../testing/random.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';

const tmp = tempDir('strata-repair');
after(tmp.cleanup);

const OPTIONS = {
  memtableBytes: 1024 * 1024,
  blockBytes: 256,
  targetFileBytes: 2048,
  level0CompactionTrigger: 2,
  level1TargetBytes: 4096,
  levelSizeMultiplier: 2,
};
const KEYS = 500;
const key = (i: number) => `key-${String(i).padStart(4, '0')}`;

/** Every write to each key, in order, with its sequence number; undefined value = delete. */
type History = Map<string, { sequence: number; value: string | undefined }[]>;

async function settled(c: Collection): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const s = c.stats();
    if (s.compaction.running === undefined && s.levels.every((l) => l.score < 1)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('compactions did not settle');
}

/** Builds the pristine collection "t" under `base`; returns what was written. */
async function build(base: string): Promise<History> {
  const m = new StorageManager({ baseDataPath: base, ...OPTIONS });
  await m.createCollection('t');
  const c = await m.useCollection('t');
  const rand = seededRandom(2015);
  const history: History = new Map();
  let sequence = 0;
  const write = async (k: string, value: string | undefined, sync: boolean) => {
    if (value === undefined) await c.delete(k, { sync });
    else await c.put(k, value, { sync });
    sequence++;
    const h = history.get(k) ?? [];
    h.push({ sequence, value });
    history.set(k, h);
  };
  for (let round = 0; round < 6; round++) {
    for (let n = 0; n < 400; n++) {
      const k = key(Math.floor(rand() * KEYS));
      const value = rand() < 0.12 ? undefined : `r${round}-${n}-${'v'.repeat(Math.floor(rand() * 40))}`;
      await write(k, value, rand() < 0.1);
    }
    // The last round stays in the WAL.
    if (round < 5) {
      await c.flush();
      await settled(c);
    }
  }
  assert.equal(c.stats().lastSequence, sequence, 'one sequence number per write');
  const used = c
    .stats()
    .levels.filter((l) => l.fileCount > 0)
    .map((l) => l.level);
  assert.ok(used.length >= 3 && used.some((l) => l >= 2), `tables on several levels (${used})`);
  await m.closeAll();
  return history;
}

/** The sequence numbers whose versions lie in bytes [from, to) of the pristine file `name`. */
function versionsIn(dir: string, name: string, from: number, to: number): Promise<Set<number>> | Set<number> {
  const data = readFileSync(join(dir, name));
  const hit = new Set<number>();
  if (name.endsWith('.sst')) {
    const salvage = new TableSalvage(data, name);
    for (const block of salvage.blocks()) {
      if (block === undefined || block.offset + block.bytes <= from || block.offset >= to) continue;
      for (const e of block.entries) hit.add(e.sequence);
    }
    return hit;
  }
  if (name.endsWith('.log')) {
    return scanLog(data).then(({ records }) => {
      for (const r of records) {
        if (r.offset + 12 + r.payload.length <= from || r.offset >= to) continue;
        const batch = decodeBatch(r.payload, name);
        batch.ops.forEach((_, i) => hit.add(batch.firstSequence + i));
      }
      return hit;
    });
  }
  return hit;
}

async function readAll(c: Collection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of c.scan()) out.set(k, v);
  return out;
}

/** Checks the repaired collection against the model; returns how many keys read an older version or nothing. */
function check(history: History, read: Map<string, string>, hit: Set<number>, what: string): number {
  let older = 0;
  for (const k of read.keys()) assert.ok(history.has(k), `${what}: ${k} was never written`);
  for (const [k, versions] of history) {
    const newest = versions[versions.length - 1];
    const got = read.get(k);
    if (!hit.has(newest.sequence)) {
      assert.equal(got, newest.value, `${what}: ${k}'s newest version (sequence ${newest.sequence}) was intact, so it must read back`);
      continue;
    }
    if (got !== newest.value) older++;
    assert.ok(
      got === undefined || versions.some((v) => v.value === got),
      `${what}: ${k} reads ${JSON.stringify(got)}, never written to it`,
    );
  }
  return older;
}

describe('repair, model-checked over damage to each kind of file', () => {
  let pristine: string;
  let history: History;
  before(async () => {
    pristine = join(tmp.path, 'pristine');
    history = await build(pristine);
  });

  /** Files of the pristine collection matching `re`. */
  const files = (re: RegExp) =>
    readdirSync(join(pristine, 't'))
      .filter((f) => re.test(f))
      .sort();

  /**
   * Damages `name` at each of `cases` (byte range [from, to) xor-ed, or zeroed),
   * repairs, opens and checks. Returns per case the keys that read older.
   */
  async function damageAndRepair(kind: string, cases: { name: string; from: number; to: number; zero: boolean }[], expectMerges: boolean) {
    let n = 0;
    let older = 0;
    let merges = 0;
    for (const { name, from, to, zero } of cases) {
      const base = join(tmp.path, `${kind}-${n++}`);
      cpSync(pristine, base, { recursive: true });
      const dir = join(base, 't');
      const data = readFileSync(join(dir, name));
      for (let i = from; i < to; i++) data[i] = zero ? 0 : data[i] ^ 0x5a;
      writeFileSync(join(dir, name), data);
      const what = `${kind}: ${name} bytes [${from}, ${to}) ${zero ? 'zeroed' : 'flipped'}`;
      const hit = await versionsIn(join(pristine, 't'), name, from, to);
      const m = new StorageManager({ baseDataPath: base });
      const report = await m.repairCollection('t');
      const c = await m.useCollection('t');
      assert.deepEqual(c.stats().recovery.lostFiles, [], `${what}: the open after repair found nothing to set aside`);
      older += check(history, await readAll(c), hit, what);
      // The repaired collection takes writes, and they win over everything repaired.
      await c.put(key(0), 'after repair', { sync: true });
      assert.equal(await c.get(key(0)), 'after repair');
      await m.closeAll();
      assert.ok(report.manifest.entries > 0, `${what}: the new manifest lists tables`);
      // With the old manifest readable, its levels order the tables: nothing needs merging.
      if (!expectMerges) assert.deepEqual(report.merges, [], `${what}: no merge`);
      merges += report.merges.length;
      rmSync(base, { recursive: true, force: true });
    }
    return { older, merges };
  }

  const rand = seededRandom(4242);
  const pick = (n: number) => Math.floor(rand() * n);
  const spans = (name: string, lo: number, hi: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const from = lo + pick(hi - lo);
      const zero = i % 3 === 2;
      return { name, from, to: Math.min(hi, from + (zero ? 1 + pick(64) : 1)), zero };
    });

  test('write-ahead log: every intact record is kept, the damaged one may read older', async () => {
    const wal = files(/\.log$/).find((f) => readFileSync(join(pristine, 't', f)).length > 0)!;
    const end = (await scanLog(readFileSync(join(pristine, 't', wal)))).records.at(-1)!;
    const { older } = await damageAndRepair('wal', spans(wal, 0, end.offset + 12 + end.payload.length, 10), false);
    assert.ok(older > 0, 'some cases lost the newest version of a key (the test damages live data)');
  });

  test('table data blocks: the other blocks are kept, the damaged one may read older', async () => {
    const tables = files(/\.sst$/);
    const cases = Array.from({ length: 10 }, () => {
      const name = tables[pick(tables.length)];
      const data = readFileSync(join(pristine, 't', name));
      const dataEnd = decodeFooter(data.subarray(data.length - FOOTER_BYTES), name, data.length).filter.offset;
      return spans(name, 0, dataEnd, 1)[0];
    });
    const { older } = await damageAndRepair('table-data', cases, false);
    assert.ok(older > 0, 'some cases lost the newest version of a key');
  });

  test('table index, filter, properties and footer: every data block is still found, nothing reads older', async () => {
    const tables = files(/\.sst$/);
    const cases = Array.from({ length: 10 }, (_, i) => {
      const name = tables[pick(tables.length)];
      const data = readFileSync(join(pristine, 't', name));
      const dataEnd = decodeFooter(data.subarray(data.length - FOOTER_BYTES), name, data.length).filter.offset;
      // Half of the cases hit the footer itself.
      return spans(name, i % 2 === 0 ? data.length - FOOTER_BYTES : dataEnd, data.length, 1)[0];
    });
    assert.equal((await damageAndRepair('table-meta', cases, false)).older, 0);
  });

  test('manifest, CURRENT and OPTIONS: repair needs none of them, nothing reads older', async () => {
    const manifest = files(/^MANIFEST-/)[0];
    const size = readFileSync(join(pristine, 't', manifest)).length;
    const current = readFileSync(join(pristine, 't', 'CURRENT')).length;
    const options = readFileSync(join(pristine, 't', 'OPTIONS')).length;
    const cases = [...spans(manifest, 0, size, 8), ...spans('CURRENT', 0, current, 2), ...spans('OPTIONS', 0, options, 2)];
    const { older, merges } = await damageAndRepair('manifest', cases, true);
    assert.equal(older, 0);
    assert.ok(merges > 0, 'without the levels of a readable manifest, tables whose sequence ranges interleave were merged');
  });
});

describe('repairCollection', () => {
  test('refuses while the collection is open in this manager or locked by another', async () => {
    const base = join(tmp.path, 'refuse');
    const m = new StorageManager({ baseDataPath: base });
    await m.createCollection('t');
    await m.useCollection('t');
    await assert.rejects(m.repairCollection('t'), isStorageError('INVALID_ARGUMENT', /is open; close it before repairing it/));
    const other = new StorageManager({ baseDataPath: base });
    await assert.rejects(other.repairCollection('t'), isStorageError('COLLECTION_LOCKED'));
    await m.closeAll();
    await assert.rejects(other.repairCollection('nope'), isStorageError('COLLECTION_NOT_FOUND'));
  });

  test('works without any manifest, CURRENT or OPTIONS, and reports every file', async () => {
    const base = join(tmp.path, 'bare');
    const m = new StorageManager({ baseDataPath: base, autoCompaction: false });
    await m.createCollection('t');
    const c = await m.useCollection('t');
    for (let i = 0; i < 50; i++) await c.put(key(i), `a${i}`);
    await c.flush();
    for (let i = 0; i < 50; i += 2) await c.put(key(i), `b${i}`);
    await c.flush();
    for (let i = 0; i < 50; i += 5) await c.delete(key(i));
    await m.closeAll();
    const dir = join(base, 't');
    for (const f of readdirSync(dir)) if (/^(MANIFEST-|CURRENT|OPTIONS)/.test(f)) rmSync(join(dir, f));
    const tables = readdirSync(dir)
      .filter((f) => f.endsWith('.sst'))
      .sort();
    const wal = readdirSync(dir).filter((f) => f.endsWith('.log') && readFileSync(join(dir, f)).length > 0);

    const report = await m.repairCollection('t');
    assert.equal(report.previousManifest.state, 'missing');
    assert.equal(report.options, 'defaults');
    assert.deepEqual(
      report.tables.map((t) => [t.file, t.outcome, t.entries]),
      tables.map((f) => [f, 'kept', 50 - (f === tables[1] ? 25 : 0)]),
    );
    assert.deepEqual(
      report.wals.filter((w) => w.outcome === 'converted').map((w) => [w.file, w.recordsKept, w.operationsKept]),
      [[wal[0], 10, 10]],
    );
    assert.deepEqual(report.lostFiles, []);
    const c2 = await m.useCollection('t');
    for (let i = 0; i < 50; i++) assert.equal(await c2.get(key(i)), i % 5 === 0 ? undefined : i % 2 === 0 ? `b${i}` : `a${i}`, key(i));
    await m.closeAll();
  });
});

/** One version in a crafted table: key, sequence, value (undefined: a tombstone). */
type Entry = [string, number, string | undefined];

/**
 * Writes a collection "t" under `base` whose tables are exactly `tables`
 * (entries sorted by key, newest first) at the given levels, with a manifest
 * listing them: states a real workload reaches only by chance.
 */
async function craft(base: string, tables: { id: number; level: number; entries: Entry[] }[]): Promise<string> {
  const m = new StorageManager({ baseDataPath: base });
  await m.createCollection('t');
  await m.closeAll();
  const dir = join(base, 't');
  const fs = new NodeFileSystem();
  const metas: TableSummary[] = [];
  for (const t of tables) {
    const b = new TableBuilder(fs.create(join(dir, tableFileName(t.id))), { blockBytes: 256, bloomBitsPerKey: 10, compression: 'none' });
    for (const [k, seq, v] of t.entries) b.addString(k, seq, v === undefined ? ValueKind.Delete : ValueKind.Put, v ?? '');
    metas.push(summaryOf(t.id, t.level, await b.finish()));
  }
  const versions = new VersionSet(fs, dir, 7);
  await versions.recover();
  versions.current = Version.empty(7).apply([], metas);
  versions.lastSequence = Math.max(...metas.map((f) => f.maxSequence));
  versions.nextFileNumber = Math.max(...metas.map((f) => f.id)) + 1;
  await versions.writeSnapshotManifest();
  await versions.close();
  return dir;
}

const currentManifest = (dir: string) => join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());

describe('repair orders the tables so that an older version never shadows a newer one', () => {
  test('an L1 table holding a newer version than a deeper table whose sequences run higher', async () => {
    // m was overwritten (27) after the L2 table was written with m at 1, and L2 later took in newer keys (up to 50):
    // their sequence ranges interleave, and the higher maximum is the older table for m.
    const l2: Entry[] = [
      ['a', 2, 'a2'],
      ['m', 1, 'm1'],
      ['y', 49, 'y49'],
      ['z', 50, 'z50'],
    ];
    const l1: Entry[] = [['m', 27, 'm27']];
    for (const manifest of ['intact', 'gone'] as const) {
      const base = join(tmp.path, `shadow-${manifest}`);
      const dir = await craft(base, [
        { id: 10, level: 2, entries: l2 },
        { id: 11, level: 1, entries: l1 },
      ]);
      const m = new StorageManager({ baseDataPath: base });
      assert.equal(await (await m.useCollection('t')).get('m'), 'm27', 'the crafted collection reads right');
      await m.closeAll();
      if (manifest === 'gone') rmSync(currentManifest(dir));
      const report = await m.repairCollection('t');
      // Without the manifest's levels nothing says which is newer for m: repair merges them.
      assert.equal(report.merges.length, manifest === 'gone' ? 1 : 0, manifest);
      const c = await m.useCollection('t');
      assert.deepEqual(
        [...(await readAll(c))],
        [
          ['a', 'a2'],
          ['m', 'm27'],
          ['y', 'y49'],
          ['z', 'z50'],
        ],
        manifest,
      );
      await m.closeAll();
    }
  });

  test('more overlapping tables than levels: the newest are merged into one run, every key reads its newest value', async () => {
    const base = join(tmp.path, 'deep');
    const m = new StorageManager({ baseDataPath: base, autoCompaction: false });
    await m.createCollection('t');
    const c = await m.useCollection('t');
    const expected = new Map<string, string>();
    for (let round = 0; round < 10; round++) {
      for (let i = round; i < 40; i += 3) {
        await c.put(key(i), `r${round}`);
        expected.set(key(i), `r${round}`);
      }
      await c.put(key(0), `r${round}`);
      await c.put(key(39), `r${round}`);
      expected.set(key(0), `r${round}`);
      expected.set(key(39), `r${round}`);
      await c.flush();
    }
    assert.equal(c.stats().levels[0].fileCount, 10, '10 overlapping L0 tables');
    await m.closeAll();
    rmSync(currentManifest(join(base, 't')));
    const report = await m.repairCollection('t');
    assert.ok(report.merges.length > 0);
    assert.ok(report.manifest.tables.every((t) => t.level >= 1 && t.level <= 6));
    assert.deepEqual(await readAll(await m.useCollection('t')), expected);
    await m.closeAll();
  });
});
