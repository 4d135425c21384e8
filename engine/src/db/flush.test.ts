import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import { type BatchOp, batchRecordSize, encodeBatchRecordAt } from '../log/write-batch.js';
import { StorageManager } from '../manager/storage-manager.js';
import { Memtable } from '../memtable/memtable.js';
import { FaultyFileSystem } from '../testing/faulty-fs.js';
import { seededRandom } from '../testing/random.js';
import { isStorageError } from '../testing/storage-error.js';
import { StorageError } from '../errors.js';
import { tempDir } from '../testing/temp-dir.js';
import { tableFileName } from '../version/file-names.js';
import { Collection } from './collection.js';
import { CompactionScheduler } from '../compaction/compaction-scheduler.js';
import { forkLauncher } from '../compaction/launcher.js';
import { type FlushRunner, FlushThreadStopped, flushOnThread } from './flush-thread.js';
import { writeLevel0Table, writeLevel0TableFromWal } from './flush.js';
import { deleteOp, putOp } from './validate.js';

const dir = tempDir('strata-flush');
after(dir.cleanup);
let n = 0;
const fs = new NodeFileSystem();
const OPTIONS = { blockBytes: 512, bloomBitsPerKey: 10, compression: 'snappy' } as const;

/** A WAL holding `batches` (sequences from 1) and a memtable that took the same writes, in a fresh directory. */
function walAndMemtable(batches: BatchOp[][]): { path: string; walPath: string; memtable: Memtable } {
  const path = join(dir.path, `d${n++}`);
  mkdirSync(path);
  const records: Buffer[] = [];
  const memtable = new Memtable(1);
  let sequence = 1;
  for (const ops of batches) {
    const record = Buffer.alloc(batchRecordSize(ops, sequence, undefined));
    encodeBatchRecordAt(ops, sequence, undefined, record, 0);
    records.push(record);
    for (const op of ops) memtable.add(sequence++, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, false);
  }
  const walPath = join(path, '000001.log');
  writeFileSync(walPath, Buffer.concat(records));
  return { path, walPath, memtable };
}

/** Integers below n from a seeded generator, so every run writes the same data. */
const rngOf = (seed: number) => {
  const next = seededRandom(seed);
  return { int: (n: number) => Math.floor(next() * n) };
};

const tableBytes = (path: string, id: number) => readFileSync(join(path, tableFileName(id)));

/** Builds table 2 from the memtable and table 3 from the WAL, and returns both files' bytes. */
async function bothWays(batches: BatchOp[][]): Promise<{ fromMemtable: Buffer; fromWal: Buffer }> {
  const { path, walPath, memtable } = walAndMemtable(batches);
  const expected = { entries: memtable.size, maxSequence: memtable.maxSequence };
  await writeLevel0Table(fs, path, memtable, 2, OPTIONS);
  await writeLevel0TableFromWal(fs, path, walPath, 3, OPTIONS, expected);
  return { fromMemtable: tableBytes(path, 2), fromWal: tableBytes(path, 3) };
}

// Keys whose UTF-16 order differs from their code point (and UTF-8 byte) order, non-ASCII values, and the empty value.
const AWKWARD = ['\uffff', '\u{10000}', 'é', 'e', '中文', '😀', 'a\u0000b', 'z'];

