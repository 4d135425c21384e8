// The Electron main process, run: the BUILT out/main/index.js, unchanged,
// against a stand-in for the `electron` module (./electron-stand-in). No
// Electron binary can be had on these machines, so this is what stands
// between a typo in main and a release. It needs `npm run build` first
// (`npm test` builds before it) and fails, saying so, without it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { StrataApi } from '../../shared/ipc/contract';
import { channelOf, OPERATIONS } from '../../shared/ipc/operations';
import type { Envelope } from '../../shared/ipc/wire';
import { SECURITY_HEADERS } from '../security-headers';
import { EXTERNAL_LINK_HOSTS } from './external-links';
import { app, ipcMain, standIn, StandInEvent, StandInFrame, type StandInWebContents } from './electron-stand-in/electron';
import { launchBuiltMain, mainFile, out, preloadFile, rendererDir, root, type Launched, type PageApi } from './electron-stand-in/harness';

const PAGE = 'app://strata/index.html';

/** Every permission name Electron 45 can ask about, read from its own type definitions. */
function permissionNames(): string[] {
  const types = readFileSync(join(root, 'node_modules', 'electron', 'electron.d.ts'), 'utf8');
  const union = /setPermissionRequestHandler\(handler: \(\(webContents: WebContents, permission: ([^,]+),/.exec(types);
  if (!union) throw new Error('could not find the permission names in node_modules/electron/electron.d.ts');
  return [...union[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
}

let launched: Launched;
let contents: StandInWebContents;
let api: PageApi;

async function call<T>(op: keyof StrataApi, args?: unknown): Promise<T> {
  const reply = await api[op](args);
  if (!reply.ok) throw new Error(`${op} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

describe('the Electron main process, built, under a stand-in electron module', { timeout: 60_000 }, () => {
  before(async () => {
    // Neither the dev server nor a data folder from the environment: the built page and the stand-in's temp userData.
    launched = await launchBuiltMain({ ELECTRON_RENDERER_URL: undefined, STRATA_DATA: undefined });
    ({ contents, api } = launched);
  });
  // Only does anything if a test failed before the quit test.
  after(() => launched?.close());

  it('runs against the stand-in: main imports it as `electron`', async () => {
    const electron = (await import('electron' as string)) as { app: unknown };
    assert.equal(electron.app, app);
  });

  it('registers app:// as a standard, secure scheme before ready, with no extra privilege, and loads the page from it', () => {
    assert.equal(standIn.privilegedSchemes.length, 1);
    const [registered] = standIn.privilegedSchemes;
    assert.equal(registered!.scheme, 'app');
    assert.equal(registered!.beforeReady, true);
    assert.equal(registered!.privileges['standard'], true);
    assert.equal(registered!.privileges['secure'], true);
    for (const privilege of ['bypassCSP', 'corsEnabled', 'supportFetchAPI', 'allowServiceWorkers', 'stream', 'allowExtensions']) {
      assert.notEqual(registered!.privileges[privilege], true, `app:// must not get ${privilege}`);
    }
    assert.ok(contents.session.protocol.isProtocolHandled('app'), 'the window session has no app:// handler');
    assert.equal(contents.getURL(), PAGE);
  });

  it('opens one window with isolated, sandboxed, Node-free web preferences and a CommonJS preload', () => {
    assert.equal(standIn.windows.length, 1);
    const [window] = standIn.windows;
    const prefs = window!.options.webPreferences!;
    assert.equal(prefs['contextIsolation'], true);
    assert.equal(prefs['sandbox'], true);
    assert.equal(prefs['nodeIntegration'], false);
    for (const off of [
      'nodeIntegrationInWorker',
      'nodeIntegrationInSubFrames',
      'allowRunningInsecureContent',
      'webviewTag',
      'experimentalFeatures',
    ]) {
      assert.notEqual(prefs[off], true, `${off} must not be on`);
    }
    assert.notEqual(prefs['webSecurity'], false, 'webSecurity must not be turned off');
    assert.equal(prefs['session'], contents.session);
    // The preload is the built CommonJS file, and it ran in the sandbox: the stand-in gave it only the sandbox's
    // require, so an ES module (or a bundle needing more than electron) would have exposed no API.
    assert.equal(realpathSync(prefs['preload'] as string), realpathSync(preloadFile));
    assert.deepEqual(Object.keys(api).sort(), [...OPERATIONS, 'subscribe'].sort());
    assert.ok(window!.visible, 'the window was never shown (ready-to-show)');
  });

  it('ships a preload of a few kilobytes: it bundles the operation names and nothing else (no schema library)', () => {
    const size = statSync(preloadFile).size;
    assert.ok(size < 10 * 1024, `the built preload is ${size} bytes; it must stay under 10 KiB`);
  });

  it('registers exactly one IPC handler per contract operation', () => {
    assert.deepEqual([...ipcMain.handlers.keys()].sort(), OPERATIONS.map(channelOf).sort());
  });

  it('refuses a call from a frame inside the page, another page, or another webContents', async () => {
    const callers: [string, StandInWebContents, StandInFrame | null][] = [
      ['an iframe showing the app page', contents, new StandInFrame(PAGE, contents.mainFrame)],
      ['an iframe from elsewhere', contents, new StandInFrame('https://evil.example/', contents.mainFrame)],
      ['a foreign page in the window', contents, new StandInFrame('https://evil.example/', null)],
      ['the renderer as a file:// page', contents, new StandInFrame(`file://${join(rendererDir, 'index.html')}`, null)],
      ['a look-alike host', contents, new StandInFrame('app://strata.evil/index.html', null)],
      ['another app:// path', contents, new StandInFrame('app://strata/assets/other.html', null)],
      ['a frame already disposed', contents, null],
      ['another webContents showing the app page', standIn.foreignWebContents(PAGE), null],
    ];
    const last = callers.at(-1)!;
    last[2] = last[1].mainFrame;
    for (const [who, sender, frame] of callers) {
      const reply = (await sender.invokeFromFrame(frame, channelOf('collections.create'), [{ name: 'intruder' }])) as Envelope;
      assert.equal(reply.ok, false, `${who}: the call went through`);
      assert.equal(!reply.ok && reply.error.code, 'FORBIDDEN', `${who}: ${JSON.stringify(reply)}`);
    }
    const names = (await call<{ name: string }[]>('collections.list')).map((c) => c.name);
    assert.ok(!names.includes('intruder'), 'a refused call still reached the service');
    // The same call from the app's own top frame is accepted: the refusals above are about the sender.
    const own = (await contents.invokeFromFrame(contents.mainFrame, channelOf('app.info'), [undefined])) as Envelope;
    assert.equal(own.ok, true, JSON.stringify(own));
  });

  it("denies every permission request and check on the window's session", (t: TestContext) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const ses = contents.session;
    assert.ok(ses.permissionRequestHandler && ses.permissionCheckHandler && ses.devicePermissionHandler, 'a permission handler is missing');
    const names = permissionNames();
    assert.ok(names.length > 30 && names.includes('media') && names.includes('openExternal'), `parsed ${names.length} permission names`);
    for (const permission of names) {
      const answers: boolean[] = [];
      ses.permissionRequestHandler(contents, permission, (granted: boolean) => answers.push(granted), {
        requestingUrl: PAGE,
        isMainFrame: true,
      });
      assert.deepEqual(answers, [false], `request for ${permission}`);
      for (const who of [contents, null]) {
        assert.equal(
          ses.permissionCheckHandler(who, permission, 'app://strata', {
            requestingUrl: PAGE,
            isMainFrame: true,
            embeddingOrigin: 'app://strata',
          }),
          false,
          `check of ${permission}`,
        );
      }
    }
    for (const deviceType of ['hid', 'serial', 'usb']) {
      assert.equal(ses.devicePermissionHandler({ deviceType, origin: 'app://strata', device: {} }), false, `device ${deviceType}`);
    }
    assert.equal(warn.mock.callCount(), names.length, 'each denied request is logged');
  });

  it('blocks navigation, webviews and new windows, and opens only allow-listed links outside', (t: TestContext) => {
    t.mock.method(console, 'warn', () => {});
    const refused = [
      'https://example.com/',
      'https://evil.example/phish',
      'http://example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      PAGE,
      'not a url',
      '',
      'https://user:pass@example.com/',
      'https://example.com:8443/',
      ...EXTERNAL_LINK_HOSTS.map((host) => `https://${host}.evil.example/`),
    ];
    const allowed = EXTERNAL_LINK_HOSTS.map((host) => `https://${host}/docs`);
    assert.ok(contents.windowOpenHandler, 'no window-open handler');
    for (const url of [...refused, ...allowed]) {
      assert.deepEqual(
        contents.windowOpenHandler({
          url,
          frameName: '',
          features: '',
          disposition: 'new-window',
          referrer: { url: PAGE, policy: 'no-referrer' },
        }),
        { action: 'deny' },
        url,
      );
      const navigation = new StandInEvent({ url, isSameDocument: false, isMainFrame: true, frame: contents.mainFrame });
      contents.emit('will-navigate', navigation, url, false, true, contents.mainFrame.processId, contents.mainFrame.routingId);
      assert.ok(navigation.defaultPrevented, `navigation to ${JSON.stringify(url)} was not stopped`);
    }
    const webview = new StandInEvent();
    contents.emit('will-attach-webview', webview, {}, { src: 'https://example.com/' });
    assert.ok(webview.defaultPrevented, 'a <webview> was allowed to attach');
    // Each allowed link once from the window-open handler and once from will-navigate; nothing else.
    assert.deepEqual(
      standIn.openedExternally,
      allowed.flatMap((url) => [url, url]),
    );
  });

  describe('app:// serves the built renderer and nothing else', () => {
    const handler = (): ((request: { url: string; method: string }) => Promise<Response> | Response) =>
      contents.session.protocol.handlers.get('app')!;
    const get = async (url: string, method = 'GET'): Promise<Response> => handler()({ url, method });

    it('serves the page with the web mode CSP, and every asset it references with its type', async () => {
      const page = await handler()(new Request(PAGE));
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      assert.equal(page.headers.get('content-security-policy'), SECURITY_HEADERS['Content-Security-Policy']);
      const html = await page.text();
      assert.equal(html, readFileSync(join(rendererDir, 'index.html'), 'utf8'));
      assert.equal(await (await get('app://strata/')).text(), html);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, PAGE).href);
      assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `page references ${assets.join(', ')}`);
      for (const asset of assets) {
        const response = await get(asset);
        assert.equal(response.status, 200, asset);
        assert.match(response.headers.get('content-type')!, asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/, asset);
        assert.ok(response.headers.get('content-security-policy'), `${asset} has no CSP`);
        const file = join(rendererDir, ...new URL(asset).pathname.split('/'));
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), readFileSync(file), asset);
      }
    });

    it('answers 4xx, never a file, to paths that try to leave out/renderer', async () => {
      const escapes = [
        'app://strata/../main/index.js',
        'app://strata/assets/../../main/index.js',
        'app://strata/%2e%2e/main/index.js',
        'app://strata/%2E%2E/%2E%2E/package.json',
        'app://strata/..%2fmain%2findex.js',
        'app://strata/..%5cmain%5cindex.js',
        'app://strata/..\\main\\index.js',
        'app://strata/assets/..%2f..%2f..%2fpackage.json',
        `app://strata/${encodeURIComponent(mainFile)}`,
        `app://strata/${mainFile}`,
        `app://strata/${join(root, 'package.json')}`,
        'app://strata//etc/passwd',
        'app://strata/%2Fetc%2Fpasswd',
        'app://strata/C:%5CWindows%5Cwin.ini',
        'app://strata/index.html%00.js',
        'app://strata/%E0%A4%A',
        'app://other/index.html',
        'app://user@strata/index.html',
        'file:///etc/passwd',
        'not a url',
      ];
      const files = [mainFile, join(root, 'package.json'), preloadFile].map((file) => readFileSync(file, 'utf8'));
      for (const url of escapes) {
        const requests: { url: string; method: string }[] = [{ url, method: 'GET' }];
        // Also as a real Request, which normalises the URL first as Chromium does (and refuses some outright).
        try {
          requests.push(new Request(url));
        } catch {
          // Not a URL a Request can carry; the raw form above still reaches the handler.
        }
        for (const request of requests) {
          const response = await handler()(request);
          assert.ok(response.status >= 400 && response.status < 500, `${request.url}: ${response.status}`);
          const body = await response.text();
          assert.ok(
            body.startsWith(`${response.status} `),
            `${request.url} answered with a body that is not an error: ${body.slice(0, 80)}`,
          );
          assert.ok(!files.includes(body), `${request.url} served a file outside out/renderer`);
        }
      }
      assert.equal((await get(PAGE, 'POST')).status, 405);
    });
  });

  it('answers a call end to end: create a collection through the page API, then list it', async () => {
    const created = await call<{ name: string }>('collections.create', { name: 'e2e' });
    assert.equal(created.name, 'e2e');
    const names = (await call<{ name: string }[]>('collections.list')).map((c) => c.name);
    assert.ok(names.includes('e2e'), `listed: ${names.join(', ')}`);
    // The data lives under the stand-in's userData (a temp dir), where main put it.
    const info = await call<{ dataDir: string; mode: string; nativeDialogs: boolean }>('app.info');
    assert.equal(info.dataDir, join(launched.temp, 'paths', 'userData', 'data'));
    assert.equal(info.mode, 'electron');
    assert.equal(info.nativeDialogs, true);
    assert.ok(existsSync(join(info.dataDir, 'e2e')), 'the collection is not on disk');
    // A bad argument is refused by the contract with a message naming it.
    const bad = await api['collections.create']({ name: 42 });
    assert.equal(!bad.ok && bad.error.code, 'BAD_ARGUMENTS');
  });

  it('compacts in the utility-process worker, started from the built worker module', async () => {
    await call('collections.create', { name: 'compact' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100; i++)
        await call('keys.put', { collection: 'compact', key: `k${String(i).padStart(3, '0')}`, value: `round ${round} value ${i}` });
      await call('lsm.flush', { collection: 'compact' });
    }
    await call('lsm.compact', { collection: 'compact' });
    await launched.push(
      (event) => event.kind === 'engine' && event.collection === 'compact' && event.events.some((e) => e.type === 'compaction-end'),
    );
    assert.ok(standIn.utilityProcesses.length >= 1, 'no utility process was forked');
    for (const worker of standIn.utilityProcesses) {
      assert.ok(existsSync(worker.modulePath), `worker module ${worker.modulePath} does not exist`);
      assert.ok(worker.modulePath.startsWith(join(out, 'main') + sep), `worker module ${worker.modulePath} is not part of the build`);
    }
    const replies = standIn.utilityProcesses.flatMap((worker) => worker.received as { type?: string }[]);
    assert.ok(
      replies.some((m) => m.type === 'done'),
      `the worker never finished a compaction: ${JSON.stringify(replies.map((m) => m.type))}`,
    );
    const value = await call<{ text?: string; preview?: string } | null>('keys.get', { collection: 'compact', key: 'k042' });
    assert.match(JSON.stringify(value), /round 1 value 42/);
  });

  it('on quit, shuts the service down, then quits, leaving no child process', async () => {
    const workers = standIn.utilityProcesses;
    assert.ok(workers.length > 0, 'no worker ran, so quitting proves nothing about stopping one');
    app.quit();
    assert.equal(await standIn.quitted(), 0);
    // Main quits only after service.shutdown(), which stops each worker and waits for its exit.
    for (const worker of workers) {
      assert.ok(
        worker.child.exitCode !== null || worker.child.signalCode !== null,
        `worker ${worker.pid} was still running when the app quit`,
      );
      assert.throws(() => process.kill(worker.pid!, 0), { code: 'ESRCH' }, `worker ${worker.pid} is still running`);
    }
    assert.deepEqual(standIn.errorBoxes, []);
  });
});
