import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { ValueKind } from '../log/write-batch.js';
import { tempDir } from '../testing/temp-dir.js';
import { Cursor } from '../util/coding.js';
import { checksum } from '../util/checksum.js';
import { BlockCache } from './block-cache.js';
import { keyHash } from './bloom.js';
import { BlockType, type Compression } from './compression.js';
import { TableBuilder } from './table-builder.js';
import { BLOCK_TRAILER_BYTES, decodeFooter, FOOTER_BYTES, verifyBlock } from './table-format.js';
import { TableReader } from './table-reader.js';

const fs = new NodeFileSystem();
const dir = tempDir('strata-table');
after(dir.cleanup);

const key = (i: number) => `key${String(i).padStart(5, '0')}`;

const valueOf = (i: number) => `value-${i}-${'x'.repeat(i % 50)}`;

async function buildTable(name: string, count: number, compression: Compression = 'snappy', value = valueOf): Promise<string> {
  const path = join(dir.path, name);
  const builder = new TableBuilder(fs.create(path), { blockBytes: 512, bloomBitsPerKey: 10, compression });
  for (let i = 0; i < count; i++) {
    if (i % 10 === 3) builder.addString(key(i), i + 1, ValueKind.Delete, '');
    else builder.addString(key(i), i + 1, ValueKind.Put, value(i));
  }
  await builder.finish();
  return path;
}

/** Each data block's handle and trailer type byte, read straight from the file. */
function dataBlocks(path: string): { offset: number; size: number; type: number }[] {
  const data = readFileSync(path);
  const footer = decodeFooter(data.subarray(data.length - FOOTER_BYTES), path, data.length);
  const index = verifyBlock(
    data.subarray(footer.index.offset, footer.index.offset + footer.index.size + BLOCK_TRAILER_BYTES),
    path,
    'index',
    0,
  );
  const cursor = new Cursor(index, 0);
  const out = [];
  for (let i = cursor.varint(); i > 0; i--) {
    cursor.bytes(cursor.varint());
    const offset = cursor.varint();
    const size = cursor.varint();
    out.push({ offset, size, type: data[offset + size] });
  }
  return out;
}

const open = (path: string, id = 1) => TableReader.open(fs.openRead(path), id, new BlockCache(0));

describe('SSTable', () => {
  for (const compression of ['snappy', 'none'] as const) {
    test(`every entry written is found, tombstones included, and absent keys are not (compression ${compression})`, async () => {
      const path = await buildTable(`a-${compression}.sst`, 2000, compression);
      const table = open(path);
      assert.ok(table.blockCount > 10, 'entries span many blocks');
      for (let i = 0; i < 2000; i++) {
        const hit = table.get(Buffer.from(key(i)));
        assert.ok(hit, key(i));
        assert.equal(hit.sequence, i + 1);
        if (i % 10 === 3) assert.equal(hit.kind, ValueKind.Delete);
        else assert.equal(hit.value, valueOf(i));
      }
      assert.equal(table.get(Buffer.from('key00000x')), undefined);
      assert.equal(table.get(Buffer.from('zzz')), undefined);
      assert.equal(table.properties.entries, 2000);
      assert.equal(table.properties.tombstones, 200);
      assert.equal(table.properties.minKey, key(0));
      assert.equal(table.properties.maxKey, key(1999));
      await table.close();
      const wanted = compression === 'snappy' ? BlockType.Snappy : BlockType.None;
      assert.ok(
        dataBlocks(path).every((b) => b.type === wanted),
        `every data block is stored with type ${wanted}`,
      );
    });
  }

  test('snappy makes compressible tables smaller; a table written without compression reads the same', async () => {
    const packed = await buildTable('g-snappy.sst', 3000, 'snappy');
    const raw = await buildTable('g-none.sst', 3000, 'none');
    assert.ok(readFileSync(packed).length < 0.6 * readFileSync(raw).length, 'compressed table is much smaller');
    const [a, b] = [open(packed, 1), open(raw, 2)];
    for (let i = 0; i < 3000; i += 7) assert.deepEqual(a.get(Buffer.from(key(i))), b.get(Buffer.from(key(i))));
    await a.close();
    await b.close();
  });

  test('incompressible blocks are stored raw even with compression on', async () => {
    const noise = Array.from({ length: 600 }, () => randomBytes(60).toString('base64'));
    const path = await buildTable('h.sst', 600, 'snappy', (i) => noise[i]);
    const blocks = dataBlocks(path);
    assert.ok(blocks.length > 10);
    assert.ok(
      blocks.every((b) => b.type === BlockType.None),
      'base64 noise saves less than 1/8, so no block is compressed',
    );
    const table = open(path);
    assert.equal(table.get(Buffer.from(key(599)))?.value, noise[599]);
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

  test('a flipped byte in a compressed data block gives CORRUPTION, caught by the checksum', async () => {
    const path = await buildTable('c2.sst', 500, 'snappy');
    const [first] = dataBlocks(path);
    assert.equal(first.type, BlockType.Snappy);
    for (const at of [first.offset + 10, first.offset + first.size]) {
      const table = open(flipped(path, at, `c2-data-${at}.sst`));
      assert.throws(
        () => table.get(Buffer.from(key(0))),
        (err) => isCorruption(`c2-data-${at}.sst`)(err) && /checksum mismatch/.test(String(err)),
      );
      await table.close();
    }
  });

  test('a compressed block that passes its checksum but does not decode gives CORRUPTION', async () => {
    const path = await buildTable('c3.sst', 500, 'snappy');
    const [first] = dataBlocks(path);
    const data = readFileSync(path);
    // Garbage with a valid checksum: only a codec error can catch it.
    data.fill(0xff, first.offset, first.offset + first.size);
    data.writeUInt32LE(
      checksum(data.subarray(first.offset, first.offset + first.size), Buffer.from([BlockType.Snappy])),
      first.offset + first.size + 1,
    );
    const bad = join(dir.path, 'c3-garbage.sst');
    writeFileSync(bad, data);
    const table = open(bad);
    assert.throws(
      () => table.get(Buffer.from(key(0))),
      (err) => isCorruption('c3-garbage.sst')(err) && /does not decompress/.test(String(err)),
    );
    await table.close();
  });

  test('an unknown block type gives CORRUPTION', async () => {
    const path = await buildTable('c4.sst', 500, 'none');
    const [first] = dataBlocks(path);
    const data = readFileSync(path);
    data[first.offset + first.size] = 9;
    data.writeUInt32LE(checksum(data.subarray(first.offset, first.offset + first.size), Buffer.from([9])), first.offset + first.size + 1);
    const bad = join(dir.path, 'c4-type.sst');
    writeFileSync(bad, data);
    const table = open(bad);
    assert.throws(
      () => table.get(Buffer.from(key(0))),
      (err) => isCorruption('c4-type.sst')(err) && /unknown compression type 9/.test(String(err)),
    );
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
