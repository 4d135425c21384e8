/**
 * What the engine promises when the disk fails under it, checked with
 * FaultyFileSystem: a failed write is refused cleanly, a failed fsync or
 * flush puts the collection into a failed state that refuses writes but keeps
 * serving reads, and in every case what was acknowledged is still there after
 * reopening on a healthy disk.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageError } from '../errors.js';
import { readLog } from '../log/log-format.js';
import { batchIntactBefore } from '../log/write-batch.js';
import { StorageManager } from '../manager/storage-manager.js';
import { FaultyFileSystem } from '../testing/faulty-fs.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import type { BackgroundWarningEvent } from '../events/events.js';
import type { Collection } from './collection.js';

const dir = tempDir('strata-io-faults');
after(dir.cleanup);
let n = 0;

interface Setup {
  fs: FaultyFileSystem;
  m: StorageManager;
  c: Collection;
  base: string;
  /** The collection's directory. */
  cdir: string;
}

async function fresh(opts: { memtableBytes?: number } = {}): Promise<Setup> {
  const base = join(dir.path, `t${n++}`);
  const fs = new FaultyFileSystem();
  const m = new StorageManager({ baseDataPath: base, fileSystem: fs, ...opts });
  await m.createCollection('t');
  return { fs, m, c: await m.useCollection('t'), base, cdir: join(base, 't') };
}

/** Closes (the faulty manager may fail to close cleanly; that is allowed) and reopens on the real file system. */
async function reopenHealthy(s: Setup): Promise<{ m: StorageManager; c: Collection }> {
  s.fs.heal();
  await s.m.closeAll();
  const m = new StorageManager({ baseDataPath: s.base });
  return { m, c: await m.useCollection('t') };
}

const isIoError = (text?: RegExp) => isStorageError('IO_ERROR', text);

const REFUSES = /refuses writes/;

async function contents(c: Collection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of c.scan()) out.set(k, v);
  return out;
}

async function assertHas(c: Collection, expected: Map<string, string>, label: string): Promise<void> {
  for (const [k, v] of expected) assert.equal(await c.get(k), v, `${label}: ${k}`);
}

const filesIn = (d: string, re: RegExp) =>
  readdirSync(d)
    .filter((f) => re.test(f))
    .sort();
const tableIds = (c: Collection) => c.stats().levels.flatMap((l) => l.files.map((f) => f.id));
const idOf = (name: string) => Number(/^(\d+)\./.exec(name)![1]);

/** Every WAL in the directory parses cleanly to its end: no torn or partial record left behind. */
function assertCleanWals(cdir: string): void {
  for (const name of filesIn(cdir, /\.log$/)) {
    const path = join(cdir, name);
    const log = readLog(readFileSync(path), path, batchIntactBefore);
    assert.equal(log.tornTail, false, `${name} ends in a partial record`);
  }
}

/** Writes `count` keys of ~`size` bytes; returns what was written. */
async function fill(c: Collection, prefix: string, count: number, size = 100): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const k = `${prefix}${String(i).padStart(4, '0')}`;
    const v = `${k}:`.padEnd(size, 'v');
    await c.put(k, v);
    written.set(k, v);
  }
  return written;
}

