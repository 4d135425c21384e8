import { readBack } from './seed'
import { expect, snap, test } from './fixtures'
import { addKey, createCollection, openApp, openCollection, row, startOn, tempDir } from './helpers'

test('add keys, edit inline and in the JSON panel; the engine has the edits after a reopen', async ({ page }) => {
  const own = tempDir()
  let web = await startOn(own.dir)
  try {
    await openApp(page, web)
    await createCollection(page, 'docs')
    await addKey(page, 'doc:1', 'hello')
    await addKey(page, 'doc:2', '{"a":1}')
    await addKey(page, 'doc:3', 'untouched')

    // Inline: double-click, type, Enter saves.
    await row(page, 'doc:1').dblclick()
    const inline = page.getByLabel('Value of doc:1')
    await expect(inline).toHaveValue('hello')
    await inline.fill('hello world')
    await inline.press('Enter')
    await expect(inline).toBeHidden()
    await expect(row(page, 'doc:1')).toContainText('hello world')

    // Keyboard: Enter edits the selected row, Esc cancels without saving.
    await row(page, 'doc:3').click()
    await page.getByTestId('key-grid').press('Enter')
    const inline3 = page.getByLabel('Value of doc:3')
    await inline3.fill('should not be saved')
    await inline3.press('Escape')
    await expect(inline3).toBeHidden()
    await expect(row(page, 'doc:3')).toContainText('untouched')

    // JSON panel: pretty-printed, an error names its line and column, and only valid JSON saves without insisting.
    await row(page, 'doc:2').click()
    const panel = page.getByTestId('value-panel')
    await expect(panel.getByRole('tab', { name: 'JSON' })).toHaveAttribute('aria-selected', 'true')
    const editor = panel.getByLabel('JSON value')
    await expect(editor).toHaveValue('{\n  "a": 1\n}')
    await editor.fill('{\n  "a": 2,\n}')
    await expect(panel.getByTestId('json-status')).toHaveText(/Invalid JSON at line 3, column 1/)
    await expect(panel.getByRole('button', { name: 'Save…' })).toBeEnabled()
    await snap(page, 'json-panel-error')
    await editor.fill('{\n  "a": 2,\n  "tags": ["x", "y"]\n}')
    await expect(panel.getByTestId('json-status')).toHaveText('Valid JSON')
    await panel.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(page.getByRole('status').filter({ hasText: 'Value saved' }).last()).toBeVisible()
    await expect(row(page, 'doc:2')).toContainText('"tags"')
    await snap(page, 'json-panel')

    // The hex view of the same value.
    await panel.getByRole('tab', { name: 'Hex' }).click()
    await expect(panel.getByTestId('hex-view')).toContainText('00000000  7b 0a 20 20 22 61 22 3a')

    await web.stop()
    const values = await readBack(own.dir, 'docs', ['doc:1', 'doc:2', 'doc:3'])
    expect(values).toEqual(['hello world', '{\n  "a": 2,\n  "tags": ["x", "y"]\n}', 'untouched'])

    // And the app shows the same after a restart.
    web = await startOn(own.dir)
    await openApp(page, web)
    await openCollection(page, 'docs')
    await expect(row(page, 'doc:1')).toContainText('hello world')
  } finally {
    await web.stop()
    own.remove()
  }
})

test('an invalid key is reported in a toast', async ({ app }) => {
  await createCollection(app, 'k')
  await app.getByRole('button', { name: 'Add key' }).click()
  const dialog = app.getByRole('dialog', { name: 'Add key' })
  // 30,000 characters pass the IPC size check but are 90,000 bytes of UTF-8: the engine refuses them.
  await dialog.getByLabel('New key').fill('€'.repeat(30_000))
  await dialog.getByRole('button', { name: 'Add', exact: true }).click()
  const toast = app.getByTestId('toast').filter({ hasText: 'Invalid key' })
  await expect(toast).toContainText('key is 90000 bytes of UTF-8; the limit is 65536')
})
