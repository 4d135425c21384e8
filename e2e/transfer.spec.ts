import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { readBack, seedCollection } from './seed';
import { expect, snap, test } from './fixtures';
import { createCollection, openApp, openCollection, row, startOn, tempDir } from './helpers';

/** Downloads and files to upload live outside the data folder, which the server owns. */
function filesDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-files-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Export… with the given scope and format; returns the downloaded file's text, saved as `saveAs`. */
async function exportTo(page: Page, saveAs: string, format: 'NDJSON' | 'JSON' | 'CSV', scope: 'filter' | 'all'): Promise<string> {
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: /^Export/ });
  await dialog.getByRole('radio', { name: scope === 'filter' ? /The current filter/ : 'The whole collection' }).check();
  await dialog.getByTestId('export-format').selectOption(format.toLowerCase());
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  const download = await downloading;
  // The download is opened by its one-time ticket; the access token never appears in a URL after the first load.
  expect(download.url()).toMatch(/\/transfer\/download\/[0-9a-f-]{36}\?ticket=[A-Za-z0-9_-]{43}$/);
  await download.saveAs(saveAs);
  await expect(page.getByRole('dialog', { name: 'Export finished' }).getByTestId('export-summary')).toBeVisible();
  return readFileSync(saveAs, 'utf8');
}

/** Import… through the hidden file input; leaves the preview dialog open. */
async function pickImport(page: Page, file: string) {
  const choosing = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await choosing).setFiles(file);
  const dialog = page.getByRole('dialog', { name: /^Import into/ });
  await expect(dialog.getByTestId('import-preview')).toBeVisible();
  return dialog;
}

test('export a prefix as NDJSON (download), import it into a new collection with preview, progress and summary', async ({ page }) => {
  const own = tempDir();
  const files = filesDir();
  await seedCollection(
    own.dir,
    'src',
    300,
    (i) => (i < 120 ? `user:${String(i).padStart(3, '0')}` : `order:${i}`),
    (i) => `{"n":${i}}`,
  );
  // A file big enough that the import is seen running (progress bar and Cancel).
  const big = join(files.dir, 'big.ndjson');
  writeFileSync(
    big,
    Array.from({ length: 300_000 }, (_, i) => `{"key":"big:${String(i).padStart(7, '0')}","value":"${'v'.repeat(80)}"}\n`).join(''),
  );
  let web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await openCollection(page, 'src');
    await page.getByLabel('Key prefix').fill('user:');
    await expect(page.getByTestId('loaded-count')).toHaveText('120 loaded (all)');

    const text = await exportTo(page, join(files.dir, 'users.ndjson'), 'NDJSON', 'filter');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(120);
    expect(JSON.parse(lines[0]!)).toEqual({ key: 'user:000', value: '{"n":0}' });
    expect(JSON.parse(lines[119]!)).toEqual({ key: 'user:119', value: '{"n":119}' });
    expect(lines.every((l) => JSON.parse(l).key.startsWith('user:'))).toBe(true);
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    await createCollection(page, 'copy');
    const dialog = await pickImport(page, join(files.dir, 'users.ndjson'));
    await expect(dialog.getByTestId('import-format')).toHaveValue('ndjson');
    await expect(dialog.getByTestId('format-source')).toHaveText('NDJSON, from the file name.');
    await expect(dialog.getByTestId('preview-records').locator('tbody tr')).toHaveCount(10);
    await expect(dialog.getByTestId('preview-records').locator('tbody tr').first()).toContainText('user:000');
    await expect(dialog.getByRole('radio', { name: 'Stop at the first bad record' })).toBeChecked();
    await snap(page, 'import-preview');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const done = page.getByRole('dialog', { name: 'Import finished' });
    await expect(done.getByTestId('import-summary')).toContainText('Imported 120 records.');
    await snap(page, 'import-summary');
    await done.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(page.getByTestId('loaded-count')).toHaveText('120 loaded (all)');
    await expect(row(page, 'user:000')).toBeVisible();

    // A long import: progress with a byte count and a bar, then Cancel keeps what was written in whole batches.
    const running = await pickImport(page, big);
    await running.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = page.getByRole('dialog', { name: 'Importing…' }).getByTestId('transfer-progress');
    await expect(progress.getByTestId('transfer-records')).toHaveText(/[1-9][\d,]* records imported/);
    await snap(page, 'import-progress');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('dialog', { name: 'Import cancelled' }).getByTestId('import-summary')).toContainText('Cancelled.');
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    await web.stop();
    expect(await readBack(own.dir, 'copy', ['user:000', 'user:119', 'order:200'])).toEqual(['{"n":0}', '{"n":119}', undefined]);
    web = await startOn(own.dir);
  } finally {
    await web.stop();
    own.remove();
    files.remove();
  }
});

