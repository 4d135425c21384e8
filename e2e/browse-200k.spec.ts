import type { RunningWebMode } from './web-server';
import { seedCollection } from './seed';
import { expect, snap, test } from './fixtures';
import { openApp, openCollection, padded, row, startOn, tempDir } from './helpers';

const COUNT = 200_000;
const last = padded(COUNT - 1);

test.describe('200,000 keys', () => {
  const own = tempDir();
  let web: RunningWebMode;

  test.beforeAll(async () => {
    await seedCollection(own.dir, 'big', COUNT, padded, (i) => `{"id":${i},"name":"user ${i}","tags":["t${i % 7}"]}`);
    web = await startOn(own.dir);
  });

  test.afterAll(async () => {
    await web?.stop();
    own.remove();
  });

  test('scroll pages in, End reaches the last key, prefix filter and jump to key', async ({ page }) => {
    await openApp(page, web);
    await openCollection(page, 'big');
    const grid = page.getByTestId('key-grid');
    const loaded = page.getByTestId('loaded-count');
    await expect(row(page, padded(0))).toBeVisible();
    await expect(loaded).toHaveText(/^500 loaded/);
    await snap(page, 'grid-200k');

    // Scrolling near the end of what is loaded fetches the next page: no button.
    const scroller = grid.locator('.grid-scroll');
    await scroller.hover();
    await expect(async () => {
      await page.mouse.wheel(0, 6000);
      await expect(loaded).toHaveText(/^(1,[0-9]{3}|[2-9],[0-9]{3}) loaded/, { timeout: 500 });
    }).toPass();
    await expect(grid).toHaveAttribute('aria-busy', 'false');

    // End goes to the last key (a reverse page), without scanning everything before it.
    await grid.locator('[role="row"][data-key]').nth(8).click();
    await expect(async () => {
      await grid.press('End');
      await expect(row(page, last)).toBeVisible({ timeout: 1000 });
    }).toPass();
    await expect(row(page, last)).toHaveAttribute('aria-selected', 'true');
    await snap(page, 'grid-200k-end');
    // Moving up from there loads earlier pages in front, and the row under the cursor stays in view.
    await expect(loaded).toHaveText(/^500 loaded/);
    // 16 pages of ~23 rows take the cursor from row 499 to within the prefetch margin of the window's start.
    for (let i = 0; i < 16; i++) await grid.press('PageUp');
    await expect(loaded).toHaveText(/^1,000 loaded/);
    const cursorRow = grid.locator('.grid-row.cursor');
    await expect(cursorRow).toBeInViewport();
    const cursorKey = await cursorRow.getAttribute('data-key');
    await grid.press('ArrowUp');
    await expect(grid.locator('.grid-row.cursor')).toHaveAttribute('data-key', padded(Number(cursorKey!.slice(4)) - 1));
    await expect(grid.locator('.grid-row.cursor')).toBeInViewport();
    await expect(row(page, last)).toBeHidden();

    await grid.press('Home');
    await expect(row(page, padded(0))).toBeVisible();
    await expect(row(page, padded(0))).toHaveAttribute('aria-selected', 'true');
    await grid.press('ArrowDown');
    await grid.press('Shift+ArrowDown');
    await expect(loaded).toContainText('2 selected');

    // Prefix filter: exactly the matching keys, all loaded.
    await page.getByLabel('Key prefix').fill('key-1999');
    await expect(loaded).toHaveText(/^100 loaded \(all\)/);
    await expect(row(page, padded(199_900))).toBeVisible();
    await page.getByLabel('Key prefix').fill('');
    await expect(loaded).toHaveText(/^500 loaded/);

    // Jump to a key: it is shown, selected, with context before it.
    await page.getByLabel('Jump to key').fill(padded(123_456));
    await page.getByRole('button', { name: 'Go' }).click();
    await expect(row(page, padded(123_456))).toBeVisible();
    await expect(row(page, padded(123_456))).toHaveAttribute('aria-selected', 'true');
    await expect(row(page, padded(123_455))).toBeAttached();
    await expect(page.getByTestId('value-panel')).toContainText(padded(123_456));

    // Jump to where a missing key would be: the next key.
    await page.getByLabel('Jump to key').fill(`${padded(150_000)}x`);
    await page.getByRole('button', { name: 'Go' }).click();
    await expect(row(page, padded(150_001))).toHaveAttribute('aria-selected', 'true');

    // Reverse order starts at the end.
    await page.getByLabel('Reverse').check();
    await expect(grid.locator('[role="row"][data-key]').first()).toHaveAttribute('data-key', last);

    await page.emulateMedia({ colorScheme: 'dark' });
    await row(page, last).click();
    await snap(page, 'grid-200k-dark');
  });
});
