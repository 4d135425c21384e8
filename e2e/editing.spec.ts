import { readBack } from './seed';
import { expect, snap, test } from './fixtures';
import { addKey, createCollection, openApp, openCollection, row, startOn, tempDir } from './helpers';

test('add keys, edit inline and in the JSON panel; the engine has the edits after a reopen', async ({ page }) => {
  const own = tempDir();
  let web = await startOn(own.dir);
  try {
    await openApp(page, web);
    await createCollection(page, 'docs');
    await addKey(page, 'doc:1', 'hello');
    await addKey(page, 'doc:2', '{"a":1}');
    await addKey(page, 'doc:3', 'untouched');

    // Inline: double-click, type, Enter saves.
    await row(page, 'doc:1').dblclick();
    const inline = page.getByLabel('Value of doc:1');
    await expect(inline).toHaveValue('hello');
    await inline.fill('hello world');
    await inline.press('Enter');
    await expect(inline).toBeHidden();
    await expect(row(page, 'doc:1')).toContainText('hello world');

    // Keyboard: Enter edits the selected row, Esc cancels without saving.
    await row(page, 'doc:3').click();
    await page.getByTestId('key-grid').press('Enter');
    const inline3 = page.getByLabel('Value of doc:3');
    await inline3.fill('should not be saved');
    await inline3.press('Escape');
    await expect(inline3).toBeHidden();
    await expect(row(page, 'doc:3')).toContainText('untouched');

    // JSON panel: pretty-printed, an error names its line and column, and only valid JSON saves without insisting.
    await row(page, 'doc:2').click();
    const panel = page.getByTestId('value-panel');
    await expect(panel.getByRole('tab', { name: 'JSON' })).toHaveAttribute('aria-selected', 'true');
    const editor = panel.getByLabel('JSON value');
    await expect(editor).toHaveValue('{\n  "a": 1\n}');
    await editor.fill('{\n  "a": 2,\n}');
    await expect(panel.getByTestId('json-status')).toHaveText(/Invalid JSON at line 3, column 1/);
    await expect(panel.getByRole('button', { name: 'Save…' })).toBeEnabled();
    await snap(page, 'json-panel-error');
    await editor.fill('{\n  "a": 2,\n  "tags": ["x", "y"]\n}');
    await expect(panel.getByTestId('json-status')).toHaveText('Valid JSON');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Value saved' }).last()).toBeVisible();
    await expect(row(page, 'doc:2')).toContainText('"tags"');
    await snap(page, 'json-panel');

    // The hex view of the same value.
    await panel.getByRole('tab', { name: 'Hex' }).click();
    await expect(panel.getByTestId('hex-view')).toContainText('00000000  7b 0a 20 20 22 61 22 3a');

    await web.stop();
    const values = await readBack(own.dir, 'docs', ['doc:1', 'doc:2', 'doc:3']);
    expect(values).toEqual(['hello world', '{\n  "a": 2,\n  "tags": ["x", "y"]\n}', 'untouched']);

    // And the app shows the same after a restart.
    web = await startOn(own.dir);
    await openApp(page, web);
    await openCollection(page, 'docs');
    await expect(row(page, 'doc:1')).toContainText('hello world');
  } finally {
    await web.stop();
    own.remove();
  }
});

test('an invalid key is reported in a toast', async ({ app }) => {
  await createCollection(app, 'k');
  await app.getByRole('button', { name: 'Add key' }).click();
  const dialog = app.getByRole('dialog', { name: 'Add key' });
  // 30,000 characters pass the IPC size check but are 90,000 bytes of UTF-8: the engine refuses them.
  await dialog.getByLabel('New key').fill('€'.repeat(30_000));
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  const toast = app.getByTestId('toast').filter({ hasText: 'Invalid key' });
  await expect(toast).toContainText('key is 90000 bytes of UTF-8; the limit is 65536');
});

test('an unsaved panel edit survives moving to another key and to the Levels tab, warns when the value changed meanwhile, and saves', async ({
  app,
}) => {
  await createCollection(app, 'drafts');
  await addKey(app, 'note:1', 'first');
  await addKey(app, 'note:2', 'second');
  const panel = app.getByTestId('value-panel');

  await row(app, 'note:1').click();
  await panel.getByLabel('Text value').fill('first, edited');
  await row(app, 'note:2').click();
  await expect(app.getByTestId('toast').filter({ hasText: 'Unsaved edit kept' })).toContainText('note:1');
  await expect(panel.getByLabel('Text value')).toHaveValue('second');

  // Away to the Levels tab and back: the grid and panel are rebuilt, the edit is not lost.
  await app.getByRole('tab', { name: 'Levels' }).click();
  await app.getByRole('tab', { name: 'Keys' }).click();
  await row(app, 'note:1').click();
  await expect(panel.getByLabel('Text value')).toHaveValue('first, edited');
  await expect(panel).toContainText('Unsaved changes');
  await expect(panel.getByTestId('stale-draft')).toBeHidden();

  // Someone saves the key inline meanwhile: the draft is kept and flagged.
  await row(app, 'note:2').click();
  await row(app, 'note:1').dblclick();
  const inline = app.getByLabel('Value of note:1');
  await inline.fill('changed inline');
  await inline.press('Enter');
  await expect(inline).toBeHidden();
  await expect(panel.getByLabel('Text value')).toHaveValue('first, edited');
  await expect(panel.getByTestId('stale-draft')).toBeVisible();
  await snap(app, 'value-panel-stale-draft');

  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(row(app, 'note:1')).toContainText('first, edited');
  await expect(panel).not.toContainText('Unsaved changes');
  // Saved drafts are gone: leaving the key says nothing (the toast would appear in the same render as the new row).
  const kept = app.getByTestId('toast').filter({ hasText: 'Unsaved edit kept' });
  await expect(kept).toHaveCount(0, { timeout: 10_000 });
  await row(app, 'note:2').click();
  await expect(panel.getByLabel('Text value')).toHaveValue('second');
  await expect(kept).toHaveCount(0);
});
