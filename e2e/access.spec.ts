import WebSocket from 'ws'
import { expect, test } from './fixtures'

/** Opens a raw WebSocket to /ws and reports how the server answered: 'open', or the HTTP status of the refusal. */
function tryConnect(url: string, origin: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { headers: { Origin: origin } })
    ws.on('open', () => {
      ws.close()
      resolve('open')
    })
    ws.on('unexpected-response', (_req, res) => {
      resolve(String(res.statusCode))
      ws.terminate()
    })
    ws.on('error', (err) => resolve(`error: ${err.message}`))
  })
}

test('the page without the token says how to open it', async ({ page, web }) => {
  await page.goto(web.origin + '/')
  await expect(page.getByTestId('needs-token')).toContainText('Strata needs its access token')
  await expect(page.getByTestId('needs-token')).toContainText('npm run web')
  await expect(page.getByTestId('app-ready')).toHaveCount(0)
})

test('a wrong token in the page gets no data and says why', async ({ page, web }) => {
  await page.goto(`${web.origin}/?token=not-the-token`)
  await expect(page.getByRole('heading', { name: 'Cannot reach the Strata server' })).toBeVisible()
  await expect(page.getByTestId('app-ready')).toHaveCount(0)
})

test('the token is removed from the address bar once read', async ({ app }) => {
  expect(new URL(app.url()).searchParams.has('token')).toBe(false)
})

test('raw WebSockets without the token, with a wrong token or from a foreign Origin are refused', async ({ web }) => {
  const base = web.origin.replace('http:', 'ws:') + '/ws'
  const good = `${base}?token=${encodeURIComponent(web.token)}`
  expect(await tryConnect(base, web.origin)).toBe('401')
  expect(await tryConnect(`${base}?token=wrong`, web.origin)).toBe('401')
  expect(await tryConnect(good, 'http://evil.example')).toBe('403')
  expect(await tryConnect(good, undefined)).toBe('403')
  // The control: the same socket with the token and the app's own Origin is accepted.
  expect(await tryConnect(good, web.origin)).toBe('open')
})
