import { spawn } from 'node:child_process';
import { expect, test } from './fixtures';
import { openApp, startOn, tempDir } from './helpers';

// Holds a collection open in another process, the way a second app or a script would.
const HOLDER = `
import { StorageManager } from '@strata/engine'
const manager = new StorageManager({ baseDataPath: process.env.STRATA_DIR })
await manager.createCollection('held')
await manager.getCollection('held')
console.log('ready')
process.stdin.resume()
process.stdin.on('end', () => manager.closeAll().then(() => process.exit(0)))
`;

test('a collection locked by another process is reported in a toast, and the app keeps working', async ({ page }) => {
  const own = tempDir();
  const holder = spawn(process.execPath, ['--input-type=module', '-e', HOLDER], {
    env: { ...process.env, STRATA_DIR: own.dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  holder.stdout.on('data', (d) => (out += d));
  holder.stderr.on('data', (d) => (out += d));
  const web = await startOn(own.dir);
  try {
    await expect.poll(() => out, { message: 'holder process ready' }).toContain('ready');
    await openApp(page, web);
    await page.getByRole('button', { name: 'held', exact: true }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Collection is locked' });
    await expect(toast).toContainText(`collection "held" is locked by process ${holder.pid}`);
    await expect(page.getByRole('heading', { name: 'held' })).toHaveCount(0);
    await expect(page.getByTestId('collection-item').filter({ hasText: 'held' })).toContainText('closed');

    // Once the other process lets go, the same click opens it.
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin.end();
    await exited;
    await page.getByRole('button', { name: 'held', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'held', exact: true })).toBeVisible();
  } finally {
    if (holder.exitCode === null) holder.kill();
    await web.stop();
    own.remove();
  }
});
