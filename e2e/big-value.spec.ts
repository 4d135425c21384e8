import { readBack, seedCollection } from './seed';
import { expect, test } from './fixtures';
import { openApp, openCollection, row, startOn, tempDir } from './helpers';

test('a value over 1 MiB shows a truncated, read-only preview until "Load full value", and saves as a binary frame', async ({ page }) => {
  const own = tempDir();
  const big = 'x'.repeat(1024 * 1024 + 5000) + 'END';
  await seedCollection(
    own.dir,
    'blobs',
    2,
    (i) => `blob:${i}`,
    (i) => (i === 0 ? big : 'small'),
  );
  const web = await startOn(own.dir);
  // Frames that hold the whole value: received as a binary frame (the 1 MiB preview before it comes as one too), sent as a Blob.
  let received = 0;
  page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload !== 'string' && f.payload.length > big.length && received++));
  await page.addInitScript(() => {
    const send = WebSocket.prototype.send;
    const sent: number[] = ((window as unknown as { blobsSent: number[] }).blobsSent = []);
    WebSocket.prototype.send = function (data) {
      if (data instanceof Blob) sent.push(data.size);
      return send.call(this, data);
    };
  });
  try {
    await openApp(page, web);
    await openCollection(page, 'blobs');
    await row(page, 'blob:0').click();
    const panel = page.getByTestId('value-panel');
    await expect(panel).toContainText('Showing the first 1,048,576 characters of a 1.00 MiB value');
    const editor = panel.getByLabel('Text value');
    await expect(editor).toHaveJSProperty('readOnly', true);
    expect(await editor.evaluate((el: HTMLTextAreaElement) => el.value.length)).toBe(1024 * 1024);
    await panel.getByRole('button', { name: 'Load full value' }).click();
    await expect(panel.getByRole('button', { name: 'Load full value' })).toHaveCount(0);
    await expect(editor).toHaveJSProperty('readOnly', false);
    expect(await editor.evaluate((el: HTMLTextAreaElement) => el.value.endsWith('END'))).toBe(true);
    expect(received).toBe(1);

    // Inline editing sends big values to the panel instead.
    await row(page, 'blob:0').dblclick();
    await expect(page.getByTestId('toast').filter({ hasText: 'Edit this value in the panel' })).toBeVisible();

    // Saving it sends the value as the raw UTF-8 body of a binary frame (wire.ts); the engine has it byte for byte.
    await editor.focus();
    await editor.press('Control+End');
    await editor.pressSequentially('!é🙂');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Value saved' }).last()).toBeVisible();
    // One Blob: the value's UTF-8 and a small header in front of it.
    const blobs = await page.evaluate(() => (window as unknown as { blobsSent: number[] }).blobsSent);
    expect(blobs).toHaveLength(1);
    expect(blobs[0]! - Buffer.byteLength(big + '!é🙂')).toBeGreaterThan(0);
    expect(blobs[0]! - Buffer.byteLength(big + '!é🙂')).toBeLessThan(200);
    await web.stop();
    expect(await readBack(own.dir, 'blobs', ['blob:0'])).toEqual([big + '!é🙂']);
  } finally {
    await web.stop();
    own.remove();
  }
});

test('web mode shows when the connection drops', async ({ app, web }) => {
  await expect(app.getByTestId('connection')).toContainText('connected');
  await web.stop();
  await expect(app.getByTestId('connection')).toContainText(/reconnecting…|retrying…/);
});
