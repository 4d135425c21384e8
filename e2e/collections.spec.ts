import { expect, snap, test } from './fixtures';
import { seedCollection } from './seed';
import { createCollection, tempDir } from './helpers';

test('create a collection; bad names are refused inline with the engine message', async ({ app }) => {
  await app.getByRole('button', { name: 'New', exact: true }).click();
  const dialog = app.getByRole('dialog', { name: 'New collection' });
  const name = dialog.getByLabel('Name');
  const message = dialog.getByTestId('name-message');
  const create = dialog.getByRole('button', { name: 'Create' });

  await name.fill('a/b');
  await expect(message).toHaveText(/collection name "a\/b" contains .*use only letters, digits/);
  await expect(create).toBeDisabled();
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  await name.fill('.hidden');
  await expect(message).toHaveText('collection name ".hidden" must not start with "."');
  await expect(create).toBeDisabled();
  await snap(app, 'create-dialog-error');

  await name.fill('users');
  await expect(message).toHaveText('Looks good.');
  await create.click();
  await expect(app.getByRole('heading', { name: 'users', exact: true })).toBeVisible();
  const item = app.getByTestId('collection-item').filter({ hasText: 'users' });
  await expect(item).toContainText(/~0 keys · .* · \d+ files?/);

  // An existing name is refused as well, before anything is sent to create.
  await app.getByRole('button', { name: 'New', exact: true }).click();
  await dialog.getByLabel('Name').fill('users');
  await expect(message).toHaveText('collection "users" already exists');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Closing shows the collection as closed (no key estimate without opening it).
  await item.hover();
  await item.getByRole('button', { name: 'Close users' }).click();
  await expect(item).toContainText('closed');
  await createCollection(app, 'orders');
  await expect(app.getByTestId('collection-item')).toHaveCount(2);
});

test('the status bar shows the data folder', async ({ app, web }) => {
  await expect(app.getByTestId('data-dir')).toContainText(web.dataDir);
});

test('open another data folder by path (web mode), with the previous one offered as recent', async ({ app, web }) => {
  const other = tempDir();
  try {
    await seedCollection(
      other.dir,
      'elsewhere',
      3,
      (i) => `k${i}`,
      (i) => `v${i}`,
    );
    await createCollection(app, 'here');
    await app.getByRole('button', { name: 'Open folder…' }).click();
    const dialog = app.getByRole('dialog', { name: 'Open data folder' });
    await dialog.getByLabel('Folder path on the machine running the server').fill(other.dir);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(app.getByTestId('data-dir')).toContainText(other.dir);
    await expect(app.getByRole('button', { name: 'elsewhere', exact: true })).toBeVisible();
    await expect(app.getByRole('button', { name: 'here', exact: true })).toHaveCount(0);
    await expect(app.getByRole('heading', { name: 'here' })).toHaveCount(0);

    await app.getByRole('button', { name: 'Open folder…' }).click();
    await dialog.getByRole('button', { name: web.dataDir }).click();
    await expect(app.getByTestId('data-dir')).toContainText(web.dataDir);
    await expect(app.getByRole('button', { name: 'here', exact: true })).toBeVisible();
  } finally {
    other.remove();
  }
});

test('a path that is not a folder is reported and the current folder stays', async ({ app, web }) => {
  await app.getByRole('button', { name: 'Open folder…' }).click();
  const dialog = app.getByRole('dialog', { name: 'Open data folder' });
  await dialog.getByLabel('Folder path on the machine running the server').fill('/etc/hostname');
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByTestId('toast').filter({ hasText: 'Disk error' })).toContainText('ENOTDIR');
  await expect(app.getByTestId('data-dir')).toContainText(web.dataDir);
});
