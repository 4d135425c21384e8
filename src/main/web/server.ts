import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { StrataApi } from '../../shared/ipc/contract'
import type { PushEvent } from '../../shared/ipc/types'
import { SOCKET_PATH, type WireReply } from '../../shared/ipc/wire'
import { dispatch } from '../ipc/dispatch'
import type { Readable, Writable } from 'node:stream'
import { checkDownloadAccess, checkHost, checkSocketAccess, type AccessDecision, type AccessPolicy } from './access'
import { lookupStatic, type StaticFile } from './static-files'
import { SECURITY_HEADERS } from '../security-headers'

/** The service side of web mode's two transfer routes (see Transfers in the app service). */
export interface TransferRoutes {
  acceptUpload(id: string, body: Readable): boolean
  acceptDownload(id: string, response: Writable): boolean
  job(id: string): { job: { kind: string; collection: string }; signal: AbortSignal; ended: Promise<{ state: string; message: string }> } | undefined
  cancel(id: string): void
}

export interface WebServerOptions {
  api: StrataApi
  transfers?: TransferRoutes
  subscribe: (listener: (event: PushEvent) => void) => () => void
  files: Map<string, StaticFile>
  token: string
  /** 0 picks a free port. */
  port: number
}

export interface WebServer {
  url: string
  port: number
  close(): Promise<void>
}

/** The largest frame a client may send: a maximal value (64 MiB of text) JSON-escaped, with room to spare. */
export const MAX_FRAME_BYTES = 200 * 1024 * 1024

/**
 * Web mode: the same renderer and the same contract as the desktop app,
 * served from a plain Node process to a browser on this machine (or through
 * an SSH tunnel). Listens on 127.0.0.1 only.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const policy: AccessPolicy = { token: options.token, port: 0 }
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const transfer = /^\/transfer\/(upload|download)\/([0-9a-f-]{36})$/.exec(path)
    if (transfer && options.transfers) return serveTransfer(req, res, transfer[1] as 'upload' | 'download', transfer[2]!, options.transfers, policy)
    serveStatic(req, res, options.files, policy)
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })

  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const decision = path === SOCKET_PATH ? checkSocketAccess(req, policy) : ({ ok: false, status: 404, reason: 'not found' } as const)
    if (!decision.ok) {
      socket.end(`HTTP/1.1 ${decision.status} ${decision.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options))
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, '127.0.0.1', () => resolve())
  })
  policy.port = (http.address() as AddressInfo).port
  return {
    port: policy.port,
    url: `http://127.0.0.1:${policy.port}/?token=${encodeURIComponent(options.token)}`,
    close: async () => {
      for (const ws of sockets.clients) ws.terminate()
      sockets.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }
}

function serveStatic(req: IncomingMessage, res: ServerResponse, files: Map<string, StaticFile>, policy: AccessPolicy): void {
  const host = checkHost(req, policy)
  if (!host.ok) return end(res, host.status, host.reason)
  if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'method not allowed')
  const file = lookupStatic(files, req.url ?? '/')
  if (!file) return end(res, 404, 'not found')
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Content-Length': file.body.length })
  res.end(req.method === 'HEAD' ? undefined : file.body)
}

const CONTENT_TYPES: Record<string, string> = { ndjson: 'application/x-ndjson', json: 'application/json', csv: 'text/csv' }

/**
 * Uploads (POST, from the page: Origin and X-Strata-Token checked) feed an
 * import job; downloads (GET, a navigation: the token in the query) receive
 * an export job's stream. Either way the job was started over the contract
 * first, so its id is the only key, and the job reports progress as usual.
 */
function serveTransfer(req: IncomingMessage, res: ServerResponse, kind: 'upload' | 'download', id: string, transfers: TransferRoutes, policy: AccessPolicy): void {
  const access: AccessDecision = kind === 'upload' ? checkSocketAccess(req, policy) : checkDownloadAccess(req, policy)
  if (!access.ok) return end(res, access.status, access.reason)
  if (req.method !== (kind === 'upload' ? 'POST' : 'GET')) return end(res, 405, 'method not allowed')
  const running = transfers.job(id)
  if (!running) return end(res, 404, `no ${kind} is waiting under this id (it finished, was cancelled, or never started)`)
  if (kind === 'upload') {
    if (!transfers.acceptUpload(id, req)) return end(res, 409, 'this upload was already received')
    // Answer when the import ends, not when the body does: a bad record or a
    // cancel ends it early, and the rest of the body is then not worth reading.
    void running.ended.then((job) => {
      const status = job.state === 'done' ? 200 : job.state === 'cancelled' ? 499 : 422
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' })
      res.end(`${job.state}: ${job.message}\n`, () => {
        if (!req.complete) req.destroy()
      })
    })
    return
  }
  const format = new URL(req.url ?? '/', 'http://x').searchParams.get('format') ?? 'ndjson'
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': `${CONTENT_TYPES[format] ?? 'application/octet-stream'}; charset=utf-8`,
    'Content-Disposition': `attachment; filename="${running.job.collection}.${format in CONTENT_TYPES ? format : 'txt'}"`
  })
  // The browser cancelling its download cancels the export job.
  res.on('close', () => {
    if (!res.writableFinished) transfers.cancel(id)
  })
  if (!transfers.acceptDownload(id, res)) res.destroy()
}

function end(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`${status} ${reason}\n`)
}

function serveSocket(ws: WebSocket, options: WebServerOptions): void {
  const send = (reply: WireReply): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
  }
  const unsubscribe = options.subscribe((event) => send({ push: event }))
  ws.on('close', unsubscribe)
  ws.on('error', () => ws.terminate())
  ws.on('message', (data, isBinary) => {
    let call: { id?: unknown; op?: unknown; args?: unknown }
    try {
      if (isBinary) throw new Error('binary frame')
      call = JSON.parse(data.toString())
      if (typeof call !== 'object' || call === null || typeof call.id !== 'number') throw new Error('no numeric id')
    } catch (err) {
      // Without an id there is nobody to answer: a client this broken is disconnected.
      ws.close(1003, `malformed call: ${(err as Error).message}`.slice(0, 120))
      return
    }
    const id = call.id as number
    void dispatch(options.api, call.op, call.args).then((envelope) => send({ id, ...envelope }))
  })
}
