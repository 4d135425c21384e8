import type { PushEvent } from '../../../shared/ipc/types'
import { SOCKET_PATH, type Envelope, type WireReply } from '../../../shared/ipc/wire'
import type { Transport } from './client'

const TOKEN_KEY = 'strata.token'

/**
 * The access token arrives once in the page URL. It is kept for this tab
 * (so a reload still works) and removed from the address bar so it does not
 * end up in screenshots or shared links.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    window.history.replaceState(null, '', url.toString())
    return fromUrl
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

export type ConnectionState = 'connecting' | 'open' | 'closed'

/**
 * Web mode's transport: one WebSocket, calls matched to replies by id,
 * reconnecting with backoff. Calls made while disconnected wait for the
 * connection; calls in flight when it drops fail with a clear error rather
 * than hang.
 */
export function webTransport(token: string, onState: (state: ConnectionState, detail?: string) => void): Transport {
  const listeners = new Set<(event: PushEvent) => void>()
  const pending = new Map<number, (envelope: Envelope) => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  // Calls made while (re)connecting wait here; every successful open releases them,
  // so a call made during a failed attempt is not stuck on that attempt.
  let waiting: ((ws: WebSocket) => void)[] = []
  let retryMs = 250

  const connect = (): void => {
    onState('connecting')
    const url = new URL(SOCKET_PATH, window.location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.search = `?token=${encodeURIComponent(token)}`
    const ws = new WebSocket(url)
    socket = ws
    ws.addEventListener('open', () => {
      retryMs = 250
      onState('open')
      const released = waiting
      waiting = []
      for (const release of released) release(ws)
    })
    ws.addEventListener('message', (message) => {
      const reply = JSON.parse(String(message.data)) as WireReply
      if ('push' in reply) {
        for (const listener of listeners) listener(reply.push)
        return
      }
      const settle = pending.get(reply.id)
      pending.delete(reply.id)
      settle?.(reply)
    })
    ws.addEventListener('close', (event) => {
      for (const [id, settle] of pending) {
        settle({ ok: false, error: { code: 'DISCONNECTED', message: 'lost the connection to the Strata server before it answered', operation: String(id) } })
      }
      pending.clear()
      onState('closed', event.reason || (event.code === 1006 ? 'the server refused or dropped the connection' : `closed (${event.code})`))
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    })
  }
  connect()

  return {
    call: async (op, args) => {
      const ws = socket?.readyState === WebSocket.OPEN ? socket : await new Promise<WebSocket>((resolve) => waiting.push(resolve))
      const id = nextId++
      return new Promise<Envelope>((resolve) => {
        pending.set(id, (envelope) => resolve(envelope.ok ? envelope : { ok: false, error: { ...envelope.error, operation: op } }))
        ws.send(JSON.stringify({ id, op, args }))
      })
    },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}
