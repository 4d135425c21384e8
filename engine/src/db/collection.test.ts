import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import { encodeRecord } from '../log/log-format.js';
import type { Collection } from './collection.js';

const dir = tempDir('strata-collection');
after(dir.cleanup);
let n = 0;

async function fresh(opts: object = {}): Promise<{ m: StorageManager; c: Collection; base: string }> {
  const base = join(dir.path, `c${n++}`);
  const m = new StorageManager({ baseDataPath: base, ...opts });
  await m.createCollection('t');
  return { m, c: await m.useCollection('t'), base };
}

async function reopen(base: string, m: StorageManager): Promise<{ m: StorageManager; c: Collection }> {
  await m.closeAll();
  const m2 = new StorageManager({ baseDataPath: base });
  return { m: m2, c: await m2.useCollection('t') };
}

async function all(c: Collection, range?: object): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of c.scan(range)) out.push(e);
  return out;
}

const code = isStorageError;

describe('Collection', () => {
  test('stores any string value, including the original tombstone marker and the empty string', async () => {
    const { m, c, base } = await fresh();
    const values: Record<string, string> = {
      tomb: '__TOMBSTONE__',
      empty: '',
      unicode: 'héllo 😀 世界 \u0000 nul',
      big: 'x'.repeat(2 * 1024 * 1024),
      '😀 key': 'emoji key',
    };
    for (const [k, v] of Object.entries(values)) await c.put(k, v);
    for (const [k, v] of Object.entries(values)) assert.equal(await c.get(k), v);
    assert.equal(await c.exists('empty'), true, 'an empty value still exists');
    const { m: m2, c: c2 } = await reopen(base, m);
    await c2.flush();
    for (const [k, v] of Object.entries(values)) assert.equal(await c2.get(k), v, `after reopen and flush: ${k}`);
    await m2.closeAll();
  });

  test('bad keys and values are refused with a clear error and nothing is written', async () => {
    const { m, c } = await fresh();
    await assert.rejects(c.put('', 'v'), code('INVALID_KEY', /empty/));
    await assert.rejects(c.put(5 as unknown as string, 'v'), code('INVALID_KEY', /must be a string, got number 5/));
    await assert.rejects(
      c.put('k', undefined as unknown as string),
      code('INVALID_VALUE', /value for key "k" must be a string, got undefined$/),
    );
    await assert.rejects(c.put(undefined as unknown as string, 'v'), code('INVALID_KEY', /must be a string, got undefined$/));
    await assert.rejects(c.put('k'.repeat(64 * 1024 + 1), 'v'), code('INVALID_KEY', /65536/));
    await assert.rejects(c.put('é'.repeat(40000), 'v'), code('INVALID_KEY', /bytes of UTF-8/));
    await assert.rejects(c.put('a\ud800', 'v'), code('INVALID_KEY', /lone surrogate/));
    await assert.rejects(c.put('k', undefined as unknown as string), code('INVALID_VALUE', /"k" must be a string/));
    await assert.rejects(c.put('k', 'a\udc00b'), code('INVALID_VALUE', /lone surrogate/));
    await assert.rejects(c.get(''), code('INVALID_KEY'));
    await assert.rejects(c.put('k', 'v', { sync: 'yes' } as unknown as object), code('INVALID_ARGUMENT', /sync must be a boolean/));
    assert.deepEqual(await all(c), []);
    assert.equal(c.stats().lastSequence, 0, 'no sequence number was used');
    await m.closeAll();
  });

  test('a batch is all-or-nothing: one bad operation rejects the whole batch', async () => {
    const { m, c, base } = await fresh();
    await c.put('keep', 'old');
    await assert.rejects(
      c.batch([
        { type: 'put', key: 'a', value: '1' },
        { type: 'delete', key: 'keep' },
        { type: 'put', key: '', value: 'x' },
      ]),
      code('INVALID_KEY', /batch operation 2/),
    );
    await assert.rejects(c.batch([{ type: 'merge', key: 'a' } as never]), code('INVALID_ARGUMENT', /"merge"/));
    assert.deepEqual(await all(c), [['keep', 'old']]);
    await c.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'delete', key: 'keep' },
      { type: 'put', key: 'b', value: '2' },
    ]);
    assert.deepEqual(await all(c), [
      ['a', '1'],
      ['b', '2'],
    ]);
    const { m: m2, c: c2 } = await reopen(base, m);
    assert.deepEqual(await all(c2), [
      ['a', '1'],
      ['b', '2'],
    ]);
    await m2.closeAll();
  });

  test('deletes hide older values in the memtable, in L0 tables and after reopen', async () => {
    const { m, c, base } = await fresh();
    await c.put('k', 'v1');
    await c.flush();
    await c.put('k', 'v2');
    await c.flush();
    await c.delete('k');
    assert.equal(await c.get('k'), undefined);
    await c.flush();
    assert.equal(await c.get('k'), undefined);
    assert.equal(await c.exists('k'), false);
    assert.deepEqual(await all(c), []);
    const { m: m2, c: c2 } = await reopen(base, m);
    assert.equal(await c2.get('k'), undefined);
    await c2.put('k', 'v3');
    assert.equal(await c2.get('k'), 'v3');
    await m2.closeAll();
  });

  test('scan honours gt, gte, lt, lte, prefix, limit and reverse across memtable and tables', async () => {
    // No compaction, so the data stays spread over many overlapping L0 tables.
    const { m, c } = await fresh({ memtableBytes: 4096, autoCompaction: false });
    const keys: string[] = [];
    for (let i = 0; i < 600; i++) keys.push(`${['a', 'b', 'user:', 'user;', 'z'][i % 5]}${String(i).padStart(4, '0')}`);
    for (const k of keys) await c.put(k, `v:${k}`);
    for (let i = 0; i < 600; i += 7) await c.delete(keys[i]);
    const live = keys.filter((_, i) => i % 7 !== 0).sort();
    assert.ok(c.stats().levels[0].fileCount > 3, 'data spans several L0 tables');
    const expect = (pred: (k: string) => boolean, reverse = false, limit = Infinity) => {
      const ks = live.filter(pred);
      if (reverse) ks.reverse();
      return ks.slice(0, limit).map((k) => [k, `v:${k}`]);
    };
    assert.deepEqual(
      await all(c),
      expect(() => true),
    );
    assert.deepEqual(
      await all(c, { reverse: true }),
      expect(() => true, true),
    );
    assert.deepEqual(
      await all(c, { gte: 'b0100', lt: 'user:0300' }),
      expect((k) => k >= 'b0100' && k < 'user:0300'),
    );
    assert.deepEqual(
      await all(c, { gt: 'b0101', lte: 'user:0302', reverse: true }),
      expect((k) => k > 'b0101' && k <= 'user:0302', true),
    );
    assert.deepEqual(
      await all(c, { prefix: 'user:' }),
      expect((k) => k.startsWith('user:')),
    );
    assert.deepEqual(
      await all(c, { prefix: 'user:', reverse: true, limit: 5 }),
      expect((k) => k.startsWith('user:'), true, 5),
    );
    assert.deepEqual(await all(c, { limit: 0 }), []);
    assert.deepEqual(await all(c, { gte: 'q', lt: 'c' }), []);
    await assert.rejects(all(c, { gte: 1 }), code('INVALID_ARGUMENT'));
    await m.closeAll();
  });

  test('a scan sees the store as it was when it started, while writes and flushes go on', async () => {
    const { m, c } = await fresh({ memtableBytes: 2048 });
    for (let i = 0; i < 300; i++) await c.put(`k${String(i).padStart(3, '0')}`, 'before');
    const it = c.scan();
    const first = await it.next();
    assert.deepEqual(first.value, ['k000', 'before']);
    for (let i = 0; i < 300; i++) await c.put(`k${String(i).padStart(3, '0')}`, 'after');
    await c.put('k999', 'new key');
    await c.delete('k150');
    await c.flush();
    const rest: [string, string][] = [];
    for await (const e of it) rest.push(e);
    assert.equal(rest.length, 299);
    assert.ok(rest.every(([, v]) => v === 'before'));
    assert.equal(await c.get('k001'), 'after');
    assert.equal(c.stats().openScans, 0, 'an exhausted scan releases its snapshot');
    await m.closeAll();
  });

  test('flush writes an L0 table that is in the manifest, and emits a flush event', async () => {
    const { m, c, base } = await fresh();
    const events: { id: number; entries: number }[] = [];
    c.on('flush', (e) => events.push(e));
    for (let i = 0; i < 100; i++) await c.put(`k${i}`, `v${i}`);
    await c.flush();
    assert.equal(events.length, 1);
    assert.equal(events[0].entries, 100);
    const l0 = c.stats().levels[0];
    assert.equal(l0.fileCount, 1);
    assert.equal(l0.files[0].id, events[0].id);
    assert.equal(c.stats().memtable.entries, 0);
    const files = readdirSync(join(base, 't'));
    assert.ok(files.some((f) => f.endsWith('.sst')));
    const { m: m2, c: c2 } = await reopen(base, m);
    assert.equal(c2.stats().levels[0].fileCount, 1, 'the table is in the manifest after reopen');
    assert.equal(await c2.get('k42'), 'v42');
    await m2.closeAll();
  });

  test('concurrent writes are group-committed into far fewer write calls and fdatasyncs', async () => {
    const { m, c } = await fresh();
    await Promise.all(Array.from({ length: 64 }, (_, i) => c.put(`k${i}`, 'v', { sync: true })));
    const t = c.stats().totals;
    assert.ok(t.walWrites <= 2, `64 concurrent puts took ${t.walWrites} write calls`);
    assert.ok(t.walSyncs <= 2, `64 concurrent sync puts took ${t.walSyncs} fdatasyncs`);
    for (let w = 0; w < 4; w++) {
      await Promise.all(
        Array.from({ length: 64 }, async (_, i) => {
          for (let j = 0; j < 10; j++) await c.put(`w${i}:${j}`, 'v', { sync: true });
        }),
      );
    }
    const after = c.stats().totals;
    assert.ok(after.walSyncs - t.walSyncs < 200, `2560 sync puts by 64 writers took ${after.walSyncs - t.walSyncs} fdatasyncs`);
    await m.closeAll();
  });

  test('writes after close are refused with CLOSED', async () => {
    const { m, c } = await fresh();
    await c.close();
    await assert.rejects(c.put('k', 'v'), code('CLOSED', /"t"/));
    await assert.rejects(c.get('k'), code('CLOSED'));
    await assert.rejects(c.flush(), code('CLOSED'));
    assert.throws(() => c.scan(), code('CLOSED'));
    await m.closeAll();
  });

  test('closing with a scan open ends the scan with CLOSED instead of reading freed files', async () => {
    const { m, c } = await fresh({ memtableBytes: 2048 });
    for (let i = 0; i < 500; i++) await c.put(`k${String(i).padStart(3, '0')}`, 'v'.repeat(20));
    await c.flush();
    const it = c.scan();
    await it.next();
    await c.close();
    await assert.rejects(it.next(), code('CLOSED'));
    await m.closeAll();
  });
});

