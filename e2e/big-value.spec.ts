import { seedCollection } from './seed'
import { expect, test } from './fixtures'
import { openApp, openCollection, row, startOn, tempDir } from './helpers'

test('a value over 1 MiB shows a truncated, read-only preview until "Load full value"', async ({ page }) => {
  const own = tempDir()
  const big = 'x'.repeat(1024 * 1024 + 5000) + 'END'
  await seedCollection(own.dir, 'blobs', 2, (i) => `blob:${i}`, (i) => (i === 0 ? big : 'small'))
  const web = await startOn(own.dir)
  try {
    await openApp(page, web)
    await openCollection(page, 'blobs')
    await row(page, 'blob:0').click()
    const panel = page.getByTestId('value-panel')
    await expect(panel).toContainText('Showing the first 1.00 MiB characters of a 1.00 MiB value')
    const editor = panel.getByLabel('Text value')
    await expect(editor).toHaveJSProperty('readOnly', true)
    expect(await editor.evaluate((el: HTMLTextAreaElement) => el.value.length)).toBe(1024 * 1024)
    await panel.getByRole('button', { name: 'Load full value' }).click()
    await expect(panel.getByRole('button', { name: 'Load full value' })).toHaveCount(0)
    await expect(editor).toHaveJSProperty('readOnly', false)
    expect(await editor.evaluate((el: HTMLTextAreaElement) => el.value.endsWith('END'))).toBe(true)

    // Inline editing sends big values to the panel instead.
    await row(page, 'blob:0').dblclick()
    await expect(page.getByTestId('toast').filter({ hasText: 'Edit this value in the panel' })).toBeVisible()
  } finally {
    await web.stop()
    own.remove()
  }
})

test('web mode shows when the connection drops', async ({ app, web }) => {
  await expect(app.getByTestId('connection')).toContainText('connected')
  await web.stop()
  await expect(app.getByTestId('connection')).toContainText(/reconnecting…|retrying…/)
})
