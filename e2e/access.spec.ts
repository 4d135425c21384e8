import WebSocket from 'ws';
import { expect, test } from './fixtures';

/** Opens a raw WebSocket to `url` and reports how the server answered: 'open', or the HTTP status of the refusal. */
function tryConnect(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(String(res.statusCode));
      ws.terminate();
    });
    ws.on('error', (err) => resolve(`error: ${err.message}`));
  });
}

test('the page without the token says how to open it', async ({ page, web }) => {
  await page.goto(web.origin + '/');
  await expect(page.getByTestId('needs-token')).toContainText('Strata needs its access token');
  await expect(page.getByTestId('needs-token')).toContainText('npm run web');
  await expect(page.getByTestId('app-ready')).toHaveCount(0);
});

test('a wrong token in the page gets no session and says why', async ({ page, web }) => {
  await page.goto(`${web.origin}/?token=not-the-token`);
  await expect(page.getByTestId('wrong-token')).toContainText('not the one this server printed');
  await expect(page.getByTestId('app-ready')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);
});

test('after the first load the token is in no URL: the address bar, the socket and reloads use an HttpOnly session cookie', async ({
  page,
  web,
}) => {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(web.url);
  await expect(page.getByTestId('app-ready')).toBeAttached();
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  expect(sockets.length).toBeGreaterThan(0);
  for (const url of sockets) expect(url).not.toContain(web.token);

  const cookies = await page.context().cookies(web.origin);
  const session = cookies.find((c) => c.name.startsWith('strata-session-'));
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  expect(session!.value).not.toBe(web.token);
  expect(await page.evaluate(() => document.cookie)).not.toContain('strata-session');

  await page.reload();
  await expect(page.getByTestId('app-ready')).toBeAttached();
  expect(sockets.every((url) => !url.includes(web.token))).toBe(true);
});

test('raw WebSockets without a session, with a wrong token, with the token in the URL, or from a foreign Origin are refused', async ({
  web,
}) => {
  const url = web.origin.replace('http:', 'ws:') + '/ws';
  expect(await tryConnect(url, { Origin: web.origin })).toBe('401');
  expect(await tryConnect(url, { Origin: web.origin, 'X-Strata-Token': 'wrong' })).toBe('401');
  expect(await tryConnect(`${url}?token=${encodeURIComponent(web.token)}`, { Origin: web.origin })).toBe('401');
  expect(await tryConnect(url, { Origin: 'http://evil.example', 'X-Strata-Token': web.token })).toBe('403');
  expect(await tryConnect(url, { 'X-Strata-Token': web.token })).toBe('403');
  // The control: the token in its header, with the app's own Origin, is accepted.
  expect(await tryConnect(url, { Origin: web.origin, 'X-Strata-Token': web.token })).toBe('open');
});