describe('WAL append failures', () => {
  for (const partial of [undefined, 7]) {
    const kind = partial === undefined ? 'an ENOSPC WAL append' : 'a short WAL append (7 bytes written, then ENOSPC)';
    test(`${kind} rejects only that write, the log is cut back, and the collection keeps working across reopen`, async () => {
      const s = await fresh();
      const acked = await fill(s.c, 'a', 20);
      const walBefore = filesIn(s.cdir, /\.log$/);
      const fault = s.fs.fail({ op: 'append', path: /\.log$/, nth: 1, code: 'ENOSPC', partialBytes: partial });

      await assert.rejects(s.c.put('lost', 'x'.repeat(50)), isIoError(/append to write-ahead log failed for .*\d+\.log: ENOSPC/));
      assert.equal(fault.failed, 1);
      assert.equal(await s.c.get('lost'), undefined, 'a refused write is not visible');
      assert.equal(s.c.stats().writeError, undefined, 'a failed append that was undone does not fail the collection');
      assertCleanWals(s.cdir);

      // Later writes go on, into the same log, after the cut.
      await s.c.put('after', 'A');
      await s.c.batch([
        { type: 'put', key: 'b1', value: '1' },
        { type: 'delete', key: 'a0000' },
      ]);
      acked.set('after', 'A').set('b1', '1').delete('a0000');
      assert.deepEqual(filesIn(s.cdir, /\.log$/), walBefore, 'no new log was needed');
      assertCleanWals(s.cdir);

      const { m, c } = await reopenHealthy(s); // would throw CORRUPTION if a partial record sat mid-log
      assert.deepEqual(await contents(c), new Map([...acked].sort(([a], [b]) => (a < b ? -1 : 1))));
      await c.put('reopened', 'ok');
      assert.equal(await c.get('reopened'), 'ok');
      await m.closeAll();
    });
  }

  test('a failed WAL append rejects every write of its commit group and none of them is applied', async () => {
    const s = await fresh();
    await s.c.put('before', 'B');
    s.fs.fail({ op: 'append', path: /\.log$/, nth: 1, code: 'ENOSPC', partialBytes: 30 });
    // Submitted in the same turn: one group, one append.
    const results = await Promise.allSettled([
      s.c.put('g1', 'x'),
      s.c.batch([
        { type: 'put', key: 'g2', value: 'y' },
        { type: 'delete', key: 'before' },
      ]),
      s.c.put('g3', 'z', { sync: true }),
    ]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      isIoError(/ENOSPC/)((r as PromiseRejectedResult).reason);
    }
    assert.equal(s.fs.calls('append', /\.log$/), 2, 'the three writes were one group');
    for (const k of ['g1', 'g2', 'g3']) assert.equal(await s.c.get(k), undefined, k);
    assert.equal(await s.c.get('before'), 'B', 'the refused batch deleted nothing');
    await s.c.put('next', 'N', { sync: true });
    const { m, c } = await reopenHealthy(s);
    assert.deepEqual(
      [...(await contents(c))],
      [
        ['before', 'B'],
        ['next', 'N'],
      ],
    );
    await m.closeAll();
  });

  test('when the failed append cannot be undone (truncate fails too), the collection refuses writes and reopen drops the torn tail', async () => {
    const s = await fresh();
    const acked = await fill(s.c, 'a', 10);
    s.fs.fail({ op: 'append', path: /\.log$/, nth: 1, code: 'ENOSPC', partialBytes: 9 });
    s.fs.fail({ op: 'truncate', path: /\.log$/, code: 'EIO' });
    await assert.rejects(s.c.put('lost', 'x'), isIoError(/ENOSPC/));
    assert.match(s.c.stats().writeError ?? '', /undo a failed append to write-ahead log/);
    await assert.rejects(s.c.put('refused', 'x'), isIoError(REFUSES));
    await assert.rejects(s.c.delete('a0001'), isIoError(REFUSES));
    await assertHas(s.c, acked, 'reads go on');
    const { m, c } = await reopenHealthy(s);
    assert.deepEqual(await contents(c), acked);
    await c.put('again', '1');
    await m.closeAll();
  });
});

