// Malformed input, by the thousand, at a real web-mode server (the app
// service on a temp folder), from 127.0.0.1 only. Deterministic: one seeded
// generator makes every case, and the counts are fixed. What it checks: each
// request gets a 4xx or is closed, each frame gets an answer or a close code
// (never "internal error"), the clients that were connected all along stay
// connected, and afterwards real calls still round-trip.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../shared/ipc/wire';
import { AppService } from '../service/app-service';
import { startWebServer, type WebServer } from './server';
import {
  callOver,
  openSocket,
  parseServerFrames,
  rawSocket,
  sendAndEnd,
  sessionCookie,
  statusOf,
  tcp,
  upgradeRequest,
  wsFrame,
} from './web-test-kit';

const SEED = 0x5eed_2026;
const HTTP_CASES = 1500;
const SOCKET_CASES = 1500;
/** Cases in flight at once: well under the server's connection limit (64), with the steady clients. */
const CONCURRENCY = 32;
/**
 * Each case sends its bytes and ends its side, as a client that has said all
 * it will; the server must then answer and close within this time (it is
 * generous because the machine may be busy: a case that takes it has hung).
 */
const CLOSE_WITHIN_MS = 5000;

/** mulberry32: a small seeded generator, so a failing case can be made again. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const printable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  return { next, int, pick, bytes, printable, chance: (p: number) => next() < p };
}

const TOKEN = 'fuzz-token';
let dir: string;
let service: AppService;
let server: WebServer;
let cookie: string;
let host: string;
let origin: string;
const steady: WebSocket[] = [];
const steadyClosed: number[] = [];
const reported: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-fuzz-'));
  // A root, so that no call the fuzzer makes can open a folder outside the temp folder.
  service = new AppService({ mode: 'web', version: 'fuzz', dataDir: join(dir, 'data'), root: dir });
  await service.start();
  await service['collections.create']({ name: 'fuzz' });
  await service['keys.put']({ collection: 'fuzz', key: 'k', value: 'v' });
  server = await startWebServer({
    api: service,
    transfers: service.transfers,
    subscribe: (l) => service.subscribe(l),
    files: new Map([['/index.html', { body: Buffer.from('<!doctype html>'), type: 'text/html' }]]),
    token: TOKEN,
    port: 0,
    report: (m) => reported.push(m),
  });
  host = `127.0.0.1:${server.port}`;
  origin = `http://${host}`;
  cookie = await sessionCookie(server.port, TOKEN);
  for (let i = 0; i < 3; i++) {
    const ws = await openSocket(server.port, { Origin: origin, Cookie: cookie });
    ws.on('close', (code) => steadyClosed.push(code));
    steady.push(ws);
  }
});
after(async () => {
  for (const ws of steady) ws.close();
  await server.close();
  await service.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** Makes `count` cases in order (so the generator's sequence is fixed) and runs them, CONCURRENCY at a time. */
