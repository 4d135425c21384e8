import { readBack, seedCollection } from './seed';
import { expect, test } from './fixtures';
import { openApp, openCollection, row, startOn, tempDir } from './helpers';

test('delete selected keys, delete all matching a filter, drop the collection', async ({ page }) => {
  const own = tempDir();
  await seedCollection(
    own.dir,
    'mixed',
    3000,
    (i) => (i < 2500 ? `a:${String(i).padStart(4, '0')}` : `b:${String(i).padStart(4, '0')}`),
    (i) => `v${i}`,
  );
  await seedCollection(
    own.dir,
    'other',
    1,
    () => 'x',
    () => 'y',
  );
  let web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await openCollection(page, 'mixed');
    const loaded = page.getByTestId('loaded-count');

    // Selected: click, shift-click a range, ctrl-click one more; Delete asks with the count.
    await row(page, 'a:0000').click();
    await row(page, 'a:0003').click({ modifiers: ['Shift'] });
    await row(page, 'a:0006').click({ modifiers: ['ControlOrMeta'] });
    await expect(loaded).toContainText('5 selected');
    await page.getByTestId('key-grid').press('Delete');
    const confirmSelected = page.getByRole('dialog', { name: 'Delete 5 keys?' });
    await expect(confirmSelected).toBeVisible();
    await confirmSelected.getByRole('button', { name: 'Delete' }).click();
    await expect(row(page, 'a:0000')).toHaveCount(0);
    await expect(row(page, 'a:0006')).toHaveCount(0);
    await expect(row(page, 'a:0004')).toBeVisible();

    // All matching: counted first, confirmed with the count, run as a job.
    await page.getByLabel('Key prefix').fill('a:');
    await expect(row(page, 'a:0004')).toBeVisible();
    await page.getByRole('button', { name: 'Delete all matching…' }).click();
    const confirmMatching = page.getByRole('dialog', { name: 'Delete 2,495 keys?' });
    await expect(confirmMatching.getByTestId('delete-matching-text')).toContainText('2,495 keys in mixed match prefix “a:”');
    await confirmMatching.getByRole('button', { name: 'Delete 2,495 keys' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: 'Delete finished' })).toContainText('deleted 2,495 keys');
    await expect(page.getByTestId('key-grid')).toContainText('No keys match this filter.');
    await page.getByLabel('Key prefix').fill('');
    await expect(loaded).toHaveText(/^500 loaded/);
    await expect(row(page, 'b:2500')).toBeVisible();

    await web.stop();
    expect(await readBack(own.dir, 'mixed', ['a:0004', 'a:2499', 'b:2500', 'b:2999'])).toEqual([undefined, undefined, 'v2500', 'v2999']);
    web = await startOn(own.dir);
    await openApp(page, web);

    // Drop: confirmed by typing the name.
    const item = page.getByTestId('collection-item').filter({ hasText: 'mixed' });
    await item.hover();
    await item.getByRole('button', { name: 'Drop mixed' }).click();
    const confirmDrop = page.getByRole('dialog', { name: 'Drop collection “mixed”?' });
    const dropButton = confirmDrop.getByRole('button', { name: 'Drop collection' });
    await expect(dropButton).toBeDisabled();
    await confirmDrop.getByLabel('Type mixed to confirm').fill('mixe');
    await expect(dropButton).toBeDisabled();
    await confirmDrop.getByLabel('Type mixed to confirm').fill('mixed');
    await dropButton.click();
    await expect(item).toHaveCount(0);
    await expect(page.getByTestId('collection-item')).toHaveCount(1);
  } finally {
    await web.stop();
    own.remove();
  }
});

test('a long delete shows progress and can be cancelled', async ({ page }) => {
  const own = tempDir();
  await seedCollection(
    own.dir,
    'many',
    150_000,
    (i) => `k${String(i).padStart(6, '0')}`,
    () => 'v',
  );
  const web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await openCollection(page, 'many');
    await page.getByRole('button', { name: 'Delete all…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete 150,000 keys?' });
    await confirm.getByRole('button', { name: 'Delete 150,000 keys' }).click();
    const banner = page.getByTestId('job-banner');
    await expect(banner).toContainText(/deleted [\d,]+ keys/);
    await banner.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: 'Delete cancelled' })).toContainText(/cancelled after deleting [\d,]+ keys/);
    await expect(page.getByTestId('key-grid').locator('[role="row"][data-key]').first()).toBeVisible();
  } finally {
    await web.stop();
    own.remove();
  }
});
