import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import { operations, type StrataApi } from '../../shared/ipc/contract'
import type { PushEvent } from '../../shared/ipc/types'
import { startWebServer, type WebServer } from './server'
import type { StaticFile } from './static-files'

const TOKEN = 'secret-token-123'
const files = new Map<string, StaticFile>([
  ['/index.html', { body: Buffer.from('<!doctype html><title>Strata</title>'), type: 'text/html; charset=utf-8' }],
  ['/assets/app.js', { body: Buffer.from('console.log(1)'), type: 'text/javascript; charset=utf-8' }]
])
const listeners = new Set<(e: PushEvent) => void>()
const api = Object.fromEntries(operations.map((op) => [op, async (args: unknown) => ({ op, args })])) as unknown as StrataApi

let server: WebServer
let origin: string
before(async () => {
  server = await startWebServer({ api, files, token: TOKEN, port: 0, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) })
  origin = `http://127.0.0.1:${server.port}`
})
after(() => server.close())

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Resolves with the open socket, or rejects with the HTTP status the server refused the upgrade with. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, op: string, args: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString())
      if (reply.id === id) {
        ws.off('message', onMessage)
        resolve(reply)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, op, args }))
  })
}

describe('web mode server', () => {
  it('listens on 127.0.0.1 only and prints a URL that carries the token', () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=${TOKEN}$`))
  })

  it('serves the built renderer with security headers', async () => {
    const page = await get('/?token=whatever')
    assert.equal(page.status, 200)
    assert.match(page.body, /<title>Strata<\/title>/)
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
    assert.equal(page.headers['referrer-policy'], 'no-referrer')
    assert.equal((await get('/assets/app.js')).status, 200)
  })

  it('never serves anything outside the build folder', async () => {
    for (const path of ['/../package.json', '/..%2f..%2fetc%2fpasswd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', '//etc/passwd']) {
      const res = await get(path)
      assert.equal(res.status, 404, path)
      assert.doesNotMatch(res.body, /root:/)
    }
  })

  it('refuses requests whose Host is not this server (DNS rebinding)', async () => {
    assert.equal((await get('/', { Host: `evil.example:${server.port}` })).status, 421)
    await assert.rejects(connect(`?token=${TOKEN}`, { Origin: origin, Host: `evil.example:${server.port}` }), /refused 421/)
  })

  it('refuses a socket without the token, with a wrong token, or from a foreign Origin', async () => {
    await assert.rejects(connect('', { Origin: origin }), /refused 401/)
    await assert.rejects(connect('?token=', { Origin: origin }), /refused 401/)
    await assert.rejects(connect('?token=secret-token-124', { Origin: origin }), /refused 401/)
    await assert.rejects(connect(`?token=${TOKEN}`, { Origin: 'http://evil.example' }), /refused 403/)
    await assert.rejects(connect(`?token=${TOKEN}`, {}), /refused 403/)
  })

  it('answers contract calls over an authorized socket, validated like IPC', async () => {
    const ws = await connect(`?token=${TOKEN}`, { Origin: origin })
    try {
      const ok = await call(ws, 1, 'collections.open', { name: 'users' })
      assert.deepEqual(ok, { id: 1, ok: true, result: { op: 'collections.open', args: { name: 'users' } } })
      const bad = await call(ws, 2, 'collections.open', { name: 5 })
      assert.equal(bad.ok, false)
      assert.equal(bad.error.code, 'BAD_ARGUMENTS')
      const unknown = await call(ws, 3, 'fs.readFile', { path: '/etc/passwd' })
      assert.equal(unknown.error.code, 'UNKNOWN_OPERATION')
    } finally {
      ws.close()
    }
  })

  it('pushes events to connected sockets and stops when they disconnect', async () => {
    const ws = await connect(`?token=${TOKEN}`, { Origin: origin })
    const received = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))))
    for (const l of listeners) l({ kind: 'collections-changed' })
    assert.deepEqual(await received, { push: { kind: 'collections-changed' } })
    const before = listeners.size
    ws.close()
    await new Promise((r) => ws.once('close', r))
    for (let i = 0; i < 50 && listeners.size === before; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(listeners.size, before - 1)
  })

  it('disconnects a client that sends frames that are not calls', async () => {
    const ws = await connect(`?token=${TOKEN}`, { Origin: origin })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('not json')
    assert.equal(await closed, 1003)
  })
})