describe('WAL rotation and replay failures', () => {
  test('a failed create of the next WAL at memtable rotation fails the collection; acknowledged writes survive reopen', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    s.fs.fail({ op: 'create', path: /\.log$/, code: 'EMFILE' });
    const acked = new Map<string, string>();
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const k = `k${String(i).padStart(4, '0')}`;
      try {
        await s.c.put(k, 'v'.repeat(100));
        acked.set(k, 'v'.repeat(100));
      } catch (err) {
        refused = err;
      }
    }
    isIoError(REFUSES)(refused);
    assert.match(s.c.stats().writeError ?? '', /create write-ahead log failed for .*\d+\.log: EMFILE/);
    await assertHas(s.c, acked, 'reads go on');
    const { m, c } = await reopenHealthy(s);
    assert.deepEqual(await contents(c), acked);
    await m.closeAll();
  });

  test('a WAL that cannot be read at open fails the open with IO_ERROR naming it; a later open recovers everything', async () => {
    const s = await fresh();
    const acked = await fill(s.c, 'k', 20);
    await s.m.closeAll();
    s.fs.fail({ op: 'readFile', path: /\.log$/, code: 'EIO', nth: 1 });
    const m1 = new StorageManager({ baseDataPath: s.base, fileSystem: s.fs });
    await assert.rejects(m1.useCollection('t'), isIoError(/read failed for .*\d+\.log: EIO/));
    const c = await m1.useCollection('t'); // the fault was one-off
    assert.deepEqual(await contents(c), acked);
    await m1.closeAll();
  });
});

describe('WAL fdatasync failures', () => {
  test('a failed fdatasync rejects the sync write; the collection then refuses writes, keeps serving reads, and reopen has every acknowledged write', async () => {
    const s = await fresh();
    const acked = await fill(s.c, 'a', 10);
    await s.c.put('synced', 'S', { sync: true });
    acked.set('synced', 'S');
    const fault = s.fs.fail({ op: 'sync', path: /\.log$/, nth: 1, code: 'EIO' });

    await assert.rejects(s.c.put('unsure', 'U', { sync: true }), isIoError(/fdatasync of write-ahead log failed for .*\d+\.log: EIO/));
    assert.equal(fault.failed, 1);
    const writeError = s.c.stats().writeError;
    assert.match(writeError ?? '', /fdatasync/);
    assert.match(writeError ?? '', REFUSES);

    await assert.rejects(s.c.put('later', 'L'), isIoError(REFUSES));
    await assert.rejects(s.c.put('later', 'L', { sync: true }), isIoError(REFUSES));
    await assert.rejects(s.c.delete('a0000'), isIoError(REFUSES));
    await assert.rejects(s.c.batch([{ type: 'put', key: 'later', value: 'L' }]), isIoError(REFUSES));
    await assert.rejects(s.c.flush(), isIoError(REFUSES));
    assert.equal(s.fs.calls('sync', /\.log$/), 2, 'no fdatasync was attempted after the failure');

    await assertHas(s.c, acked, 'reads go on');
    const seen = await contents(s.c);
    for (const [k, v] of acked) assert.equal(seen.get(k), v, `scan: ${k}`);
    assert.equal(seen.has('later'), false);

    const { m, c } = await reopenHealthy(s);
    const after = await contents(c);
    for (const [k, v] of acked) assert.equal(after.get(k), v, `after reopen: ${k}`);
    // The write whose fdatasync failed reached the OS, so it may or may not be there; nothing else may.
    assert.deepEqual(
      [...after.keys()].filter((k) => !acked.has(k)).filter((k) => k !== 'unsure'),
      [],
    );
    if (after.has('unsure')) assert.equal(after.get('unsure'), 'U');
    await c.put('later', 'L', { sync: true });
    assert.equal(c.stats().writeError, undefined, 'reopening clears the failed state');
    await m.closeAll();
  });

  test('sync writes waiting for the next fdatasync while one fails are rejected too, never acknowledged', async () => {
    const s = await fresh();
    await s.c.put('a', '1', { sync: true });
    // The first WAL fdatasync from now on fails, slowly; the one after would succeed
    // (as on Linux, where the error is reported once and the dirty pages may be gone).
    s.fs.fail({ op: 'sync', path: /\.log$/, nth: 1, code: 'EIO', delayMs: 200 });
    const syncsBefore = s.fs.calls('sync', /\.log$/);
    const first = s.c.put('b', '2', { sync: true });
    for (let turns = 0; s.fs.calls('sync', /\.log$/) === syncsBefore; turns++) {
      if (turns > 100_000) assert.fail("b's fdatasync was never issued");
      await new Promise((r) => setImmediate(r));
    }
    // b's fdatasync is in flight now, for 200 ms
    const second = s.c.put('c', '3', { sync: true });
    const nosync = s.c.put('d', '4');
    const [r1, r2] = await Promise.allSettled([first, second, nosync]);
    assert.equal(r1.status, 'rejected');
    isIoError(/fdatasync/)((r1 as PromiseRejectedResult).reason);
    assert.equal(r2.status, 'rejected', 'a sync write queued behind a failed fdatasync must not be acknowledged');
    isIoError(/fdatasync/)((r2 as PromiseRejectedResult).reason);
    await assert.rejects(s.c.put('e', '5'), isIoError(REFUSES));
    const { m, c } = await reopenHealthy(s);
    assert.equal(await c.get('a'), '1');
    await m.closeAll();
  });

  test('a failed directory fsync for a new WAL fails the collection without losing acknowledged writes', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    s.fs.fail({ op: 'syncDir', path: s.cdir, code: 'EIO' });
    const acked = new Map<string, string>();
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const k = `k${String(i).padStart(4, '0')}`;
      try {
        await s.c.put(k, 'v'.repeat(100), { sync: i % 3 === 0 });
        acked.set(k, 'v'.repeat(100));
      } catch (err) {
        refused = err;
      }
    }
    isIoError(/fsync directory|flush|fdatasync|refuses writes/)(refused);
    assert.match(s.c.stats().writeError ?? '', REFUSES);
    await assertHas(s.c, acked, 'reads go on');
    const { m, c } = await reopenHealthy(s);
    await assertHas(c, acked, 'after reopen');
    await m.closeAll();
  });
});

