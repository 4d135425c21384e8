import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import type { TornWal } from '../events/stats.js';

const dir = tempDir('strata-wal-prealloc');
after(dir.cleanup);
let n = 0;

const SYNC = { sync: true };
const key = (i: number) => `k${String(i).padStart(3, '0')}`;

async function fresh(): Promise<{ m: StorageManager; base: string; put: (i: number, sync: boolean) => Promise<void> }> {
  const base = join(dir.path, `c${n++}`);
  const m = new StorageManager({ baseDataPath: base });
  await m.createCollection('t');
  const c = await m.useCollection('t');
  return { m, base, put: (i, sync) => c.put(key(i), `value-${i}`, sync ? SYNC : undefined) };
}

/** The collection's one non-empty WAL: its path and the offsets where its records start (up to the zeros). */
function theWal(base: string): { path: string; data: Buffer; starts: number[]; end: number } {
  const colDir = join(base, 't');
  const name = readdirSync(colDir).find((f) => f.endsWith('.log') && statSync(join(colDir, f)).size > 0)!;
  const path = join(colDir, name);
  const data = readFileSync(path);
  const starts: number[] = [];
  let pos = 0;
  while (pos + 12 <= data.length && data.readUInt32LE(pos + 8) !== 0) {
    starts.push(pos);
    pos += 12 + data.readUInt32LE(pos);
  }
  return { path, data, starts, end: pos };
}

/** Every entry after reopening, and the WALs the open cut at a torn tail. */
async function readAll(base: string): Promise<Map<string, string> & { torn: TornWal[] }> {
  const m = new StorageManager({ baseDataPath: base });
  try {
    const c = await m.useCollection('t');
    const out = Object.assign(new Map<string, string>(), { torn: c.stats().recovery.tornWals });
    for await (const [k, v] of c.scan()) out.set(k, v);
    return out;
  } finally {
    await m.closeAll();
  }
}

const keysUpTo = (count: number) => Array.from({ length: count }, (_, i) => key(i));

describe('WAL preallocation for sync writes', () => {
  test('sync writes write zeros ahead of the WAL; reopening reads every write and takes the zeros as the end', async () => {
    const { m, base, put } = await fresh();
    for (let i = 0; i < 50; i++) await put(i, true);
    await m.closeAll();
    const wal = theWal(base);
    assert.equal(wal.starts.length, 50);
    assert.ok(wal.data.length >= wal.end + 512 * 1024, `file ${wal.data.length} bytes, records end at ${wal.end}: zeros ahead`);
    assert.ok(wal.data.subarray(wal.end).every((b) => b === 0));
    const reopened = await readAll(base);
    assert.deepEqual([...reopened.keys()], keysUpTo(50));
    assert.deepEqual(reopened.torn, [], 'the zeros are no torn tail');
    const m2 = new StorageManager({ baseDataPath: base });
    assert.equal((await m2.describeCollection('t')).approximateEntries, 50, 'a closed collection counts the WAL up to the zeros');
    await m2.closeAll();
  });

  test('writes that never sync leave the WAL as long as its records (bulk loads pay nothing)', async () => {
    const { m, base, put } = await fresh();
    for (let i = 0; i < 50; i++) await put(i, false);
    await m.closeAll();
    const wal = theWal(base);
    assert.equal(wal.data.length, wal.end);
  });

  test('after a power loss, an unsynced write lost from the middle of the preallocated space is a torn tail: earlier writes kept, later ones dropped, the collection opens', async () => {
    const { m, base, put } = await fresh();
    for (let i = 0; i < 10; i++) await put(i, true);
    for (let i = 10; i < 20; i++) await put(i, false);
    await m.closeAll();
    const wal = theWal(base);
    // Record 12's page never reached the disk while those of 13..19 did.
    wal.data.fill(0, wal.starts[12], wal.starts[13]);
    writeFileSync(wal.path, wal.data);
    const reopened = await readAll(base);
    assert.deepEqual([...reopened.keys()], keysUpTo(12));
    assert.deepEqual(
      reopened.torn,
      [{ path: wal.path, keptRecords: 12, cutAt: wal.starts[12], fileBytes: wal.data.length }],
      'the open reports the cut',
    );
  });

  test('damage to a write that a later record shows was synced is CORRUPTION, never a silent loss', async () => {
    const { m, base, put } = await fresh();
    for (let i = 0; i < 10; i++) await put(i, true);
    await m.closeAll();
    const wal = theWal(base);
    wal.data[wal.starts[3] + 20] ^= 0x01;
    writeFileSync(wal.path, wal.data);
    const m2 = new StorageManager({ baseDataPath: base });
    await assert.rejects(m2.useCollection('t'), isStorageError('CORRUPTION', /offset/));
    await m2.closeAll();
  });
});
