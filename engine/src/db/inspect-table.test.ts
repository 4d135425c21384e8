/**
 * inspectTable: one live SSTable's properties, checked against stats() and
 * against what was written into it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStorageError } from '../testing/storage-error.js';
import { collectionFixture } from '../testing/collection-fixture.js';

const { manager, open } = collectionFixture('strata-inspect');

const key = (i: number) => `k${String(i).padStart(4, '0')}`;

describe('inspectTable', () => {
  test('reports a flushed table as stats() does, with its first entries in key order', async () => {
    const { c } = await open({ autoCompaction: false, blockBytes: 256, bloomBitsPerKey: 12 });
    // Written out of order; every 5th key deleted; one long and one multi-byte value.
    for (let i = 99; i >= 0; i--) await c.put(key(i), `value-${i}`);
    for (let i = 0; i < 100; i += 5) await c.delete(key(i));
    await c.put(key(1), 'é'.repeat(100));
    await c.put(key(2), 'L'.repeat(1000));
    await c.flush();
    const [file] = c.stats().levels[0].files;
    const t = await c.inspectTable(file.id, { firstEntries: 4, valuePreviewChars: 10 });

    assert.equal(t.id, file.id);
    assert.equal(t.level, 0);
    for (const [mine, theirs] of [
      ['bytes', 'bytes'],
      ['entries', 'entries'],
      ['tombstones', 'tombstones'],
      ['minKey', 'minKey'],
      ['maxKey', 'maxKey'],
      ['minSequence', 'minSequence'],
      ['maxSequence', 'maxSequence'],
    ] as const) {
      assert.equal(t[mine], file[theirs], mine);
    }
    assert.deepEqual([t.entries, t.tombstones, t.minKey, t.maxKey], [100, 20, key(0), key(99)]);
    assert.deepEqual([t.minSequence, t.maxSequence], [1, 122]);
    assert.ok(t.dataBlocks > 5, `${t.dataBlocks} data blocks of at most 256 bytes`);
    assert.ok(t.storedDataBytes > 0 && t.storedDataBytes < t.bytes, 'stored data blocks are part of the file');
    assert.ok(t.storedDataBytes < t.dataBytes, `${t.storedDataBytes} stored of ${t.dataBytes}: the 1000-character value compresses`);
    assert.equal(t.compression, 'snappy');
    assert.ok(t.indexBytes > 0);
    assert.equal(t.bloomBitsPerKey, 12);
    assert.ok(t.filterBytes >= (100 * 12) / 8, `filter of ${t.filterBytes} bytes for 100 keys at 12 bits`);
    assert.equal(t.createdBy, 'flush');
    assert.deepEqual(t.firstEntries, [
      { key: key(0), sequence: 101, tombstone: true, valueBytes: 0, valuePreview: '', truncated: false },
      { key: key(1), sequence: 121, tombstone: false, valueBytes: 200, valuePreview: 'é'.repeat(10), truncated: true },
      { key: key(2), sequence: 122, tombstone: false, valueBytes: 1000, valuePreview: 'L'.repeat(10), truncated: true },
      { key: key(3), sequence: 97, tombstone: false, valueBytes: 7, valuePreview: 'value-3', truncated: false },
    ]);

    const all = await c.inspectTable(file.id, { firstEntries: 10_000 });
    assert.equal(all.firstEntries.length, 100, 'asking for more entries than the table holds returns them all');
    assert.deepEqual(
      all.firstEntries.map((e) => e.key),
      Array.from({ length: 100 }, (_, i) => key(i)),
    );
    assert.equal(all.firstEntries.filter((e) => e.tombstone).length, t.tombstones);
    assert.deepEqual(
      [all.firstEntries[51].valuePreview, all.firstEntries[51].truncated],
      ['value-51', false],
      'a value shorter than the preview is whole',
    );
    assert.deepEqual((await c.inspectTable(file.id)).firstEntries, [], 'no entries unless asked');
  });

  test('a preview never splits a character, even one of four UTF-8 bytes', async () => {
    const { c } = await open({ autoCompaction: false });
    await c.put('emoji', '😀'.repeat(20));
    await c.put('mixed', 'a😀b'.repeat(20));
    await c.flush();
    const [file] = c.stats().levels[0].files;
    for (const chars of [1, 2, 3, 5, 8]) {
      const [emoji, mixed] = (await c.inspectTable(file.id, { firstEntries: 2, valuePreviewChars: chars })).firstEntries;
      assert.ok(emoji.valuePreview.isWellFormed() && mixed.valuePreview.isWellFormed(), `well-formed previews at ${chars} characters`);
      assert.ok(emoji.valuePreview.length <= chars && mixed.valuePreview.length <= chars);
      assert.ok('😀'.repeat(20).startsWith(emoji.valuePreview));
      assert.ok('a😀b'.repeat(20).startsWith(mixed.valuePreview));
      assert.ok(emoji.truncated && mixed.truncated);
    }
  });

  test('tables written by compaction say so; after reopen only L0 tables are known to be flushes', async () => {
    const { m, c, base } = await open({ autoCompaction: false, targetFileBytes: 2048, blockBytes: 256 });
    for (let i = 0; i < 300; i++) await c.put(key(i), `v${i}-${'z'.repeat(20)}`);
    await c.flush();
    for (let i = 0; i < 300; i += 3) await c.delete(key(i));
    await c.compact(); // a merge (the tombstones rule out a trivial move)
    const l1 = c.stats().levels[1].files;
    assert.ok(l1.length > 1, `${l1.length} L1 tables`);
    for (const f of l1) {
      const t = await c.inspectTable(f.id, { firstEntries: 1 });
      assert.equal(t.createdBy, 'compaction');
      assert.equal(t.level, 1);
      assert.deepEqual([t.bytes, t.entries, t.tombstones, t.minKey, t.maxKey], [f.bytes, f.entries, f.tombstones, f.minKey, f.maxKey]);
      assert.equal(t.firstEntries[0].key, f.minKey);
    }
    await c.put('zz', 'later');
    await c.flush();
    await m.closeAll();
    const m2 = manager({ baseDataPath: base });
    const c2 = await m2.useCollection('t');
    assert.equal((await c2.inspectTable(c2.stats().levels[0].files[0].id)).createdBy, 'flush');
    assert.equal((await c2.inspectTable(l1[0].id)).createdBy, 'unknown');
  });

  test('a file number that is not a live table is refused, naming the live ones', async () => {
    const { c } = await open({ autoCompaction: false });
    await assert.rejects(c.inspectTable(1), isStorageError('INVALID_ARGUMENT', /no live SSTable 1 .*live tables: none/));
    await c.put('a', '1');
    await c.flush();
    const [old] = c.stats().levels[0].files;
    await c.delete('a');
    await c.compact();
    const live = c.stats().levels.flatMap((l) => l.files.map((f) => f.id));
    assert.ok(!live.includes(old.id));
    await assert.rejects(c.inspectTable(old.id), isStorageError('INVALID_ARGUMENT', new RegExp(`no live SSTable ${old.id}\\b`)));
    await assert.rejects(c.inspectTable(1.5), isStorageError('INVALID_ARGUMENT'));
    await assert.rejects(c.inspectTable('3' as unknown as number), isStorageError('INVALID_ARGUMENT'));
    await c.put('b', '2');
    await c.flush();
    const [file] = c.stats().levels[0].files;
    await assert.rejects(c.inspectTable(file.id, { firstEntries: -1 }), isStorageError('INVALID_ARGUMENT', /firstEntries/));
    await assert.rejects(
      c.inspectTable(file.id, { first: 3 } as object),
      isStorageError('INVALID_ARGUMENT', /unknown inspectTable\(\) option "first"/),
    );
  });
});
