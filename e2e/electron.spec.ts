import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { tempDir } from './helpers'

/**
 * The Electron binary's path, or null when the package was installed without
 * its download. Reads what the package's install step writes instead of
 * requiring 'electron', whose index.js tries to download a missing binary.
 */
function electronBinary(): string | null {
  const pkg = join('node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

const binary = electronBinary()
if (!binary) console.log('electron.spec: skipped: no Electron binary on this machine (node_modules/electron has no downloaded dist/)')

test.describe('desktop app', () => {
  test.skip(!binary, 'no Electron binary on this machine')

  test('boots with the preload bridge, and "Open folder…" uses the native dialog', async () => {
    const data = tempDir()
    const other = tempDir()
    const app = await electron.launch({ args: ['.'], executablePath: binary!, env: { ...process.env, STRATA_DATA: data.dir } })
    try {
      const page = await app.firstWindow()
      await expect(page.getByTestId('app-ready')).toBeAttached()
      await expect(page.getByTestId('data-dir')).toContainText(data.dir)
      await expect(page.getByTestId('connection')).toHaveCount(0)
      // Native dialogs are out of Playwright's reach: answer it from main.
      await app.evaluate(({ dialog }, dir) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [dir] })) as typeof dialog.showOpenDialog
      }, other.dir)
      await page.getByRole('button', { name: 'Open folder…' }).click()
      await expect(page.getByTestId('data-dir')).toContainText(other.dir)
    } finally {
      await app.close()
      data.remove()
      other.remove()
    }
  })
})