describe('flush failures', () => {
  const cases = [
    { what: 'an ENOSPC SSTable append', rule: { op: 'append', path: /\.sst$/, code: 'ENOSPC' }, message: /failed for .*\d+\.sst: ENOSPC/ },
    {
      what: 'a short SSTable append',
      rule: { op: 'append', path: /\.sst$/, code: 'ENOSPC', partialBytes: 100 },
      message: /failed for .*\d+\.sst: ENOSPC/,
    },
    { what: 'an EIO SSTable fdatasync', rule: { op: 'sync', path: /\.sst$/, code: 'EIO' }, message: /failed for .*\d+\.sst: EIO/ },
    { what: 'a failed SSTable create', rule: { op: 'create', path: /\.sst$/, code: 'ENOSPC' }, message: /failed for .*\d+\.sst: ENOSPC/ },
    {
      what: 'an ENOSPC manifest append',
      rule: { op: 'append', path: /MANIFEST/, code: 'ENOSPC' },
      message: /append to manifest failed for .*MANIFEST-\d+: ENOSPC/,
    },
    {
      what: 'a short manifest append',
      rule: { op: 'append', path: /MANIFEST/, code: 'ENOSPC', partialBytes: 5 },
      message: /manifest.*ENOSPC/,
    },
    {
      what: 'an EIO manifest fdatasync',
      rule: { op: 'sync', path: /MANIFEST/, code: 'EIO' },
      message: /append to manifest failed for .*MANIFEST-\d+: EIO/,
    },
  ] as const;

  for (const { what, rule, message } of cases) {
    test(`${what} during flush: flush() rejects, writes are refused, reads go on, nothing acknowledged is lost and no partial table is referenced`, async () => {
      const s = await fresh({ memtableBytes: 64 * 1024 });
      const acked = await fill(s.c, 'a', 30);
      await s.c.delete('a0003');
      acked.delete('a0003');
      await s.c.flush(); // one good table first
      assert.equal(s.c.stats().levels[0].fileCount, 1);
      const more = await fill(s.c, 'b', 30);
      await s.c.put('a0005', 'new');
      for (const [k, v] of more) acked.set(k, v);
      acked.set('a0005', 'new');
      const goodTables = filesIn(s.cdir, /\.sst$/);

      const fault = s.fs.fail({ ...rule });
      await assert.rejects(s.c.flush(), isIoError(message));
      assert.ok(fault.failed >= 1);
      const stats = s.c.stats();
      assert.match(stats.writeError ?? '', REFUSES);
      assert.deepEqual(tableIds(s.c), goodTables.map(idOf), 'the version still lists only the good table');
      if (rule.path.source === '\\.sst$') assert.deepEqual(filesIn(s.cdir, /\.sst$/), goodTables, 'the partial table was removed');

      await assert.rejects(s.c.put('x', 'y'), isIoError(REFUSES));
      await assert.rejects(s.c.batch([{ type: 'delete', key: 'a0001' }]), isIoError(REFUSES));
      await assert.rejects(s.c.flush(), isIoError(REFUSES));
      await assertHas(s.c, acked, 'reads go on');
      assert.equal(await s.c.get('a0003'), undefined);
      assert.deepEqual(await contents(s.c), new Map([...acked].sort(([a], [b]) => (a < b ? -1 : 1))));

      const { m, c } = await reopenHealthy(s);
      assert.deepEqual(await contents(c), new Map([...acked].sort(([a], [b]) => (a < b ? -1 : 1))), 'after reopen');
      await c.flush();
      assert.deepEqual(
        filesIn(s.cdir, /\.sst$/),
        tableIds(c)
          .sort((a, b) => a - b)
          .map((id) => `${String(id).padStart(6, '0')}.sst`),
        'every table on disk is referenced',
      );
      assert.deepEqual(await contents(c), new Map([...acked].sort(([a], [b]) => (a < b ? -1 : 1))), 'after the retried flush');
      await c.put('x', 'y');
      await m.closeAll();
    });
  }

  test('a background flush that fails (triggered by writes) fails the collection; every acknowledged write survives reopen', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    s.fs.fail({ op: 'sync', path: /\.sst$/, nth: 2, code: 'EIO' });
    const acked = new Map<string, string>();
    let refused: unknown;
    for (let i = 0; i < 2000 && refused === undefined; i++) {
      const k = `k${String(i % 300).padStart(4, '0')}`;
      const v = `${k}:${i}:`.padEnd(120, 'x');
      try {
        if (i % 7 === 3) {
          await s.c.delete(k);
          acked.delete(k);
        } else {
          await s.c.put(k, v, { sync: i % 5 === 0 });
          acked.set(k, v);
        }
      } catch (err) {
        refused = err;
      }
    }
    isIoError(REFUSES)(refused);
    assert.match(s.c.stats().writeError ?? '', /EIO/);
    assert.ok(s.c.stats().levels[0].fileCount >= 1, 'the first flush worked');
    const { m, c } = await reopenHealthy(s);
    assert.deepEqual(await contents(c), new Map([...acked].sort(([a], [b]) => (a < b ? -1 : 1))));
    await m.closeAll();
  });

  test('a collection that failed to flush closes without hanging, and its log files are all kept', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    s.fs.fail({ op: 'append', path: /\.sst$/, code: 'ENOSPC' });
    const acked = await fill(s.c, 'k', 30, 200).catch(() => undefined);
    assert.equal(acked, undefined, 'the writes were refused once the background flush failed');
    assert.ok(filesIn(s.cdir, /\.log$/).length >= 2, 'the full memtable keeps its log');
    await s.m.closeAll();
    s.fs.heal();
    const m = new StorageManager({ baseDataPath: s.base });
    const c = await m.useCollection('t');
    const got = await contents(c);
    assert.ok(got.size >= 1);
    for (const [k, v] of got) assert.equal(v, `${k}:`.padEnd(200, 'v'));
    await m.closeAll();
  });
});

