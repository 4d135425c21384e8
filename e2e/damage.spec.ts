import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageManager } from '@strata/engine';
import { expect, snap, test } from './fixtures';
import { openApp, row, startOn, tempDir } from './helpers';

const key = (i: number) => `k${String(i).padStart(3, '0')}`;

/** Offsets of the records of a log file (WAL or manifest): length u32 | crc u32 | header check u32 | payload. */
function recordStarts(data: Buffer): number[] {
  const starts: number[] = [];
  for (let pos = 0; pos + 12 <= data.length && data.readUInt32LE(pos) !== 0; pos += 12 + data.readUInt32LE(pos)) starts.push(pos);
  return starts;
}

/**
 * A collection that no longer opens: 20 keys flushed to a table, 10 more in
 * the WAL, then a flipped byte in the manifest's first record (CORRUPTION at
 * open) and one in the WAL's record of k025 (that write is lost).
 */
async function damagedCollection(dataDir: string): Promise<void> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  await manager.createCollection('damaged');
  const c = await manager.getCollection('damaged');
  for (let i = 0; i < 20; i++) await c.put(key(i), `value ${i}`);
  await c.flush();
  for (let i = 20; i < 30; i++) await c.put(key(i), `value ${i}`, { sync: true });
  await manager.closeAll();
  const dir = join(dataDir, 'damaged');
  const manifest = join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());
  const m = readFileSync(manifest);
  m[20] ^= 0xff;
  writeFileSync(manifest, m);
  const wal = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.log') && statSync(join(dir, f)).size > 0)!,
  );
  const w = readFileSync(wal);
  w[recordStarts(w)[5]! + 16] ^= 0xff;
  writeFileSync(wal, w);
}

test('a collection that fails to open with CORRUPTION offers Repair…, which explains, repairs, reports and opens it', async ({ page }) => {
  const own = tempDir();
  await damagedCollection(own.dir);
  const web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await page.getByRole('button', { name: 'damaged', exact: true }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Data is corrupted' });
    await expect(toast).toContainText('bad record checksum at offset 0');
    await snap(page, 'repair-offered');
    await toast.getByRole('button', { name: 'Repair…' }).click();

    const dialog = page.getByRole('dialog', { name: 'Repair “damaged”' });
    await expect(dialog).toContainText('cannot be opened');
    await expect(dialog).toContainText('nothing is deleted');
    await snap(page, 'repair-explained');
    await dialog.getByRole('button', { name: 'Repair', exact: true }).click();

    const done = page.getByRole('dialog', { name: 'Repaired “damaged”' });
    const report = done.getByTestId('repair-report');
    await expect(report).toContainText('2 table(s) holding 29 entries');
    await expect(report).toContainText('Old manifest: MANIFEST-');
    await expect(report.locator('tr[data-outcome="kept"]')).toHaveCount(1);
    await expect(report.locator('tr[data-outcome="converted"]')).toContainText('9 record(s)');
    await expect(report.getByRole('listitem').filter({ hasText: 'damaged manifest' })).toHaveCount(1);
    await expect(report.getByRole('listitem').filter({ hasText: 'damaged write-ahead log' })).toHaveCount(1);
    await snap(page, 'repair-report');
    await done.getByRole('button', { name: 'Open collection' }).click();

    await expect(page.getByRole('heading', { name: 'damaged', exact: true })).toBeVisible();
    await expect(row(page, key(0))).toBeVisible();
    await expect(row(page, key(29))).toBeVisible();
    await expect(row(page, key(25))).toHaveCount(0);
  } finally {
    await web.stop();
    own.remove();
  }
});

/** A collection whose manifest lost its last edit (the flush that listed a table): the table is unlisted, its keys newer than the state. */
async function forgottenTable(dataDir: string): Promise<string> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  await manager.createCollection('forgot');
  const c = await manager.getCollection('forgot');
  for (let i = 0; i < 10; i++) await c.put(key(i), `value ${i}`, { sync: true });
  await c.flush();
  await manager.closeAll();
  const dir = join(dataDir, 'forgot');
  const manifest = join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());
  const m = readFileSync(manifest);
  writeFileSync(manifest, m.subarray(0, recordStarts(m)[1]));
  return readdirSync(dir).find((f) => f.endsWith('.sst'))!;
}

test('opening a collection whose manifest forgot a table moves the table to lost/ and says so, with why', async ({ page }) => {
  const own = tempDir();
  const table = await forgottenTable(own.dir);
  const web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await page.getByRole('button', { name: 'forgot', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'forgot', exact: true })).toBeVisible();
    const toast = page.getByTestId('toast').filter({ hasText: '"forgot" opened with files set aside' });
    await expect(toast).toContainText('1 file(s) could not be used and were moved to the lost/ folder');
    await expect(toast).toContainText(`${table}: table not in the manifest, holding 10 key(s) newer than the collection's state`);
    await snap(page, 'lost-files-toast');
  } finally {
    await web.stop();
    own.remove();
  }
});
