import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import type { Collection } from './collection.js';

const dir = tempDir('strata-compression');
after(dir.cleanup);

const key = (i: number) => `key${String(i).padStart(6, '0')}`;
/** Half-repeated like the benchmark's values, so Snappy roughly halves them. */
const value = (i: number, round: number) => {
  const half = `${round}:${i}:`.padEnd(50, String.fromCharCode(97 + ((i * 7) % 26)));
  return half + half;
};

/** Bytes of the tables the current version lists (replaced ones are deleted in the background). */
const tableBytes = (c: Collection) => c.stats().liveBytes;

async function expectAll(c: Collection, wanted: Map<string, string>, when: string): Promise<void> {
  for (const [k, v] of wanted) assert.equal(await c.get(k), v, `${when}: ${k}`);
  let n = 0;
  for await (const [k, v] of c.scan()) {
    assert.equal(v, wanted.get(k), `${when}: scan ${k}`);
    n++;
  }
  assert.equal(n, wanted.size, `${when}: scan count`);
}

describe('block compression in a collection', () => {
  test('the option is validated and persisted, and defaults to snappy', async () => {
    const m = new StorageManager({ baseDataPath: join(dir.path, 'opts') });
    await assert.rejects(
      m.createCollection('x', { compression: 'zip' as 'none' }),
      isStorageError('INVALID_OPTIONS', /compression must be one of "snappy", "none"/),
    );
    await m.createCollection('x');
    await m.createCollection('y', { compression: 'none' });
    const saved = (name: string) => JSON.parse(readFileSync(join(m.baseDataPath, name, 'OPTIONS'), 'utf8')).compression;
    assert.equal(saved('x'), 'snappy');
    assert.equal(saved('y'), 'none');
    await m.closeAll();
  });

  test('tables written raw and compressed live side by side, through reopen, flush and compaction', async () => {
    const base = join(dir.path, 'mixed');
    const m = new StorageManager({ baseDataPath: base });
    await m.createCollection('t', { compression: 'none', autoCompaction: false });
    const path = join(base, 't');
    const wanted = new Map<string, string>();
    let c = await m.useCollection('t');
    for (let i = 0; i < 3000; i++) {
      await c.put(key(i), value(i, 1));
      wanted.set(key(i), value(i, 1));
    }
    await c.flush();
    const rawBytes = tableBytes(c);
    await m.closeAll();

    // As a collection created before compression existed: no compression in OPTIONS, so the default (snappy) applies.
    const options = JSON.parse(readFileSync(join(path, 'OPTIONS'), 'utf8'));
    delete options.compression;
    writeFileSync(join(path, 'OPTIONS'), JSON.stringify(options));
    const m2 = new StorageManager({ baseDataPath: base });
    c = await m2.useCollection('t');
    assert.equal(c.options.compression, 'snappy');
    await expectAll(c, wanted, 'old raw table, after reopen');
    for (let i = 0; i < 3000; i += 2) {
      await c.put(key(i), value(i, 2));
      wanted.set(key(i), value(i, 2));
    }
    await c.flush();
    const mixedBytes = tableBytes(c);
    assert.ok(mixedBytes - rawBytes < 0.4 * rawBytes, `half the keys again, compressed, add less than 40% (${rawBytes} -> ${mixedBytes})`);
    await expectAll(c, wanted, 'raw and compressed tables');

    await c.compact();
    assert.ok(tableBytes(c) < 0.6 * rawBytes, `after compaction everything is compressed (${tableBytes(c)} vs ${rawBytes} raw)`);
    await expectAll(c, wanted, 'after compaction');
    await m2.closeAll();
  });
});
