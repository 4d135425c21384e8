import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SECURITY_HEADERS } from '../security-headers';
import { loadStaticFiles } from '../web/static-files';
import { APP_PAGE_URL, appProtocolHandler, isAppPage, type AppRequest } from './app-protocol';

// A renderer folder beside a secret, with symlinks that point out of it.
const temp = mkdtempSync(join(tmpdir(), 'strata-app-protocol-'));
const renderer = join(temp, 'renderer');
const SECRET = 'the secret outside the renderer folder';
let serve: (request: AppRequest) => Response;

before(async () => {
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  mkdirSync(join(temp, 'outside'));
  writeFileSync(join(temp, 'secret.txt'), SECRET);
  writeFileSync(join(temp, 'outside', 'also-secret.txt'), SECRET);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(renderer, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(renderer, 'assets', 'with space.svg'), '<svg/>');
  symlinkSync(join(temp, 'secret.txt'), join(renderer, 'assets', 'link.js'));
  symlinkSync(join(temp, 'outside'), join(renderer, 'linked'));
  serve = appProtocolHandler(await loadStaticFiles(renderer));
});
after(() => rmSync(temp, { recursive: true, force: true }));

const get = (url: string, method = 'GET'): Response => serve({ url, method });

describe('the app:// protocol handler', () => {
  it("serves the build folder's files with their types and the shared security headers", async () => {
    for (const [path, type, body] of [
      ['/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
      ['/', 'text/html; charset=utf-8', '<!doctype html>'],
      ['/assets/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['/assets/style.css', 'text/css; charset=utf-8', 'body{}'],
      ['/assets/with%20space.svg', 'image/svg+xml', '<svg/>'],
    ] as const) {
      const response = get(`app://strata${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), type, path);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(name), value, `${path}: ${name}`);
      assert.ok((await response.text()).startsWith(body), path);
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = get(APP_PAGE_URL, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal(get(APP_PAGE_URL, 'POST').status, 405);
  });

  it('never serves a file outside the folder: traversal, encodings, absolute paths and symlinks get 4xx', async () => {
    for (const url of [
      'app://strata/../secret.txt',
      'app://strata/%2e%2e/secret.txt',
      'app://strata/.%2E/secret.txt',
      'app://strata/..%2fsecret.txt',
      'app://strata/..%5csecret.txt',
      'app://strata/..\\secret.txt',
      'app://strata/assets/..%2f..%2fsecret.txt',
      `app://strata/${join(temp, 'secret.txt')}`,
      `app://strata/${encodeURIComponent(join(temp, 'secret.txt'))}`,
      'app://strata/assets/link.js',
      'app://strata/linked/also-secret.txt',
      'app://strata/%E0%A4%A',
      'app://elsewhere/index.html',
      'app://user:pw@strata/index.html',
      'https://strata/index.html',
      ':',
    ]) {
      const response = get(url);
      assert.ok(response.status >= 400 && response.status < 500, `${url}: ${response.status}`);
      assert.ok(!(await response.text()).includes(SECRET), `${url} leaked the secret`);
    }
    assert.equal(get('app://strata/%E0%A4%A').status, 400);
    assert.equal(get('app://strata/assets/link.js').status, 404);
  });
});

describe('isAppPage', () => {
  it('is the app page at app://strata/ or /index.html, with any query or fragment, and nothing else', () => {
    for (const url of [APP_PAGE_URL, 'app://strata/', 'app://strata/index.html?x=1#/levels']) assert.equal(isAppPage(url), true, url);
    for (const url of [
      'app://strata/assets/app.js',
      'app://strata.evil/index.html',
      'app://evil/index.html',
      'app://u:p@strata/index.html',
      'file:///index.html',
      'https://strata/index.html',
      '',
      'nonsense',
    ]) {
      assert.equal(isAppPage(url), false, url);
    }
  });
});
