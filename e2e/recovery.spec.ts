import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageManager } from '@strata/engine';
import { expect, test } from './fixtures';
import { openApp, openCollection, row, startOn, tempDir } from './helpers';

const key = (i: number) => `k${String(i).padStart(3, '0')}`;

/**
 * Leaves the collection as a power loss would: 10 synced writes, 10 more never
 * synced, and the page holding the 13th lost (zeros) while later ones reached the disk.
 */
async function crashWithTornWal(dataDir: string): Promise<void> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  await manager.createCollection('crashed');
  const c = await manager.getCollection('crashed');
  for (let i = 0; i < 20; i++) await c.put(key(i), `value ${i}`, i < 10 ? { sync: true } : undefined);
  await manager.closeAll();
  const colDir = join(dataDir, 'crashed');
  const wal = join(
    colDir,
    readdirSync(colDir).find((f) => f.endsWith('.log') && statSync(join(colDir, f)).size > 0)!,
  );
  const data = readFileSync(wal);
  const starts: number[] = [];
  for (let pos = 0; starts.length < 14; pos += 12 + data.readUInt32LE(pos)) starts.push(pos);
  data.fill(0, starts[12], starts[13]);
  writeFileSync(wal, data);
}

test('opening a collection whose WAL was torn by a crash says so, and shows the writes before the tear', async ({ page }) => {
  const own = tempDir();
  await crashWithTornWal(own.dir);
  const web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await openCollection(page, 'crashed');
    const toast = page.getByTestId('toast').filter({ hasText: '"crashed" recovered after a crash' });
    await expect(toast).toContainText('1 write-ahead log(s) ended in a torn write and were cut there (12 record(s) kept)');
    await expect(row(page, key(11))).toBeVisible();
    await expect(row(page, key(12))).toHaveCount(0);
  } finally {
    await web.stop();
    own.remove();
  }
});