test('bad lines: skip mode lists them by line; stop mode stops with the line number in a toast and the summary', async ({ app }) => {
  const files = filesDir();
  try {
    const file = join(files.dir, 'mixed.ndjson');
    writeFileSync(
      file,
      [
        '{"key":"a","value":"1"}',
        '{"key":"b","value":"2"}',
        '{"key":"c","value":"3"}',
        '{not json',
        '{"key":"e","value":"5"}',
        '{"key":"f"}',
        '{"key":"g","value":"7"}',
      ].join('\n') + '\n',
    );
    await createCollection(app, 'mixed');

    const skip = await pickImport(app, file);
    await expect(skip.getByTestId('preview-problems')).toContainText('line 4');
    await skip.getByRole('radio', { name: 'Skip bad records and report them' }).check();
    await skip.getByRole('button', { name: 'Import', exact: true }).click();
    const summary = app.getByRole('dialog', { name: 'Import finished' }).getByTestId('import-summary');
    await expect(summary).toContainText('Imported 5 records.');
    await expect(summary).toContainText('2 bad records skipped.');
    const bad = summary.getByTestId('bad-records').locator('li');
    await expect(bad).toHaveCount(2);
    await expect(bad.nth(0)).toContainText('line 4');
    await expect(bad.nth(1)).toContainText('line 6');
    await snap(app, 'import-summary-skipped');
    await app.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(app.getByTestId('loaded-count')).toHaveText('5 loaded (all)');

    await createCollection(app, 'strict');
    const stop = await pickImport(app, file);
    await stop.getByRole('button', { name: 'Import', exact: true }).click();
    const failed = app.getByRole('dialog', { name: 'Import failed' });
    await expect(failed.getByTestId('import-error')).toContainText('line 4');
    await expect(app.getByTestId('toast').filter({ hasText: 'Import failed' })).toContainText('line 4');
    await snap(app, 'import-failed');
    await failed.getByRole('button', { name: 'Close', exact: true }).click();
  } finally {
    files.remove();
  }
});

test('CSV round trip keeps commas, quotes, newlines, unicode and empty values', async ({ page }) => {
  const own = tempDir();
  const files = filesDir();
  const entries: [string, string][] = [
    ['comma,key', 'a,b,c'],
    ['quote"key', 'she said "hi", then left'],
    ['newline', 'line 1\nline 2\r\nline 3'],
    ['unicode-ключ-✓', 'emoji 😀 and 中文'],
    ['empty', ''],
    [' spaced ', '  leading and trailing  '],
    ['=formula', '=1+2'],
    ['tab', 'a\tb'],
  ];
  await seedCollection(
    own.dir,
    'hostile',
    entries.length,
    (i) => entries[i]![0],
    (i) => entries[i]![1],
  );
  let web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await openCollection(page, 'hostile');
    const csv = await exportTo(page, join(files.dir, 'hostile.csv'), 'CSV', 'all');
    expect(csv.startsWith('key,value')).toBe(true);
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    await createCollection(page, 'back');
    const dialog = await pickImport(page, join(files.dir, 'hostile.csv'));
    await expect(dialog.getByTestId('format-source')).toHaveText('CSV, from the file name.');
    await expect(dialog.getByTestId('preview-records').locator('tbody tr')).toHaveCount(entries.length);
    await expect(dialog.getByTestId('preview-records')).toContainText('comma,key');
    await snap(page, 'import-preview-csv');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByRole('dialog', { name: 'Import finished' }).getByTestId('import-summary')).toContainText(
      `Imported ${entries.length} records.`,
    );
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(page.getByTestId('loaded-count')).toHaveText(`${entries.length} loaded (all)`);

    await web.stop();
    expect(
      await readBack(
        own.dir,
        'back',
        entries.map(([k]) => k),
      ),
    ).toEqual(entries.map(([, v]) => v));
    web = await startOn(own.dir);
  } finally {
    await web.stop();
    own.remove();
    files.remove();
  }
});