describe('recovery', () => {
  test('acknowledged writes come back from the WAL after a close without flush', async () => {
    const { m, c, base } = await fresh();
    for (let i = 0; i < 1000; i++) await c.put(`k${i}`, `v${i}`);
    await c.delete('k5');
    const { m: m2, c: c2 } = await reopen(base, m);
    assert.equal(await c2.get('k999'), 'v999');
    assert.equal(await c2.get('k5'), undefined);
    assert.equal(c2.stats().lastSequence, 1001, 'sequence numbers continue after recovery');
    await c2.put('new', 'x');
    assert.equal(c2.stats().lastSequence, 1002);
    await m2.closeAll();
  });

  test("the WAL's last record cut at every byte offset loses only that record", async () => {
    const { m, c, base } = await fresh();
    for (let i = 0; i < 20; i++) await c.put(`k${i}`, `value-${i}`);
    await m.closeAll();
    const colDir = join(base, 't');
    const wal = readdirSync(colDir).filter((f) => f.endsWith('.log') && statSync(join(colDir, f)).size > 0);
    assert.equal(wal.length, 1);
    const walPath = join(colDir, wal[0]);
    const size = statSync(walPath).size;
    const lastRecord = encodeRecord(Buffer.alloc(0)).length; // header size; the record is larger
    const original = readFileSync(walPath);
    // find where the last record starts: the size of a 1-put batch for k19
    const lastLength = original.length - (await lastRecordStart(original));
    assert.ok(lastLength > lastRecord);
    for (let cut = size - lastLength; cut < size; cut++) {
      const copy = join(dir.path, `torn-${n}-${cut}`);
      cpSync(base, copy, { recursive: true });
      truncateSync(join(copy, 't', wal[0]), cut);
      const mm = new StorageManager({ baseDataPath: copy });
      const cc = await mm.useCollection('t');
      assert.equal(await cc.get('k18'), 'value-18', `cut at ${cut}`);
      assert.equal(await cc.get('k19'), undefined, `cut at ${cut}`);
      assert.equal((await all(cc)).length, 19);
      await mm.closeAll();
    }
  });

  test('corruption in the middle of the WAL is reported as CORRUPTION, not skipped', async () => {
    const { m, c, base } = await fresh();
    for (let i = 0; i < 20; i++) await c.put(`k${i}`, `value-${i}`);
    await m.closeAll();
    const colDir = join(base, 't');
    const wal = readdirSync(colDir).find((f) => f.endsWith('.log') && statSync(join(colDir, f)).size > 0)!;
    const data = readFileSync(join(colDir, wal));
    data[40] ^= 0xff;
    writeFileSync(join(colDir, wal), data);
    const mm = new StorageManager({ baseDataPath: base });
    await assert.rejects(mm.useCollection('t'), code('CORRUPTION', new RegExp(wal.replace('.', '\\.'))));
    await mm.closeAll();
  });

  test('a flipped byte in a table gives CORRUPTION on get and scan, never a wrong value', async () => {
    const { m, c, base } = await fresh();
    for (let i = 0; i < 2000; i++) await c.put(`k${String(i).padStart(4, '0')}`, `v${i}`);
    await c.flush();
    await m.closeAll();
    const colDir = join(base, 't');
    const sst = readdirSync(colDir).find((f) => f.endsWith('.sst'))!;
    const data = readFileSync(join(colDir, sst));
    data[200] ^= 0x10;
    writeFileSync(join(colDir, sst), data);
    const mm = new StorageManager({ baseDataPath: base });
    const cc = await mm.useCollection('t');
    await assert.rejects(cc.get('k0001'), code('CORRUPTION', new RegExp(sst.replace('.', '\\.'))));
    await assert.rejects(all(cc), code('CORRUPTION'));
    assert.equal(await cc.get('k1999'), 'v1999', 'other blocks still read');
    await mm.closeAll();
  });

  test('a table missing from disk but listed in the manifest is reported at open', async () => {
    const { m, c, base } = await fresh();
    await c.put('k', 'v');
    await c.flush();
    await m.closeAll();
    const colDir = join(base, 't');
    const sst = readdirSync(colDir).find((f) => f.endsWith('.sst'))!;
    const { rmSync } = await import('node:fs');
    rmSync(join(colDir, sst));
    const mm = new StorageManager({ baseDataPath: base });
    await assert.rejects(mm.useCollection('t'), code('CORRUPTION', /missing/));
  });

  test('files the manifest does not know are removed at open', async () => {
    const { m, c, base } = await fresh();
    await c.put('k', 'v');
    await c.flush();
    await m.closeAll();
    const colDir = join(base, 't');
    writeFileSync(join(colDir, '009999.sst'), 'leftover of an unfinished flush');
    writeFileSync(join(colDir, 'OPTIONS.tmp'), 'half-written');
    // Another opener's lock file, written aside and about to be linked in as LOCK.
    const racingOpener = `LOCK.${process.pid}.r4c3r.tmp`;
    writeFileSync(join(colDir, racingOpener), JSON.stringify({ pid: process.pid }));
    const { m: m2, c: c2 } = await reopen(base, new StorageManager({ baseDataPath: base }));
    assert.equal(await c2.get('k'), 'v');
    const files = readdirSync(colDir);
    assert.ok(!files.includes('009999.sst'));
    assert.ok(!files.includes('OPTIONS.tmp'));
    assert.ok(files.includes(racingOpener), "a live opener's lock temp file is the lock's to remove, not recovery's");
    assert.equal(files.filter((f) => f.startsWith('MANIFEST-')).length, 1);
    await m2.closeAll();
  });
});

/** Walks the record headers to find where the last record starts. */
async function lastRecordStart(data: Buffer): Promise<number> {
  let pos = 0;
  let last = 0;
  while (pos < data.length) {
    last = pos;
    pos += 12 + data.readUInt32LE(pos);
  }
  return last;
}
