// The built main in development (`npm run dev` sets ELECTRON_RENDERER_URL):
// the page comes from the Vite dev server, and only that server's origin may
// call the service. A local server stands in for Vite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { channelOf } from '../../shared/ipc/operations';
import type { Envelope } from '../../shared/ipc/wire';
import { app, standIn, StandInFrame } from './electron-stand-in/electron';
import { launchBuiltMain, rendererDir, type Launched } from './electron-stand-in/harness';

let server: Server;
let devUrl: string;
let launched: Launched;

describe('the built Electron main process in development mode', { timeout: 60_000 }, () => {
  before(async () => {
    const page = readFileSync(join(rendererDir, 'index.html'));
    server = createServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html' });
      res.end(req.url === '/' ? page : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    devUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    launched = await launchBuiltMain({ ELECTRON_RENDERER_URL: devUrl, STRATA_DATA: undefined });
  });
  after(async () => {
    await launched?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads the page from the dev server, with no app:// handler', () => {
    assert.equal(launched.contents.getURL(), devUrl);
    assert.equal(launched.contents.session.protocol.isProtocolHandled('app'), false);
  });

  it("takes calls from the dev server's page only: not from an origin its URL is a prefix of, nor from app://", async () => {
    const listed = await launched.api['collections.list']();
    assert.equal(listed.ok, true, JSON.stringify(listed));
    const { contents } = launched;
    const port = new URL(devUrl).port;
    // `${devUrl}@evil.example` starts with the dev URL but is evil.example's page, the dev URL being its user name.
    for (const url of [
      `${devUrl}@evil.example/`,
      `http://localhost:${port}/`,
      `https://127.0.0.1:${port}/`,
      'app://strata/index.html',
      'not a url',
    ]) {
      const reply = (await contents.invokeFromFrame(new StandInFrame(url, null), channelOf('collections.list'), [undefined])) as Envelope;
      assert.equal(!reply.ok && reply.error.code, 'FORBIDDEN', `${url}: ${JSON.stringify(reply)}`);
    }
    const framed = (await contents.invokeFromFrame(new StandInFrame(`${devUrl}/`, contents.mainFrame), channelOf('collections.list'), [
      undefined,
    ])) as Envelope;
    assert.equal(!framed.ok && framed.error.code, 'FORBIDDEN', 'an iframe of the dev page was trusted');
  });

  it('quits cleanly, with no error shown', async () => {
    app.quit();
    assert.equal(await standIn.quitted(), 0);
    assert.deepEqual(standIn.errorBoxes, []);
  });
});