describe('manifest failures at open', () => {
  test('a manifest that cannot be written at open fails the open with IO_ERROR; a later open works and loses nothing', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    const acked = await fill(s.c, 'k', 60);
    await s.m.closeAll();
    for (const rule of [
      { op: 'create', path: /MANIFEST/ },
      { op: 'append', path: /MANIFEST/, code: 'ENOSPC' },
      { op: 'sync', path: /MANIFEST/ },
      { op: 'writeFileAtomic', path: /CURRENT$/ },
    ] as const) {
      s.fs.heal();
      s.fs.fail({ ...rule });
      const m = new StorageManager({ baseDataPath: s.base, fileSystem: s.fs });
      await assert.rejects(m.useCollection('t'), isIoError(/manifest/), `${rule.op} ${rule.path}`);
      assert.equal(existsSync(join(s.cdir, 'LOCK')), false, 'the failed open released its lock');
    }
    s.fs.heal();
    const m = new StorageManager({ baseDataPath: s.base });
    const c = await m.useCollection('t');
    assert.deepEqual(await contents(c), acked);
    await m.closeAll();
  });

  test('CURRENT replaced but its directory fsync failed at open: the collection still opens afterwards', async () => {
    const s = await fresh({ memtableBytes: 4096 });
    const acked = await fill(s.c, 'k', 60);
    await s.m.closeAll();
    // The rename of CURRENT happened, then the directory fsync reported EIO.
    s.fs.fail({ op: 'writeFileAtomic', path: /CURRENT$/, after: true });
    const m1 = new StorageManager({ baseDataPath: s.base, fileSystem: s.fs });
    await assert.rejects(m1.useCollection('t'), isIoError(/manifest/));
    s.fs.heal();
    const m = new StorageManager({ baseDataPath: s.base });
    const c = await m.useCollection('t');
    assert.deepEqual(await contents(c), acked);
    await m.closeAll();
  });
});

