// What the web server's tests share: raw TCP exchanges (for requests no
// HTTP client would send), a session cookie from the page's first load, and
// WebSocket clients that speak the contract. Not a test file itself.
import { request } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export function httpRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes `bytes` on a fresh TCP connection and collects what comes back
 * until the server closes, or nothing more came for `idleMs`. Resolves with
 * what arrived (empty when the server just closed).
 */
export function rawExchange(port: number, bytes: string | Buffer, idleMs = 300): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(finish, idleMs);
    };
    socket.on('connect', () => {
      socket.write(bytes);
      idle();
    });
    socket.on('data', (d) => {
      chunks.push(d);
      idle();
    });
    socket.on('close', finish);
    // A reset from the server ends the exchange like a close does.
    socket.on('error', () => {});
  });
}

/**
 * Writes `bytes` on `socket` and ends the sending side, as a client that has
 * said all it will; resolves with all that came back once the server closed,
 * or `hung: true` when it had not closed after `limitMs`.
 */
export function sendAndEnd(socket: Socket, bytes: Buffer, limitMs = 5000): Promise<{ answer: Buffer; hung: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks), hung: true });
    }, limitMs);
    socket.on('data', (d) => chunks.push(d));
    // A reset from the server ends the exchange like a close does.
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks), hung: false });
    });
    socket.resume();
    socket.end(bytes);
  });
}

/** A TCP connection to the server. */
export function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The HTTP status at the start of a raw answer, or undefined when there was none. */
export function statusOf(answer: Buffer): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(answer.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** The session cookie ("name=value") that the page's first load with the right token sets. */
export async function sessionCookie(port: number, token: string): Promise<string> {
  const page = await httpRequest(port, 'GET', `/?token=${encodeURIComponent(token)}`, { Host: `127.0.0.1:${port}` });
  const setCookie = page.headers['set-cookie']?.[0];
  if (!setCookie) throw new Error(`the page set no cookie (status ${page.status})`);
  return setCookie.split(';')[0]!;
}

/** Resolves with the open socket, or rejects with the HTTP status the server refused the upgrade with. */
export function openSocket(port: number, headers: Record<string, string>, path = '/ws'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, maxPayload: 0 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends one call as a JSON text frame and resolves with its reply (pushes and other replies are skipped). */
export function callOver(ws: WebSocket, id: number, op: string, args: unknown): Promise<any> {
  const reply = replyTo(ws, id);
  ws.send(JSON.stringify({ id, op, args }));
  return reply;
}

/** The reply to call `id` once it arrives, text or binary (a binary one as { binary: Buffer }). */
export function replyTo(ws: WebSocket, id: number): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const length = data.readUInt32BE(0);
        const header = JSON.parse(data.subarray(4, 4 + length).toString('utf8'));
        if (header.id !== id) return;
        ws.off('message', onMessage);
        resolve({ ...header, binary: data.subarray(4 + length) });
        return;
      }
      const reply = JSON.parse(data.toString());
      if (reply.id === id) {
        ws.off('message', onMessage);
        resolve(reply);
      }
    };
    ws.on('message', onMessage);
  });
}

/** Resolves with the close code and reason once the socket closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/**
 * One WebSocket frame as a client would write it (masked unless told not
 * to), or a deliberately wrong one: any opcode, reserved bits, a length
 * field that disagrees with the payload, no mask.
 */
export function wsFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; rsv?: number; masked?: boolean; mask?: Buffer; declaredLength?: number } = {},
): Buffer {
  const { fin = true, rsv = 0, masked = true, mask = Buffer.from([0x12, 0x34, 0x56, 0x78]) } = options;
  const length = options.declaredLength ?? payload.length;
  const first = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  let head: Buffer;
  if (length < 126) head = Buffer.from([first, (masked ? 0x80 : 0) | length]);
  else if (length < 65536) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = (masked ? 0x80 : 0) | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = (masked ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/** The request line and headers of a WebSocket upgrade to `path`. */
export function upgradeRequest(port: number, headers: Record<string, string>, path = '/ws'): string {
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Origin: `http://127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** An upgraded raw TCP socket (after the server's 101), paused, for clients that misbehave below what the ws library allows. */
export function rawSocket(port: number, headers: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(upgradeRequest(port, headers)));
    let answer = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      answer = Buffer.concat([answer, d]);
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (statusOf(answer) !== 101) return reject(new Error(`upgrade refused: ${answer.toString('latin1').split('\r\n')[0]}`));
      // Paused, so that frames that came with the 101 wait for the caller (who resumes it) instead of going to no listener.
      socket.pause();
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/** Splits what a server sent (unmasked frames) into frames; a torn last frame is left out. */
export function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const fin = (bytes[at]! & 0x80) !== 0;
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let head = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + length > bytes.length) break;
    frames.push({ opcode, fin, payload: bytes.subarray(at + head, at + head + length) });
    at += head + length;
  }
  return frames;
}
