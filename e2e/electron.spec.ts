import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { tempDir } from './helpers';

/**
 * The desktop app itself. The Electron binary cannot be downloaded on every
 * machine (it is fetched on first launch, not at install), and importing the
 * `electron` package would try to; so the binary is looked up on disk, and
 * the spec says plainly that it skipped when there is none.
 */
function electronBinary(): string | undefined {
  if (process.env.STRATA_ELECTRON && existsSync(process.env.STRATA_ELECTRON)) return process.env.STRATA_ELECTRON;
  const dir = join('node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();

test.describe('Electron desktop app', () => {
  test.skip(
    !binary,
    'SKIPPED: no Electron binary on this machine (node_modules/electron/dist is empty and it cannot be downloaded here); set STRATA_ELECTRON to run it',
  );
  if (!binary)
    console.log('[e2e] Electron spec skipped: no Electron binary on this machine; web-mode specs cover the same UI and contract');

  test('opens a secure window that talks to the service through the preload bridge', async () => {
    const data = mkdtempSync(join(tmpdir(), 'strata-electron-'));
    const app = await electron.launch({ executablePath: binary, args: ['.', '--no-sandbox'], env: { ...process.env, STRATA_DATA: data } });
    try {
      const window = await app.firstWindow();
      await expect(window.getByTestId('app-ready')).toBeAttached();
      // The page and its module scripts came from app://, not file://.
      expect(window.url()).toBe('app://strata/index.html');
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows()[0]!;
        const p = w.webContents.getLastWebPreferences()!;
        return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration };
      });
      expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      // The page sees one function per operation, and no ipcRenderer.
      const surface = await window.evaluate(() => ({
        ops: typeof (window as any).strata['collections.list'],
        ipc: typeof (window as any).ipcRenderer,
        require: typeof (window as any).require,
      }));
      expect(surface).toEqual({ ops: 'function', ipc: 'undefined', require: 'undefined' });
    } finally {
      await app.close();
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('"Open folder…" uses the native dialog', async () => {
    const data = tempDir();
    const other = tempDir();
    const app = await electron.launch({
      args: ['.', '--no-sandbox'],
      executablePath: binary!,
      env: { ...process.env, STRATA_DATA: data.dir },
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByTestId('app-ready')).toBeAttached();
      await expect(page.getByTestId('data-dir')).toContainText(data.dir);
      // Native dialogs are out of Playwright's reach: answer it from main.
      await app.evaluate(({ dialog }, dir) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [dir] })) as typeof dialog.showOpenDialog;
      }, other.dir);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await expect(page.getByTestId('data-dir')).toContainText(other.dir);
    } finally {
      await app.close();
      data.remove();
      other.remove();
    }
  });
});