async function runCases<T>(count: number, make: () => () => Promise<T>): Promise<T[]> {
  const cases = Array.from({ length: count }, make);
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await cases[i]!();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

const tally = (outcomes: string[]) =>
  [...outcomes.reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<string, number>())]
    .sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${o}: ${n}`)
    .join(', ');

// --- HTTP ------------------------------------------------------------------

type Rand = ReturnType<typeof generator>;

const TARGETS = (r: Rand) => [
  '//[/',
  '//a:b/',
  '//x:99999/',
  '/',
  '/ws',
  '/session',
  '/index.html?token=' + r.printable(8),
  `/transfer/download/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}?ticket=${r.printable(10)}`,
  `/transfer/upload/${'f'.repeat(8)}-ffff-ffff-ffff-${'f'.repeat(12)}`,
  '*',
  'http://evil.example/',
  '127.0.0.1:80',
  '/%',
  '/%zz%',
  '/' + 'a'.repeat(r.int(20_000)),
  '/\u00ff\u00fe',
  '/..\\..\\etc\\passwd',
  '/' + r.printable(r.int(40)),
  r.printable(r.int(20)),
  '',
];
const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'get', 'G ET', 'GETT', '', '\u0000GET'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'http/1.1', '', 'HTTP/1.1 extra'];

function badHeaders(r: Rand): string[] {
  const cases = [
    [`Host: ${host}`, `Host: evil.example`],
    [],
    [`Host: ${'h'.repeat(r.int(30_000))}`],
    [`Host: ${host}`, `X-Big: ${'x'.repeat(16_000 + r.int(20_000))}`],
    [`Host: ${host}`, ...Array.from({ length: 100 + r.int(2000) }, (_, i) => `X-${i}: ${r.printable(r.int(50))}`)],
    [`Host: ${host}`, 'no colon here'],
    [`Host: ${host}`, 'Bad Name: x'],
    [`Host: ${host}`, 'X-Folded: a', ' continued'],
    [`Host: ${host}`, 'Content-Length: -1'],
    [`Host: ${host}`, 'Content-Length: abc'],
    [`Host: ${host}`, 'Content-Length: 5', 'Content-Length: 6'],
    [`Host: ${host}`, 'Content-Length: 3', 'Transfer-Encoding: chunked'],
    [`Host: ${host}`, 'Transfer-Encoding: chunked'],
    [`Host: ${host}`, `Cookie: ${r.printable(r.int(8000))}`],
    [`Host: ${host}`, `Cookie: strata-session-${server.port}=${r.printable(43)}`, `Cookie: a=b`],
    [`Host: ${host}`, `Origin: ${origin}`, 'Origin: http://evil.example'],
    [`Host: ${host}`, `X-Strata-Token: ${TOKEN}`, `X-Strata-Token: ${TOKEN}`],
    [`Host: ${host}`, 'X-Nul: a\u0000b'],
    [`Host: ${host}:${r.int(100_000)}`],
  ];
  return r.pick(cases);
}

function httpCase(r: Rand): { kind: string; bytes: Buffer } {
  const kind = r.pick(['request line', 'headers', 'upgrade', 'truncated', 'garbage', 'body'] as const);
  switch (kind) {
    case 'request line': {
      const line = `${r.pick(METHODS)} ${r.pick(TARGETS(r))} ${r.pick(VERSIONS)}`;
      const ending = r.pick(['\r\n', '\n', '\r', '']);
      return { kind, bytes: Buffer.from(`${line}${ending}Host: ${host}${ending}${ending}`, 'latin1') };
    }
    case 'headers':
      return {
        kind,
        bytes: Buffer.from(`GET ${r.pick(['/', '/session', '/ws'])} HTTP/1.1\r\n${badHeaders(r).join('\r\n')}\r\n\r\n`, 'latin1'),
      };
    case 'upgrade': {
      const mutations: Record<string, string>[] = [
        { 'Sec-WebSocket-Key': '' },
        { 'Sec-WebSocket-Key': r.printable(r.int(40)) },
        { 'Sec-WebSocket-Version': r.pick(['8', '99', 'x', '']) },
        { Upgrade: r.pick(['foo', 'websocket2', '']) },
        { Connection: 'keep-alive' },
        { Origin: 'http://evil.example' },
        { Cookie: `strata-session-${server.port}=${r.printable(43)}` },
        { Host: r.pick(['evil.example', '', `${host}, ${host}`]) },
        {},
      ];
      const path = r.pick(['/ws', '/', '//[/', '//a:b/', '//x:99999/', '/ws?token=' + TOKEN, '*']);
      const auth: Record<string, string> = r.chance(0.5) ? { Cookie: cookie } : {};
      let request = upgradeRequest(server.port, { ...auth, ...r.pick(mutations) }, path);
      if (r.chance(0.2)) request = request.replace('GET', r.pick(['POST', 'PUT', 'HEAD']));
      const tail = r.chance(0.3) ? r.bytes(r.int(64)) : Buffer.alloc(0);
      return { kind, bytes: Buffer.concat([Buffer.from(request, 'latin1'), tail]) };
    }
    case 'truncated': {
      const whole = r.chance(0.5) ? `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n` : upgradeRequest(server.port, { Cookie: cookie });
      return { kind, bytes: Buffer.from(whole.slice(0, r.int(whole.length)), 'latin1') };
    }
    case 'body': {
      const path = r.pick(['/', '/session', `/transfer/upload/${'f'.repeat(8)}-ffff-ffff-ffff-${'f'.repeat(12)}`]);
      const body = r.bytes(r.int(2000));
      const length = r.pick([String(body.length), String(body.length + 10), '0', String(r.int(1e6))]);
      return {
        kind,
        bytes: Buffer.concat([
          Buffer.from(
            `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\nCookie: ${cookie}\r\nContent-Length: ${length}\r\n\r\n`,
          ),
          body,
        ]),
      };
    }
    case 'garbage':
      return { kind, bytes: r.bytes(r.int(4096)) };
  }
}

// --- frames ------------------------------------------------------------------

/** Operations the fuzzer may call with well-formed arguments: they read, or write only inside the temp folder. */
const SAFE_OPS = [
  'app.info',
  'collections.list',
  'collections.checkName',
  'keys.get',
  'keys.page',
  'keys.count',
  'collections.stats',
  'lsm.history',
  'lsm.explainGet',
];
const OTHER_OPS = [
  'keys.put',
  'keys.delete',
  'folder.open',
  'jobs.workload',
  'collections.drop',
  'transfer.beginDownload',
  '__proto__',
  'constructor',
  'toString',
  '',
  'keys.put ',
  'x'.repeat(500),
];

function randomJson(r: Rand, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e300]);
    case 2:
      return r.chance(0.5);
    case 3:
      return r.printable(r.int(r.chance(0.05) ? 100_000 : 30));
    case 4:
      return r.pick(['fuzz', 'k', '', '\u0000', '\ud800', 'é🙂']);
    case 5:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [
          r.pick(['name', 'collection', 'key', 'filter', 'limit', 'reverse', 'max', 'path', '__proto__', r.printable(5)]),
          randomJson(r, depth + 1),
        ]),
      );
  }
}

/** A call object: a safe operation with plausible arguments, or anything with arguments that cannot validate. */
function randomCall(r: Rand): Record<string, unknown> {
  const id = r.pick([r.int(1000), -1, 1.5, 2 ** 60, '7', null, undefined, 1e308]);
  if (r.chance(0.6)) {
    const op = r.pick(SAFE_OPS);
    const args = r.chance(0.5)
      ? {
          collection: r.pick(['fuzz', 'nope', '']),
          name: 'fuzz',
          key: r.pick(['k', '', 'x'.repeat(70_000)]),
          filter: r.chance(0.5) ? {} : randomJson(r),
          reverse: false,
          limit: r.pick([1, 0, 5000]),
          max: 10,
        }
      : randomJson(r);
    return { id, op, args };
  }
  // Arguments of the wrong shape: a number, an array or a bare string never passes any schema with fields.
  return { id, op: r.pick(OTHER_OPS), args: r.pick([42, [1, 2], 'str']) };
}

function socketCase(r: Rand): { kind: string; bytes: Buffer } {
  const mask = r.bytes(4);
  const frame = (opcode: number, payload: Buffer, options: Parameters<typeof wsFrame>[2] = {}) =>
    wsFrame(opcode, payload, { mask, ...options });
  const kind = r.pick([
    'bad json',
    'call',
    'binary',
    'opcode',
    'reserved bits',
    'unmasked',
    'fragments',
    'control',
    'bad utf-8',
    'too big',
    'truncated',
  ] as const);
  switch (kind) {
    case 'bad json':
      return {
        kind,
        bytes: frame(
          1,
          Buffer.from(r.pick(['{', 'not json', '{"id":1,', '[]', 'null', '"s"', '1', '{"id":1}{}', r.printable(r.int(200))])),
        ),
      };
    case 'call': {
      const calls = Array.from({ length: 1 + r.int(3) }, () => frame(1, Buffer.from(JSON.stringify(randomCall(r)) ?? 'null')));
      return { kind, bytes: Buffer.concat(calls) };
    }
    case 'binary': {
      const header = Buffer.from(JSON.stringify(randomCall(r)) ?? '');
      const declared = r.pick([header.length, 0, header.length + 5, 0xffffffff, 2 * 1024 * 1024]);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(declared);
      const body = r.chance(0.5) ? Buffer.from('é🙂 body') : r.bytes(r.int(100));
      const payload = r.chance(0.2) ? r.bytes(r.int(40)) : Buffer.concat([prefix, header, body]);
      return { kind, bytes: frame(2, payload) };
    }
    case 'opcode':
      return { kind, bytes: frame(r.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), r.bytes(r.int(20))) };
    case 'reserved bits':
      return { kind, bytes: frame(1, Buffer.from('{"id":1,"op":"app.info"}'), { rsv: 1 + r.int(7) }) };
    case 'unmasked':
      return { kind, bytes: frame(1, Buffer.from('{"id":1,"op":"app.info"}'), { masked: false }) };
    case 'fragments': {
      const call = Buffer.from(JSON.stringify({ id: 5, op: 'app.info', args: {} }));
      const cut = 1 + r.int(call.length - 1);
      const variants = [
        Buffer.concat([frame(1, call.subarray(0, cut), { fin: false }), frame(0, call.subarray(cut))]), // well formed
        frame(0, call), // a continuation with nothing to continue
        Buffer.concat([frame(1, call.subarray(0, cut), { fin: false }), frame(1, call.subarray(cut))]), // a new message mid-message
        Buffer.concat([frame(1, call.subarray(0, cut), { fin: false }), frame(9, Buffer.from('ping')), frame(0, call.subarray(cut))]), // a ping between fragments is allowed
      ];
      return { kind, bytes: r.pick(variants) };
    }
    case 'control': {
      const closeCode = Buffer.alloc(2);
      closeCode.writeUInt16BE(r.pick([0, 999, 1000, 1004, 1005, 1006, 1015, 2999, 3000, 4999, 5000, 65535]));
      const variants = [
        frame(9, r.bytes(r.int(125))),
        frame(10, r.bytes(r.int(125))),
        frame(9, r.bytes(126 + r.int(200))),
        frame(9, Buffer.from('x'), { fin: false }),
        frame(8, Buffer.from([3])),
        frame(8, closeCode),
        frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from([0xc3, 0x28])])),
      ];
      return { kind, bytes: r.pick(variants) };
    }
    case 'bad utf-8':
      return {
        kind,
        bytes: frame(
          1,
          Buffer.concat([
            Buffer.from('{"id":1,"op":"'),
            r.pick([
              Buffer.from([0xc3, 0x28]),
              Buffer.from([0xed, 0xa0, 0x80]),
              Buffer.from([0xff]),
              Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
            ]),
            Buffer.from('"}'),
          ]),
        ),
      };
    case 'too big':
      return { kind, bytes: frame(r.pick([1, 2]), Buffer.alloc(0), { declaredLength: MAX_FRAME_BYTES + 1 + r.int(1e9) }) };
    case 'truncated': {
      const whole = frame(1, Buffer.from(JSON.stringify({ id: 1, op: 'app.info', args: {} })));
      return { kind, bytes: whole.subarray(0, 1 + r.int(whole.length - 1)) };
    }
  }
}

/** How the server answered one socket case: its close code, or that it answered, ponged, or only closed. */
async function socketOutcome(bytes: Buffer): Promise<{ outcome: string; bad?: string }> {
  const { answer, hung } = await sendAndEnd(await rawSocket(server.port, { Cookie: cookie }), bytes, CLOSE_WITHIN_MS);
  if (hung) return { outcome: 'hung', bad: 'the server did not close the socket' };
  const frames = parseServerFrames(answer);
  for (const f of frames.filter((f) => f.opcode === 1)) {
    let reply;
    try {
      reply = JSON.parse(f.payload.toString());
    } catch {
      return { outcome: 'unreadable reply', bad: f.payload.toString() };
    }
    if (!('id' in reply) && !('push' in reply)) return { outcome: 'odd reply', bad: f.payload.toString() };
    if (reply.ok === false && reply.error?.code === 'INTERNAL') return { outcome: 'internal', bad: f.payload.toString() };
  }
  const close = frames.find((f) => f.opcode === 8);
  if (close) {
    const code = close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
    return { outcome: `close ${code}`, bad: code === 1011 ? `internal error: ${close.payload.subarray(2)}` : undefined };
  }
  return {
    outcome: frames.some((f) => f.opcode === 1 || f.opcode === 2) ? 'answered' : frames.some((f) => f.opcode === 10) ? 'pong' : 'closed',
  };
}

describe('web mode under malformed input', () => {
  it(`answers ${HTTP_CASES} malformed HTTP requests with a 4xx or a close, never a 5xx`, async (t) => {
    const r = generator(SEED);
    const results = await runCases(HTTP_CASES, () => {
      const { kind, bytes } = httpCase(r);
      return async () => {
        const { answer, hung } = await sendAndEnd(await tcp(server.port), bytes, CLOSE_WITHIN_MS);
        const status = statusOf(answer);
        const outcome = hung ? 'hung' : status === undefined ? (answer.length === 0 ? 'closed' : 'unparsed answer') : String(status);
        return { kind, outcome, bytes };
      };
    });
    const failures = results.filter((x) => Number(x.outcome) >= 500 || x.outcome === 'unparsed answer' || x.outcome === 'hung');
    t.diagnostic(`HTTP cases: ${tally(results.map((x) => x.kind))}`);
    t.diagnostic(`HTTP outcomes: ${tally(results.map((x) => x.outcome))}`);
    assert.deepEqual(
      failures.slice(0, 3).map((x) => [x.kind, x.outcome, x.bytes.subarray(0, 200).toString('latin1')]),
      [],
    );
    assert.ok(
      results.some((x) => x.outcome.startsWith('4')),
      'the cases reach the request handler, not just the parser',
    );
  });

  it(`answers or closes with a code ${SOCKET_CASES} sockets of malformed frames from authenticated clients`, async (t) => {
    const r = generator(SEED + 1);
    const results = await runCases(SOCKET_CASES, () => {
      const { kind, bytes } = socketCase(r);
      return async () => ({ kind, ...(await socketOutcome(bytes)), bytes });
    });
    t.diagnostic(`frame cases: ${tally(results.map((x) => x.kind))}`);
    t.diagnostic(`frame outcomes: ${tally(results.map((x) => x.outcome))}`);
    const failures = results.filter((x) => x.bad !== undefined);
    assert.deepEqual(
      failures.slice(0, 3).map((x) => [x.kind, x.outcome, x.bad, x.bytes.subarray(0, 80).toString('hex')]),
      [],
    );
    // Each way a frame can be wrong has its own close code (RFC 6455 7.4.1).
    for (const code of ['close 1002', 'close 1003', 'close 1007', 'close 1009']) {
      assert.ok(
        results.some((x) => x.outcome === code),
        `some case closed with ${code}`,
      );
    }
  });

  it('still serves afterwards: no steady client was disconnected, each still round-trips real calls, and new clients connect', async () => {
    assert.deepEqual(steadyClosed, []);
    for (const [i, ws] of steady.entries()) {
      const put = await callOver(ws, 1000 + i, 'keys.put', { collection: 'fuzz', key: `after-${i}`, value: `v${i}` });
      assert.equal(put.ok, true, JSON.stringify(put));
      const got = await callOver(ws, 2000 + i, 'keys.get', { collection: 'fuzz', key: `after-${i}` });
      assert.equal(got.result?.value, `v${i}`);
    }
    const fresh = await openSocket(server.port, { Origin: origin, Cookie: cookie });
    assert.equal((await callOver(fresh, 1, 'collections.list', {})).result[0].name, 'fuzz');
    fresh.close();
    assert.deepEqual(reported, [], 'no request or frame was a server failure');
  });
});