describe('flushing a memtable from its WAL', () => {
  test('writes byte for byte the table a flush from the memtable writes: random order, overwrites, deletes, non-ASCII keys', async () => {
    const rng = rngOf(11);
    const keys = [...AWKWARD, ...Array.from({ length: 300 }, (_, i) => `key-${rng.int(1000)}-${i % 7}`)];
    const batches: BatchOp[][] = [];
    for (let b = 0; b < 40; b++) {
      const ops: BatchOp[] = [];
      for (let i = 0; i < 1 + rng.int(30); i++) {
        const k = keys[rng.int(keys.length)];
        ops.push(rng.int(5) === 0 ? deleteOp(k) : putOp(k, rng.int(9) === 0 ? '' : `v${b}.${i}-ü-${'x'.repeat(rng.int(200))}`));
      }
      batches.push(ops);
    }
    const { fromMemtable, fromWal } = await bothWays(batches);
    assert.ok(fromMemtable.length > 1000);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('keys sharing a long prefix, keys that are prefixes of others, and keys alike in their first bytes past the prefix sort as bytes', async () => {
    // The WAL flush sorts by a number made of six bytes past the prefix all keys share, then by the bytes: these meet each edge of that.
    const tails = [
      '',
      '\u0000',
      '\u0000\u0000',
      'a',
      'abcdef',
      'abcdefg',
      'abcdefa',
      'abcdef\u0000',
      'abcdef\u0000\u0000',
      'abcdeg',
      'ÿ',
      'ÿÿÿ',
      '中',
      '中文',
      '😀',
      '\uffff',
      '\u007f',
    ];
    const rng = rngOf(23);
    const keys = [
      ...tails,
      ...Array.from({ length: 60 }, () => 'abcdef'.slice(0, rng.int(7)) + String.fromCharCode(rng.int(3), 97 + rng.int(3))),
    ].map((t) => `user:${t}`);
    const batches: BatchOp[][] = [];
    for (let b = 0; b < 12; b++)
      batches.push(
        Array.from({ length: 25 }, (_, i) =>
          rng.int(6) === 0 ? deleteOp(keys[rng.int(keys.length)]) : putOp(keys[rng.int(keys.length)], `v${b}.${i}`),
        ),
      );
    const { fromMemtable, fromWal } = await bothWays(batches);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('keys first written in ascending order, with earlier keys overwritten and deleted later, give the same table', async () => {
    const key = (i: number) => `k${String(i).padStart(5, '0')}`;
    const batches: BatchOp[][] = [];
    for (let b = 0; b < 20; b++) batches.push(Array.from({ length: 50 }, (_, i) => putOp(key(b * 50 + i), `v${b}-${i}`)));
    batches.push([putOp(key(3), 'rewritten'), deleteOp(key(10)), putOp(key(999), 'late')]);
    const { fromMemtable, fromWal } = await bothWays(batches);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('keys strictly ascending from the first write to the last (a sequential fill) give the same table', async () => {
    const key = (i: number) => `seq-${String(i).padStart(6, '0')}`;
    const batches = Array.from({ length: 30 }, (_, b) =>
      Array.from({ length: 40 }, (_, i) => (i === 7 ? deleteOp(key(b * 40 + i)) : putOp(key(b * 40 + i), `value ${b}.${i} ü`))),
    );
    const { fromMemtable, fromWal } = await bothWays(batches);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('the same key twice in a row, otherwise ascending, keeps only its newest version', async () => {
    const { fromMemtable, fromWal } = await bothWays([
      [putOp('a', '1'), putOp('b', 'old')],
      [putOp('b', 'new'), putOp('c', '3')],
    ]);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('a new key below the last one after an ascending run is still put in order', async () => {
    const { fromMemtable, fromWal } = await bothWays([
      [putOp('b', '1'), putOp('c', '2')],
      [putOp('a', '3'), putOp('d', '4')],
    ]);
    assert.ok(fromWal.equals(fromMemtable), 'the two tables differ');
  });

  test('a WAL that does not hold what its memtable holds is refused as corruption naming it, and no table is left behind', async () => {
    const { path, walPath, memtable } = walAndMemtable([[putOp('a', '1'), putOp('b', '2')]]);
    await assert.rejects(
      writeLevel0TableFromWal(fs, path, walPath, 2, OPTIONS, { entries: memtable.size + 1, maxSequence: memtable.maxSequence }),
      isStorageError('CORRUPTION', /000001\.log.*holds 2 keys up to sequence 2.*memtable holds 3 up to 2/),
    );
    await assert.rejects(
      writeLevel0TableFromWal(fs, path, walPath, 3, OPTIONS, { entries: memtable.size, maxSequence: 7 }),
      isStorageError('CORRUPTION', /up to 7/),
    );
    assert.deepEqual(readdirSync(path), ['000001.log']);
  });

  test('a WAL cut short since its records were written is refused, not flushed without them', async () => {
    const { path, walPath, memtable } = walAndMemtable([[putOp('a', '1')], [putOp('b', '2')]]);
    truncateSync(walPath, readFileSync(walPath).length - 3);
    await assert.rejects(
      writeLevel0TableFromWal(fs, path, walPath, 2, OPTIONS, { entries: memtable.size, maxSequence: memtable.maxSequence }),
      isStorageError('CORRUPTION', /torn tail/),
    );
    assert.deepEqual(readdirSync(path), ['000001.log']);
  });

  test('the flush thread writes the same table, reports a missing WAL as an I/O error naming it, and keeps working after', async () => {
    const { path, walPath, memtable } = walAndMemtable([[putOp('x', '1'), putOp('é', '2'), deleteOp('a')], [putOp('x', '3')]]);
    const expected = { entries: memtable.size, maxSequence: memtable.maxSequence };
    await writeLevel0Table(fs, path, memtable, 2, OPTIONS);
    const meta = await flushOnThread({ dir: path, walPath, id: 3, options: OPTIONS, expected });
    assert.deepEqual(
      {
        id: meta.id,
        level: meta.level,
        entries: meta.entries,
        tombstones: meta.tombstones,
        minKey: meta.minKey,
        maxKey: meta.maxKey,
        maxSequence: meta.maxSequence,
      },
      { id: 3, level: 0, entries: 3, tombstones: 1, minKey: 'a', maxKey: 'é', maxSequence: 4 },
    );
    assert.equal(meta.bytes, tableBytes(path, 3).length);
    assert.ok(tableBytes(path, 3).equals(tableBytes(path, 2)));

    const missing = join(path, '000099.log');
    await assert.rejects(
      flushOnThread({ dir: path, walPath: missing, id: 4, options: OPTIONS, expected }),
      isStorageError('IO_ERROR', /000099\.log.*ENOENT/),
    );
    assert.ok(!existsSync(join(path, tableFileName(4))));
    const again = await flushOnThread({ dir: path, walPath, id: 5, options: OPTIONS, expected });
    assert.equal(again.entries, 3);
  });
});

describe('StorageManager flushOnThread', () => {
  test('must be a boolean, and cannot be combined with a custom file system', () => {
    const baseDataPath = join(dir.path, 'opts');
    assert.throws(
      () => new StorageManager({ baseDataPath, flushOnThread: 'yes' as unknown as boolean }),
      isStorageError('INVALID_ARGUMENT', /flushOnThread must be a boolean, got "yes"/),
    );
    assert.throws(
      () => new StorageManager({ baseDataPath, flushOnThread: true, fileSystem: new FaultyFileSystem(new NodeFileSystem()) }),
      isStorageError('INVALID_ARGUMENT', /custom fileSystem/),
    );
  });

  test('collections flushed on the thread and in memory end up with identical tables and the same contents after reopening', async () => {
    const rng = rngOf(5);
    const writes = Array.from({ length: 3000 }, (_, i) => {
      const k = `user:${rng.int(1500)}:${AWKWARD[i % AWKWARD.length]}`;
      return rng.int(6) === 0
        ? { type: 'delete' as const, key: k }
        : { type: 'put' as const, key: k, value: `${i}-${'v'.repeat(rng.int(80))}` };
    });
    const run = async (flushOnThread: boolean) => {
      const baseDataPath = join(dir.path, `same-${flushOnThread}`);
      const m = new StorageManager({ baseDataPath, flushOnThread, memtableBytes: 16 * 1024, autoCompaction: false });
      await m.createCollection('t');
      const c = await m.useCollection('t');
      for (let i = 0; i < writes.length; i += 25) await c.batch(writes.slice(i, i + 25));
      await c.flush();
      const flushes = c.stats().totals.flushes;
      await m.closeAll();
      const colDir = join(baseDataPath, 't');
      const tables = readdirSync(colDir)
        .filter((f) => f.endsWith('.sst'))
        .sort();
      const reopened = new StorageManager({ baseDataPath, flushOnThread });
      const r = await reopened.useCollection('t');
      const entries: [string, string][] = [];
      for await (const e of r.scan()) entries.push(e);
      await reopened.closeAll();
      // In flush order; file numbers themselves may differ, as flushes and WAL rotations interleave differently.
      return { flushes, tables: tables.map((f) => readFileSync(join(colDir, f))), entries };
    };
    const onThread = await run(true);
    const inMemory = await run(false);
    assert.ok(onThread.flushes >= 10, `only ${onThread.flushes} flushes`);
    assert.equal(onThread.flushes, inMemory.flushes);
    assert.equal(onThread.tables.length, inMemory.tables.length);
    onThread.tables.forEach((table, i) =>
      assert.ok(table.equals(inMemory.tables[i]), `table ${i + 1} of ${inMemory.tables.length} differs`),
    );
    const model = new Map<string, string>();
    for (const w of writes) {
      if (w.type === 'put') model.set(w.key, w.value);
      else model.delete(w.key);
    }
    assert.deepEqual(new Map(onThread.entries), model);
    assert.equal(onThread.entries.length, model.size);
  });
});

describe('a collection whose flush runner fails', () => {
  /** A collection created by a manager, opened directly with `runner`; and what it takes to read everything back. */
  async function openWith(label: string, runner: FlushRunner) {
    const baseDataPath = join(dir.path, label);
    await new StorageManager({ baseDataPath, memtableBytes: 8 * 1024, autoCompaction: false }).createCollection('t');
    const c = await Collection.open(
      new NodeFileSystem(),
      join(baseDataPath, 't'),
      't',
      (host) => new CompactionScheduler(host, forkLauncher),
      runner,
    );
    const readBack = async () => {
      const m = new StorageManager({ baseDataPath, flushOnThread: false });
      const r = await m.useCollection('t');
      const entries: [string, string][] = [];
      for await (const e of r.scan()) entries.push(e);
      await m.closeAll();
      return entries;
    };
    return { c, readBack };
  }
  const key = (i: number) => `k${String(i).padStart(4, '0')}`;

  test('when the thread itself stops, the flush is done in memory over what it left, and later flushes stay off the thread', async () => {
    const calls: number[] = [];
    const { c, readBack } = await openWith('stopped', async (job) => {
      calls.push(job.id);
      writeFileSync(join(job.dir, tableFileName(job.id)), 'half a table');
      throw new FlushThreadStopped('the flush thread stopped: it exited with code 1', undefined);
    });
    for (let i = 0; i < 600; i += 20)
      await c.batch(
        Array.from({ length: 20 }, (_, j) => ({ type: 'put' as const, key: key(i + j), value: `v${i + j}-${'x'.repeat(40)}` })),
      );
    await c.flush();
    const s = c.stats();
    assert.equal(calls.length, 1);
    assert.ok(s.totals.flushes >= 3, `only ${s.totals.flushes} flushes`);
    assert.deepEqual(s.flush, { onThread: false, threadStopped: 'the flush thread stopped: it exited with code 1' });
    assert.equal(s.writeError, undefined);
    await c.close();
    const entries = await readBack();
    assert.equal(entries.length, 600);
    assert.deepEqual(entries[599], [key(599), `v599-${'x'.repeat(40)}`]);
  });

  test('when the flush itself fails (the disk), the collection refuses writes as for any flush failure, and reopens with every write', async () => {
    const { c, readBack } = await openWith('disk', async (job) => {
      throw new StorageError(
        'IO_ERROR',
        `write SSTable failed for ${join(job.dir, tableFileName(job.id))}: ENOSPC (no space left on device)`,
      );
    });
    let written = 0;
    await assert.rejects(
      async () => {
        for (; written < 2000; written++) await c.put(key(written), `v${written}-${'x'.repeat(40)}`);
      },
      isStorageError('IO_ERROR', /ENOSPC.*refuses writes until it is reopened/),
    );
    assert.match(c.stats().writeError ?? '', /ENOSPC/);
    assert.equal(c.stats().flush.threadStopped, undefined);
    await c.close();
    const entries = await readBack();
    assert.equal(entries.length, written);
  });
});
