import { expect, snap, test } from './fixtures'
import { createCollection } from './helpers'

test('create a collection; bad names are refused inline with the engine message', async ({ app }) => {
  await app.getByRole('button', { name: 'New', exact: true }).click()
  const dialog = app.getByRole('dialog', { name: 'New collection' })
  const name = dialog.getByLabel('Name')
  const message = dialog.getByTestId('name-message')
  const create = dialog.getByRole('button', { name: 'Create' })

  await name.fill('a/b')
  await expect(message).toHaveText(/collection name "a\/b" contains .*use only letters, digits/)
  await expect(create).toBeDisabled()
  await expect(name).toHaveAttribute('aria-invalid', 'true')

  await name.fill('.hidden')
  await expect(message).toHaveText('collection name ".hidden" must not start with "."')
  await expect(create).toBeDisabled()
  await snap(app, 'create-dialog-error')

  await name.fill('users')
  await expect(message).toHaveText('Looks good.')
  await create.click()
  await expect(app.getByRole('heading', { name: 'users', exact: true })).toBeVisible()
  const item = app.getByTestId('collection-item').filter({ hasText: 'users' })
  await expect(item).toContainText(/~0 keys · .* · \d+ files?/)

  // An existing name is refused as well, before anything is sent to create.
  await app.getByRole('button', { name: 'New', exact: true }).click()
  await dialog.getByLabel('Name').fill('users')
  await expect(message).toHaveText('collection "users" already exists')
  await dialog.getByRole('button', { name: 'Cancel' }).click()

  // Closing shows the collection as closed (no key estimate without opening it).
  await item.getByRole('button', { name: 'Close users' }).click()
  await expect(item).toContainText('closed')
  await createCollection(app, 'orders')
  await expect(app.getByTestId('collection-item')).toHaveCount(2)
})

test('the status bar shows the data folder', async ({ app, web }) => {
  await expect(app.getByTestId('data-dir')).toContainText(web.dataDir)
})
