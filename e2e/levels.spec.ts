import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, snap, test } from './fixtures';
import { SMALL_TREE, createCollection, wsClient } from './levels-helpers';
import { startWebMode, type RunningWebMode } from './web-server';
import { row } from './helpers';

// The Levels view in web mode, over a collection with small memtables so a
// short workload builds L0 tables, compactions and a few levels.

const NAME = 'tree';
let dir: string;
let web: RunningWebMode;

test.beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-levels-'));
  await createCollection(dir, NAME, SMALL_TREE);
  web = await startWebMode(dir);
});

test.afterEach(async () => {
  await web.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface DrawnTable {
  file: number;
  level: number;
  minKey: string;
  maxKey: string;
}

const drawnTables = (page: import('@playwright/test').Page) =>
  page.locator('.lv-tables [data-file]').evaluateAll((els) =>
    els.map((e) => ({
      file: Number(e.getAttribute('data-file')),
      level: Number(e.getAttribute('data-level')),
      minKey: e.getAttribute('data-min-key')!,
      maxKey: e.getAttribute('data-max-key')!,
    })),
  ) as Promise<DrawnTable[]>;

test('workload, compaction, inspector and lookup traces in the Levels view', async ({ page }) => {
  await page.goto(web.url);
  await expect(page.getByTestId('app-ready')).toBeAttached();
  await page.locator(`[data-testid=collection-item][data-name=${NAME}] .collection-open`).click();
  await page.getByRole('tab', { name: 'Levels' }).click();
  await expect(page.getByTestId('levels-view')).toBeVisible();
  await expect(page.getByTestId('memtable')).toBeVisible();

  // A random workload: flushes make L0 tables, and the tree compacts them on its own.
  await page.getByTestId('wl-count').fill('60000');
  await page.getByTestId('wl-pattern').selectOption('random');
  await page.getByTestId('wl-rate').fill('20000');
  await page.getByTestId('wl-start').click();
  await expect(page.locator('.lv-tables [data-level="0"]').first()).toBeAttached({ timeout: 30_000 });
  await snap(page, 'levels-l0-tables');
  // Mid-compaction: the banner and the band between levels show while one runs.
  await expect(page.getByTestId('compaction-banner')).toBeVisible({ timeout: 60_000 });
  await snap(page, 'levels-mid-compaction');
  await expect(page.getByTestId('wl-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('timeline').locator('[data-kind=flush]').first()).toBeVisible();
  await expect(page.getByTestId('timeline').locator('[data-kind=compaction]').first()).toBeVisible();

  // Flush what is left, then compact everything: no L0, and no overlaps within any deeper level.
  await page.getByTestId('flush-now').click();
  await page.getByTestId('compact-all').click();
  await expect(page.getByTestId('compact-all')).toHaveText('Compact all', { timeout: 60_000 });
  await expect(page.locator('.lv-tables [data-level="0"]')).toHaveCount(0, { timeout: 15_000 });
  const tables = await drawnTables(page);
  expect(tables.length).toBeGreaterThan(1);
  const byLevel = new Map<number, DrawnTable[]>();
  for (const t of tables) byLevel.set(t.level, [...(byLevel.get(t.level) ?? []), t]);
  for (const [level, ts] of byLevel) {
    expect(level).toBeGreaterThan(0);
    const sorted = [...ts].sort((a, b) => (a.minKey < b.minKey ? -1 : 1));
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.minKey > sorted[i - 1]!.maxKey, `L${level} tables #${sorted[i - 1]!.file} and #${sorted[i]!.file} overlap`).toBe(
        true,
      );
  }

  // The drawn tree is the engine's tree, and the inspector shows the engine's numbers.
  const client = await wsClient(web);
  try {
    const stats = await client.call('collections.stats', { name: NAME });
    const engineFiles = stats.levels.flatMap((l) => l.files.map((f) => ({ ...f, level: l.level })));
    await expect.poll(async () => (await drawnTables(page)).map((t) => t.file).sort()).toEqual(engineFiles.map((f) => f.id).sort());
    const target = engineFiles[Math.floor(engineFiles.length / 2)]!;
    await page.locator(`.lv-tables [data-file="${target.id}"]`).click();
    const inspector = page.getByTestId('inspector');
    await expect(inspector).toHaveAttribute('data-file', String(target.id));
    await expect(inspector.getByTestId('prop-bytes')).toHaveAttribute('data-value', String(target.bytes));
    await expect(inspector.getByTestId('prop-entries')).toHaveAttribute('data-value', String(target.entries));
    await expect(inspector.getByTestId('prop-tombstones')).toHaveAttribute('data-value', String(target.tombstones));
    await expect(inspector.getByTestId('prop-min-key')).toHaveText(target.minKey);
    await expect(inspector.getByTestId('prop-max-key')).toHaveText(target.maxKey);
    await expect(inspector.getByTestId('prop-sequences')).toHaveText(
      `${target.minSequence.toLocaleString('en-US')} – ${target.maxSequence.toLocaleString('en-US')}`,
    );
    const inspection = await client.call('lsm.inspectTable', { collection: NAME, fileNumber: target.id, firstEntries: 1 });
    await expect(inspector.getByTestId('prop-blocks')).toHaveAttribute('data-value', String(inspection.dataBlocks));
    await expect(inspector.getByTestId('prop-bloom')).toHaveAttribute('data-value', String(inspection.filterBytes));
    await expect(inspector.locator('.lv-entries tbody tr').first()).toContainText(inspection.firstEntries[0]!.key);
    await snap(page, 'levels-inspector');

    // Lookup traces: a key that exists (the table's first key), and one that does not.
    await page.getByTestId('side-trace').click();
    await page.getByTestId('trace-key').fill(target.minKey);
    await page.getByTestId('trace-run').click();
    const result = page.getByTestId('trace-result');
    await expect(result).toHaveAttribute('data-result', 'value');
    await expect(result).toContainText(`table #${target.id} on L${target.level}`);
    await expect(result.locator('[data-outcome=value]')).toHaveCount(1);
    await expect(page.locator(`.lv-tables [data-file="${target.id}"]`)).toHaveClass(/lv-probe-value/);
    await snap(page, 'levels-trace-present');

    await page.getByTestId('trace-key').fill('key:absent');
    await page.getByTestId('trace-run').click();
    await expect(result).toHaveAttribute('data-result', 'absent');
    await expect(result).toContainText('Absent');
    await expect(result.locator('[data-outcome=value]')).toHaveCount(0);
    await expect(page.getByTestId('trace-cost')).toContainText('tables considered');
    await snap(page, 'levels-trace-absent');

    // History: a compaction's tree, then back to live.
    await page.getByTestId('timeline').locator('[data-kind=compaction]').first().click();
    await expect(page.getByTestId('levels-view')).toHaveAttribute('data-mode', 'history');
    await expect(page.getByTestId('history-banner')).toContainText('Viewing history');
    await snap(page, 'levels-history');
    await page.getByTestId('back-to-live').click();
    await expect(page.getByTestId('levels-view')).toHaveAttribute('data-mode', 'live');

    // The text alternative lists the same tables.
    await page.getByTestId('show-as-table').check();
    await expect(page.getByTestId('text-view')).toContainText(`#${target.id}`);
    await page.getByTestId('show-as-table').uncheck();

    // "Browse this range" opens the key browser on the table's keys.
    await page.locator(`.lv-tables [data-file="${target.id}"]`).click();
    await page.getByTestId('side-table').click();
    await page.getByTestId('browse-range').click();
    await expect(page.getByRole('tab', { name: 'Keys' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText(target.minKey, { exact: true }).first()).toBeVisible();
    // Both ends of the table's range are shown as typed, the last key included.
    await expect(page.getByLabel('From key (inclusive)')).toHaveValue(target.minKey);
    await expect(page.getByLabel('To key (inclusive)')).toHaveValue(target.maxKey);
    await expect(page.getByRole('button', { name: 'Include the to key' })).toHaveAttribute('aria-pressed', 'true');
    await page.getByLabel('Jump to key').fill(target.maxKey);
    await page.getByLabel('Jump to key').press('Enter');
    await expect(row(page, target.maxKey)).toBeVisible();
    await snap(page, 'levels-browse-range');
  } finally {
    client.close();
  }
});

test('sequential writes become moves; dark theme; the text alternative lists every table', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(web.url);
  await expect(page.getByTestId('app-ready')).toBeAttached();
  await page.locator(`[data-testid=collection-item][data-name=${NAME}] .collection-open`).click();
  await page.getByRole('tab', { name: 'Levels' }).click();
  await page.getByTestId('wl-count').fill('40000');
  await page.getByTestId('wl-pattern').selectOption('sequential');
  await page.getByTestId('wl-rate').fill('0');
  await page.getByTestId('wl-start').click();
  await expect(page.getByTestId('wl-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('timeline').locator('[data-kind=move]').first()).toBeVisible({ timeout: 15_000 });
  await snap(page, 'levels-dark-sequential');

  const drawn = await drawnTables(page);
  await page.getByTestId('show-as-table').check();
  const text = page.getByTestId('text-view');
  for (const t of drawn) await expect(text.getByRole('button', { name: `#${t.file}`, exact: true })).toBeVisible();
  await snap(page, 'levels-dark-text-view');
});
