import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { ValueKind } from '../log/write-batch.js';
import { tempDir } from '../testing/temp-dir.js';
import { BlockCache } from './block-cache.js';
import { keyHash } from './bloom.js';
import { TableBuilder } from './table-builder.js';
import { decodeFooter, FOOTER_BYTES } from './table-format.js';
import { TableReader } from './table-reader.js';

const fs = new NodeFileSystem();
const dir = tempDir('strata-table');
after(dir.cleanup);

const key = (i: number) => `key${String(i).padStart(5, '0')}`;

async function buildTable(name: string, count: number): Promise<string> {
  const path = join(dir.path, name);
  const builder = new TableBuilder(fs.create(path), { blockBytes: 512, bloomBitsPerKey: 10 });
  for (let i = 0; i < count; i++) {
    if (i % 10 === 3) builder.addString(key(i), i + 1, ValueKind.Delete, '');
    else builder.addString(key(i), i + 1, ValueKind.Put, `value-${i}-${'x'.repeat(i % 50)}`);
  }
  await builder.finish();
  return path;
}

const open = (path: string, id = 1) => TableReader.open(fs.openRead(path), id, new BlockCache(0));

describe('SSTable', () => {
  test('every entry written is found, tombstones included, and absent keys are not', async () => {
    const table = open(await buildTable('a.sst', 2000));
    assert.ok(table.blockCount > 10, 'entries span many blocks');
    for (let i = 0; i < 2000; i++) {
      const hit = table.get(Buffer.from(key(i)));
      assert.ok(hit, key(i));
      assert.equal(hit.sequence, i + 1);
      if (i % 10 === 3) assert.equal(hit.kind, ValueKind.Delete);
      else assert.equal(hit.value, `value-${i}-${'x'.repeat(i % 50)}`);
    }
    assert.equal(table.get(Buffer.from('key00000x')), undefined);
    assert.equal(table.get(Buffer.from('zzz')), undefined);
    assert.equal(table.properties.entries, 2000);
    assert.equal(table.properties.tombstones, 200);
    assert.equal(table.properties.minKey, key(0));
    assert.equal(table.properties.maxKey, key(1999));
    await table.close();
  });

  test('the bloom filter rejects most absent keys and never a present one', async () => {
    const table = open(await buildTable('b.sst', 5000));
    for (let i = 0; i < 5000; i++) assert.ok(table.mayContain(keyHash(Buffer.from(key(i)))));
    let falsePositives = 0;
    for (let i = 0; i < 10000; i++) if (table.mayContain(keyHash(Buffer.from(`absent-${i}`)))) falsePositives++;
    assert.ok(falsePositives < 300, `false-positive rate ${falsePositives / 100}% should be near 1%`);
    await table.close();
  });

  function flipped(path: string, offset: number, name: string): string {
    const data = readFileSync(path);
    data[offset] ^= 0x40;
    const out = join(dir.path, name);
    writeFileSync(out, data);
    return out;
  }

  const isCorruption = (file: string) => (err: unknown) =>
    err instanceof StorageError && err.code === 'CORRUPTION' && err.message.includes(file);

  test('a flipped byte in a data block gives CORRUPTION naming the file on read', async () => {
    const path = await buildTable('c.sst', 500);
    const bad = flipped(path, 100, 'c-data.sst');
    const table = open(bad);
    assert.throws(() => table.get(Buffer.from(key(0))), isCorruption('c-data.sst'));
    await table.close();
  });

  test('a flipped byte in the index block gives CORRUPTION naming the file', async () => {
    const path = await buildTable('d.sst', 500);
    const data = readFileSync(path);
    const footer = decodeFooter(data.subarray(data.length - FOOTER_BYTES), path, data.length);
    const bad = flipped(path, footer.index.offset + 3, 'd-index.sst');
    assert.throws(() => open(bad), isCorruption('d-index.sst'));
  });

  test('a flipped byte in the footer gives CORRUPTION naming the file', async () => {
    const path = await buildTable('e.sst', 500);
    const size = readFileSync(path).length;
    for (const at of [size - FOOTER_BYTES + 2, size - 1]) {
      const bad = flipped(path, at, `e-footer-${at}.sst`);
      assert.throws(() => open(bad), isCorruption(`e-footer-${at}.sst`));
    }
  });

  test('a truncated table gives CORRUPTION, not a crash', async () => {
    const path = await buildTable('f.sst', 500);
    const out = join(dir.path, 'f-short.sst');
    writeFileSync(out, readFileSync(path).subarray(0, 30));
    assert.throws(() => open(out), isCorruption('f-short.sst'));
  });
});