describe('createCollection failures', () => {
  const steps = [
    { what: 'mkdir of the staging directory', rule: { op: 'mkdir' } },
    { what: 'writing OPTIONS', rule: { op: 'writeFileAtomic', path: /OPTIONS$/, code: 'ENOSPC' } },
    { what: 'creating the manifest', rule: { op: 'create', path: /MANIFEST/, code: 'ENOSPC' } },
    { what: 'appending to the manifest', rule: { op: 'append', path: /MANIFEST/, code: 'ENOSPC', partialBytes: 3 } },
    { what: 'fsyncing the manifest', rule: { op: 'sync', path: /MANIFEST/ } },
    { what: 'writing CURRENT', rule: { op: 'writeFileAtomic', path: /CURRENT$/ } },
    { what: 'fsyncing the staging directory', rule: { op: 'syncDir', path: /\.creating-/ } },
    { what: 'renaming it into place', rule: { op: 'rename', path: /\.creating-/ } },
    { what: 'fsyncing the data directory after the rename', rule: { op: 'syncDir', path: /t\d+$/ } },
  ] as const;

  for (const { what, rule } of steps) {
    test(`a failure ${what} leaves no collection and no staging directory behind, and a retry succeeds`, async () => {
      const base = join(dir.path, `t${n++}`);
      const fs = new FaultyFileSystem();
      const m = new StorageManager({ baseDataPath: base, fileSystem: fs });
      await m.createCollection('other');
      const fault = fs.fail({ ...rule, nth: 1 });
      await assert.rejects(m.createCollection('books'), isIoError(/books/));
      assert.equal(fault.failed, 1, 'the fault was hit');
      assert.deepEqual(await m.listCollections(), ['other']);
      assert.deepEqual(readdirSync(base).sort(), ['other'], 'no staging or half-created directory is left');
      await assert.rejects(m.useCollection('books'), (err: unknown) => (err as StorageError).code === 'COLLECTION_NOT_FOUND');

      await m.createCollection('books');
      assert.deepEqual(await m.listCollections(), ['books', 'other']);
      const c = await m.useCollection('books');
      await c.put('k', 'v', { sync: true });
      await m.closeAll();
      const m2 = new StorageManager({ baseDataPath: base });
      assert.equal(await (await m2.useCollection('books')).get('k'), 'v');
      await m2.closeAll();
    });
  }
});

