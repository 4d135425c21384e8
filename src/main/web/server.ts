import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StrataApi } from '../../shared/ipc/contract';
import type { PushEvent } from '../../shared/ipc/types';
import { MAX_FRAME_BYTES, SESSION_PATH, SOCKET_PATH } from '../../shared/ipc/wire';
import {
  checkHost,
  checkSession,
  checkSocketAccess,
  pageTokenMatches,
  sessionCookie,
  type AccessDecision,
  type AccessPolicy,
} from './access';
import { HEADERS_TIMEOUT_MS, MAX_CONNECTIONS, MAX_SOCKETS } from './limits';
import { parseTarget, type RequestTarget } from './request-target';
import { refuse } from './respond';
import { SECURITY_HEADERS } from '../security-headers';
import { SocketSession, type SocketStats } from './socket-session';
import { lookupStatic, type StaticFile } from './static-files';
import { serveTransfer, TRANSFER_ROUTE, type TransferRoutes } from './transfer-routes';

export type { TransferRoutes };
export { MAX_FRAME_BYTES };

export interface WebServerOptions {
  api: StrataApi;
  transfers?: TransferRoutes;
  subscribe: (listener: (event: PushEvent) => void) => () => void;
  files: Map<string, StaticFile>;
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** Where failures that are not the client's fault are written; console.error by default. */
  report?: (message: string) => void;
}

export interface WebServer {
  /** The address to open, printed once at start: it carries the token. */
  url: string;
  port: number;
  /** What the server is bound to. */
  address: AddressInfo;
  /** Each open WebSocket's load (tests and diagnostics). */
  connections(): SocketStats[];
  close(): Promise<void>;
}

// WebSocket close code 1013, "try again later": the server is at its socket limit.
const TRY_AGAIN_LATER = 1013;

/**
 * Web mode: the same renderer and the same contract as the desktop app,
 * served from a plain Node process to a browser on this machine (or through
 * an SSH tunnel). Listens on 127.0.0.1 only. Whatever a request or frame
 * holds, it gets an HTTP status or a close code and the server goes on;
 * what each client can make it hold is bounded (limits.ts). The checks and
 * the numbers are explained in doc/web-mode-security.md.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const report = options.report ?? ((message: string) => console.error(message));
  const policy: AccessPolicy = { token: options.token, session: randomBytes(32).toString('base64url'), port: 0 };
  const sessions = new Set<SocketSession>();
  /** Connections over MAX_CONNECTIONS: already answered 503, and whatever they send next is ignored. */
  const refused = new WeakSet<Duplex>();
  let connections = 0;

  // Node checks the headers timeout every connectionsCheckingInterval (30 s by default): check often enough for it to mean 10 s.
  const http = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, (req, res) => {
    try {
      if (refused.has(req.socket)) return void res.destroy();
      route(req, res);
    } catch (err) {
      report(`web mode: ${req.method} request failed: ${(err as Error).stack ?? String(err)}`);
      refuse(res, 500, 'internal error; see the server log');
    }
  });

  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const target = parseTarget(req.url);
    if (!target) return refuse(res, 400, 'malformed request target');
    const host = checkHost(req, policy);
    if (!host.ok) return refuse(res, host.status, host.reason);
    if (target.path === SESSION_PATH) return serveSession(req, res, policy);
    const transfer = TRANSFER_ROUTE.exec(target.path);
    if (transfer && options.transfers) {
      return serveTransfer(req, res, target, transfer[1] as 'upload' | 'download', transfer[2]!, options.transfers, policy, report);
    }
    serveStatic(req, res, target, options.files, policy);
  };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: false });

  http.on('connection', (socket: Socket) => {
    connections++;
    socket.once('close', () => connections--);
    if (connections > MAX_CONNECTIONS) {
      refused.add(socket);
      endRaw(socket, 503, `too many connections (at most ${MAX_CONNECTIONS}); close some Strata tabs or programs and retry`);
    }
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Once upgraded, the socket is no longer watched by the HTTP server: a client that resets now must not become an uncaught error.
    socket.on('error', () => {});
    try {
      if (refused.has(socket)) return;
      const decision = upgradeDecision(req, policy);
      if (!decision.ok) return endRaw(socket, decision.status, decision.reason);
      sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        if (sessions.size >= MAX_SOCKETS) {
          // Whatever it sends before the close completes is no longer read; ws reports bad frames as errors, which need a listener.
          ws.on('error', () => {});
          ws.close(TRY_AGAIN_LATER, `too many open connections (at most ${MAX_SOCKETS}); close another Strata tab`);
          return;
        }
        const session = new SocketSession(ws, options.api, options.subscribe, report);
        sessions.add(session);
        ws.once('close', () => sessions.delete(session));
      });
    } catch (err) {
      report(`web mode: upgrade failed: ${(err as Error).stack ?? String(err)}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  // After start, a failed accept (e.g. out of file descriptors) is reported, and the server keeps serving the connections it has.
  http.on('error', (err) => report(`web mode: ${err.stack ?? err.message}`));
  const address = http.address() as AddressInfo;
  policy.port = address.port;
  return {
    port: address.port,
    address,
    url: `http://${address.address}:${address.port}/?token=${encodeURIComponent(options.token)}`,
    connections: () => [...sessions].map((s) => s.stats()),
    close: async () => {
      for (const session of sessions) session.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

function upgradeDecision(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const target = parseTarget(req.url);
  if (!target) return { ok: false, status: 400, reason: 'malformed request target' };
  if (target.path !== SOCKET_PATH) return { ok: false, status: 404, reason: 'not found' };
  return checkSocketAccess(req, policy);
}

/** Answers on a raw socket (no HTTP response object: an upgrade, or a connection over the limit) and closes it. */
function endRaw(socket: Duplex, status: number, reason: string): void {
  const body = `${status} ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}

/** The page asks before it connects: 204 with a session, 401 (and why) without one. */
function serveSession(req: IncomingMessage, res: ServerResponse, policy: AccessPolicy): void {
  if (req.method !== 'GET') return refuse(res, 405, 'method not allowed', { Allow: 'GET' });
  const session = checkSession(req, policy);
  if (!session.ok) return refuse(res, session.status, session.reason);
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

/**
 * The built renderer. The page's first load carries the token in its URL;
 * when it is right, the answer sets the session cookie (and the page then
 * takes the token out of its address bar).
 */
function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
  files: Map<string, StaticFile>,
  policy: AccessPolicy,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  const file = lookupStatic(files, target.path);
  if (!file) return refuse(res, 404, 'not found');
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Content-Length': file.body.length };
  if (pageTokenMatches(target.query.get('token'), policy)) headers['Set-Cookie'] = sessionCookie(policy);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
