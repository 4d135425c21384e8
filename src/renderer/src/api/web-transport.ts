import type { Operation } from '../../../shared/ipc/operations';
import type { PushEvent } from '../../../shared/ipc/types';
import {
  BODY_FIELDS,
  BODY_MIN_CHARS,
  decodeBody,
  encodeBodyFrame,
  MAX_FRAME_BYTES,
  SESSION_PATH,
  SOCKET_PATH,
  splitBodyFrame,
  type Envelope,
  type WireReply,
} from '../../../shared/ipc/wire';
import type { Transport } from './client';

/**
 * The access token arrives once, in the address the server printed. The
 * server answered that first load with an HttpOnly session cookie, so the
 * token is no longer needed here: it leaves the address bar (and with it
 * screenshots, bookmarks and shared links). True when there was one.
 */
export function dropTokenFromAddress(): boolean {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('token')) return false;
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.toString());
  return true;
}

/**
 * Whether this page has a session with the server. The cookie is HttpOnly,
 * so only the server can tell; undefined when the server did not answer.
 */
export async function checkSession(): Promise<boolean | undefined> {
  try {
    const response = await fetch(SESSION_PATH, { cache: 'no-store' });
    return response.ok;
  } catch {
    return undefined;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * Web mode's transport: one WebSocket, calls matched to replies by id,
 * reconnecting with backoff. The socket authenticates with the session
 * cookie (the browser sends it; the server also checks Origin and Host).
 * Calls made while disconnected wait for the connection; calls in flight
 * when it drops fail with a clear error rather than hang.
 */
export function webTransport(onState: (state: ConnectionState, detail?: string) => void): Transport {
  const listeners = new Set<(event: PushEvent) => void>();
  const pending = new Map<number, (envelope: Envelope) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  // Calls made while (re)connecting wait here; every successful open releases them,
  // so a call made during a failed attempt is not stuck on that attempt.
  let waiting: ((ws: WebSocket) => void)[] = [];
  let retryMs = 250;

  const connect = (): void => {
    onState('connecting');
    const url = new URL(SOCKET_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = 250;
      onState('open');
      const released = waiting;
      waiting = [];
      for (const release of released) release(ws);
    });
    ws.addEventListener('message', (message) => {
      let reply: WireReply;
      try {
        reply =
          typeof message.data === 'string'
            ? (JSON.parse(message.data) as WireReply)
            : replyFromFrame(new Uint8Array(message.data as ArrayBuffer));
      } catch (err) {
        // The server sent something this page cannot read: start over on a fresh connection.
        ws.close(4000, `unreadable message from the server: ${(err as Error).message}`.slice(0, 120));
        return;
      }
      if ('push' in reply) {
        for (const listener of listeners) listener(reply.push);
        return;
      }
      const settle = pending.get(reply.id);
      pending.delete(reply.id);
      settle?.(reply);
    });
    ws.addEventListener('close', (event) => {
      for (const [id, settle] of pending) {
        settle({
          ok: false,
          error: { code: 'DISCONNECTED', message: 'lost the connection to the Strata server before it answered', operation: String(id) },
        });
      }
      pending.clear();
      onState('closed', event.reason || (event.code === 1006 ? 'the server refused or dropped the connection' : `closed (${event.code})`));
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  };
  connect();

  return {
    call: async (op, args) => {
      const id = nextId++;
      const frame = frameFor(id, op, args);
      if (frame === 'too large') {
        return {
          ok: false,
          error: {
            code: 'TOO_LARGE',
            message: `this request is larger than the ${MAX_FRAME_BYTES} bytes the server takes in one message`,
            operation: op,
          },
        };
      }
      const ws = socket?.readyState === WebSocket.OPEN ? socket : await new Promise<WebSocket>((resolve) => waiting.push(resolve));
      return new Promise<Envelope>((resolve) => {
        pending.set(id, (envelope) => resolve(envelope.ok ? envelope : { ok: false, error: { ...envelope.error, operation: op } }));
        ws.send(frame);
      });
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * A call as the server takes it (wire.ts): its big string, where the contract
 * allows one, as the raw UTF-8 tail of a binary frame (a Blob: the browser
 * encodes the text itself, with no copy here); anything else as JSON text.
 */
function frameFor(id: number, op: string, args: unknown): string | Blob | 'too large' {
  const field = BODY_FIELDS[op as Operation]?.arg;
  const fields = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : undefined;
  const text = field !== undefined ? fields?.[field] : undefined;
  // A lone surrogate has no UTF-8: such a value goes as JSON, and the server says what is wrong with it.
  if (field !== undefined && typeof text === 'string' && text.length >= BODY_MIN_CHARS && text.isWellFormed()) {
    const { [field]: _body, ...rest } = fields!;
    const [head, body] = encodeBodyFrame({ id, op, args: rest, body: field }, text);
    return new Blob([head as BlobPart, body]);
  }
  const json = JSON.stringify({ id, op, args });
  // Three bytes of UTF-8 per UTF-16 unit at most: only a call that long can be too big to send.
  if (json.length * 3 > MAX_FRAME_BYTES && new Blob([json]).size > MAX_FRAME_BYTES) return 'too large';
  return json;
}

/** A reply whose big string came as a binary frame's body, put back where it belongs. */
function replyFromFrame(frame: Uint8Array): WireReply {
  const { header, body } = splitBodyFrame(frame);
  const reply = header as { id: number; ok: true; result: Record<string, unknown>; body: string };
  return { id: reply.id, ok: true, result: { ...reply.result, [reply.body]: decodeBody(body) } };
}