describe('housekeeping failures are reported, not dropped', () => {
  test('a table deletion that fails is a background-warning counted in stats().warnings; the collection goes on, and the next open removes the file', async () => {
    const s = await fresh();
    const { c, fs, cdir } = s;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) await c.put(`k${i}`, `r${round}`);
      await c.flush();
    }
    const replaced = readdirSync(cdir).filter((f) => f.endsWith('.sst'));
    assert.equal(replaced.length, 3, 'three L0 tables, which the compaction replaces');
    const warnings: BackgroundWarningEvent[] = [];
    c.on('background-warning', (w) => warnings.push(w));
    fs.fail({ op: 'remove', path: /\.sst$/, code: 'EACCES' });
    const since = Date.now();
    await c.compact();

    assert.deepEqual(
      warnings.map((w) => [w.operation, w.path, w.code]).sort(),
      replaced.map((f) => ['delete obsolete table', join(cdir, f), 'EACCES']).sort(),
    );
    for (const w of warnings) {
      assert.match(w.message, /EACCES/, 'the message is the error the deletion got');
      assert.ok(w.at >= since && w.at <= Date.now(), 'stamped when it happened');
    }
    assert.deepEqual(c.stats().warnings, { count: 3, recent: warnings });
    assert.equal(c.stats().writeError, undefined, 'a warning does not fail the collection');
    await c.put('after', 'x');
    assert.ok(
      replaced.every((f) => existsSync(join(cdir, f))),
      'the files could not be deleted',
    );

    const { m } = await reopenHealthy(s);
    const left = readdirSync(cdir).filter((f) => f.endsWith('.sst'));
    assert.deepEqual(
      left.filter((f) => replaced.includes(f)),
      [],
      'the next open removes what the deletions left',
    );
    await m.closeAll();
  });
});

describe('slow I/O', () => {
  test('writes held back while flushes catch up are committed in the order they were issued', async () => {
    const base = join(dir.path, `t${n++}`);
    const fs = new FaultyFileSystem();
    const m = new StorageManager({ baseDataPath: base, fileSystem: fs, memtableBytes: 1024, maxImmutableMemtables: 1 });
    await m.createCollection('t');
    const c = await m.useCollection('t');
    // Slow WAL removal keeps each flush running after its memtable left the queue.
    fs.slow({ op: 'remove', path: /\.log$/, delayMs: 15 });
    const pending: Promise<void>[] = [];
    const committed: number[] = []; // non-sync writes resolve as they are committed, so in commit order
    let last = '';
    for (let i = 0; i < 150; i++) {
      last = `v${i}`;
      // Not awaited: a pipelining writer issuing puts in order, from successive turns of the event loop.
      pending.push(c.put('k', last).then(() => void committed.push(i)));
      pending.push(c.put(`fill${i % 40}`, 'x'.repeat(200)));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    assert.ok(c.stats().totals.flushes >= 5, 'flushes ran while writes were held back');
    const overtaken = committed.filter((x, j) => j > 0 && x < committed[j - 1]);
    assert.deepEqual(overtaken, [], 'no write was committed after a write issued later');
    assert.equal(await c.get('k'), last, 'the last put issued is the value kept');
    await m.closeAll();
    const m2 = new StorageManager({ baseDataPath: base });
    assert.equal(await (await m2.useCollection('t')).get('k'), last, 'and after reopen');
    await m2.closeAll();
  });
});
