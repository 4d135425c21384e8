import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { StrataApi } from '../../shared/ipc/contract';
import { OPERATIONS } from '../../shared/ipc/operations';
import type { PushEvent } from '../../shared/ipc/types';
import { BODY_MIN_CHARS, encodeBodyFrame, MAX_FRAME_BYTES } from '../../shared/ipc/wire';
import { MAX_CONNECTIONS, MAX_INFLIGHT_CALLS, MAX_SOCKETS, SEND_HIGH_WATER } from './limits';
import { startWebServer, type WebServer } from './server';
import type { StaticFile } from './static-files';
import {
  callOver,
  closed,
  httpRequest,
  openSocket,
  parseServerFrames,
  rawExchange,
  rawSocket,
  replyTo,
  sessionCookie,
  statusOf,
  upgradeRequest,
  wsFrame,
} from './web-test-kit';

const TOKEN = 'secret-token-123';
const files = new Map<string, StaticFile>([
  ['/index.html', { body: Buffer.from('<!doctype html><title>Strata</title>'), type: 'text/html; charset=utf-8' }],
  ['/assets/app.js', { body: Buffer.from('console.log(1)'), type: 'text/javascript; charset=utf-8' }],
]);
const listeners = new Set<(e: PushEvent) => void>();
const publish = (event: PushEvent) => {
  for (const l of listeners) l(event);
};
/** Every call the service double received, in the order they started. */
const started: { op: string; args: any }[] = [];
/** keys.get answers from here: a big value comes back as a binary frame. */
const values = new Map<string, string>();
const api = Object.fromEntries(
  OPERATIONS.map((op) => [
    op,
    async (args: any) => {
      started.push({ op, args });
      if (op === 'keys.get') {
        const value = values.get(args.key);
        return value === undefined ? null : { key: args.key, value, valueBytes: Buffer.byteLength(value), truncated: false };
      }
      if (op === 'keys.put') return null;
      return { op, args };
    },
  ]),
) as unknown as StrataApi;

let server: WebServer;
let origin: string;
let host: string;
let cookie: string;
const reported: string[] = [];
before(async () => {
  server = await startWebServer({
    api,
    files,
    token: TOKEN,
    port: 0,
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    report: (m) => reported.push(m),
  });
  origin = `http://127.0.0.1:${server.port}`;
  host = `127.0.0.1:${server.port}`;
  cookie = await sessionCookie(server.port, TOKEN);
});
after(async () => {
  await server.close();
  assert.deepEqual(reported, [], 'nothing the clients sent is a server failure');
});

const get = (path: string, headers: Record<string, string> = {}) => httpRequest(server.port, 'GET', path, { Host: host, ...headers });
const connect = (headers: Record<string, string> = {}) => openSocket(server.port, { Origin: origin, Cookie: cookie, ...headers });
const tick = () => new Promise((r) => setTimeout(r, 10));
async function until(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

describe('web mode server: reach', () => {
  it('is bound to 127.0.0.1 only, and prints that address with the token', async () => {
    assert.equal(server.address.address, '127.0.0.1');
    assert.equal(server.address.family, 'IPv4');
    assert.equal(server.url, `http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    // Where this machine has another address, nothing answers on it.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (other) {
      const refused = await new Promise<string>((resolve) => {
        const s = tcpConnect(server.port, other.address);
        s.once('connect', () => (s.destroy(), resolve('connected')));
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      assert.equal(refused, 'ECONNREFUSED', `port ${server.port} on ${other.address}`);
    }
  });

  it('serves the built renderer with security headers', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Strata<\/title>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal((await get('/assets/app.js')).status, 200);
  });

  it('never serves anything outside the build folder', async () => {
    for (const path of [
      '/../package.json',
      '/..%2f..%2fetc%2fpasswd',
      '/assets/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/etc/passwd',
      '//etc/passwd',
    ]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /root:/);
    }
  });

  it('refuses requests whose Host is not this server (DNS rebinding), or that name two Hosts', async () => {
    assert.equal((await get('/', { Host: `evil.example:${server.port}` })).status, 421);
    await assert.rejects(connect({ Host: `evil.example:${server.port}` }), /refused 421/);
    const twoHosts = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`);
    assert.equal(statusOf(twoHosts), 400);
  });

  it('trades the right token in the page URL for an HttpOnly, SameSite=Strict session cookie, and nothing else for one', async () => {
    const page = await get(`/?token=${TOKEN}`);
    const setCookie = String(page.headers['set-cookie']);
    assert.match(setCookie, new RegExp(`^strata-session-${server.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    assert.ok(!setCookie.includes(TOKEN), 'the cookie is not the token');
    for (const path of ['/', '/?token=', '/?token=secret-token-124', `/assets/app.js?token=x${TOKEN}`]) {
      assert.equal((await get(path)).headers['set-cookie'], undefined, path);
    }
    assert.equal((await get('/session', { Cookie: cookie })).status, 204);
    assert.equal((await get('/session')).status, 401);
    const stale = await get('/session', { Cookie: `strata-session-${server.port}=from-an-earlier-run` });
    assert.equal(stale.status, 401);
    assert.match(stale.body, /earlier run/);
    // The token itself works only as a header, for programs; in a URL it opens nothing but the page.
    assert.equal((await get('/session', { 'X-Strata-Token': TOKEN })).status, 204);
    assert.equal((await get(`/session?token=${TOKEN}`)).status, 401);
  });

  it('refuses a socket without a session, with a wrong token, or from a foreign or missing Origin', async () => {
    await assert.rejects(openSocket(server.port, { Origin: origin }), /refused 401/);
    await assert.rejects(openSocket(server.port, { Origin: origin }, `/ws?token=${TOKEN}`), /refused 401/);
    await assert.rejects(openSocket(server.port, { Origin: origin, 'X-Strata-Token': 'secret-token-124' }), /refused 401/);
    await assert.rejects(openSocket(server.port, { Origin: origin, Cookie: `strata-session-${server.port}=guess` }), /refused 401/);
    await assert.rejects(connect({ Origin: 'http://evil.example' }), /refused 403/);
    await assert.rejects(openSocket(server.port, { Cookie: cookie }), /refused 403/);
    await assert.rejects(openSocket(server.port, { Origin: origin, Cookie: cookie }, '/other'), /refused 404/);
    // The controls: the cookie (a browser), or the token header (a program).
    (await connect()).close();
    (await openSocket(server.port, { Origin: origin, 'X-Strata-Token': TOKEN })).close();
  });
});

describe('web mode server: malformed requests', () => {
  // Each of these once made `new URL()` throw in the handler and stopped the process. They are paths that name nothing here.
  const targets = ['//[/', '//a:b/', '//x:99999/'];

  for (const target of targets) {
    it(`answers 404 to "GET ${target}" and to an upgrade to it, and goes on serving`, async () => {
      const plain = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.equal(statusOf(plain), 404, plain.toString('latin1'));
      const upgrade = await rawExchange(server.port, upgradeRequest(server.port, { Cookie: cookie }, target));
      assert.equal(statusOf(upgrade), 404, upgrade.toString('latin1'));
      assert.equal((await get('/')).status, 200);
    });
  }

  it('answers 400 to targets that are not a path', async () => {
    for (const target of ['*', 'http://127.0.0.1/', '127.0.0.1:80']) {
      assert.equal(statusOf(await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)), 400, target);
    }
  });
});

describe('web mode server: calls', () => {
  it('answers contract calls over an authorized socket, validated like IPC', async () => {
    const ws = await connect();
    try {
      const ok = await callOver(ws, 1, 'collections.open', { name: 'users' });
      assert.deepEqual(ok, { id: 1, ok: true, result: { op: 'collections.open', args: { name: 'users' } } });
      const bad = await callOver(ws, 2, 'collections.open', { name: 5 });
      assert.equal(bad.ok, false);
      assert.equal(bad.error.code, 'BAD_ARGUMENTS');
      const unknown = await callOver(ws, 3, 'fs.readFile', { path: '/etc/passwd' });
      assert.equal(unknown.error.code, 'UNKNOWN_OPERATION');
    } finally {
      ws.close();
    }
  });

  it('takes a put whose value is the raw UTF-8 tail of a binary frame, byte for byte', async () => {
    const ws = await connect();
    try {
      for (const value of ['\uFEFFstarts with a byte order mark', 'é—🙂\u0000\u0001"\\\n', '', 'x'.repeat(BODY_MIN_CHARS)]) {
        const [head, body] = encodeBodyFrame({ id: 7, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'value' }, value);
        const reply = replyTo(ws, 7);
        ws.send(Buffer.concat([head, Buffer.from(body)]));
        assert.deepEqual(await reply, { id: 7, ok: true, result: null });
        assert.equal(started.at(-1)!.args.value, value);
      }
    } finally {
      ws.close();
    }
  });

  it('answers a binary frame that is wrong in a way it can name, and keeps the client', async () => {
    const ws = await connect();
    try {
      const send = async (header: object, body: Buffer) => {
        const json = Buffer.from(JSON.stringify(header));
        const length = Buffer.alloc(4);
        length.writeUInt32BE(json.length);
        const reply = replyTo(ws, (header as { id: number }).id);
        ws.send(Buffer.concat([length, json, body]));
        return reply;
      };
      const cases: [object, Buffer, string, RegExp][] = [
        [{ id: 1, op: 'keys.page', args: {}, body: 'value' }, Buffer.from('x'), 'BAD_ARGUMENTS', /takes no binary body/],
        [{ id: 2, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'key' }, Buffer.from('x'), 'BAD_ARGUMENTS', /is its "value"/],
        [
          { id: 3, op: 'keys.put', args: { collection: 'c', key: 'k', value: 'a' }, body: 'value' },
          Buffer.from('x'),
          'BAD_ARGUMENTS',
          /both in args/,
        ],
        [
          { id: 4, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'value' },
          Buffer.from([0xc3, 0x28]),
          'BAD_ARGUMENTS',
          /not valid UTF-8/,
        ],
        [
          { id: 5, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'value' },
          Buffer.from([0xed, 0xa0, 0x80]),
          'BAD_ARGUMENTS',
          /not valid UTF-8/,
        ],
        [{ id: 6, op: 'keys.put', args: 'c', body: 'value' }, Buffer.from('x'), 'BAD_ARGUMENTS', /args must be an object/],
        [
          { id: 7, op: 'keys.put', args: { collection: 'c', key: 'k' } },
          Buffer.from('x'),
          'BAD_ARGUMENTS',
          /is its "value", not "undefined"/,
        ],
        [
          { id: 8, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'value', extra: 1 },
          Buffer.from('x'),
          'BAD_ARGUMENTS',
          /unexpected field "extra"/,
        ],
      ];
      for (const [header, body, code, message] of cases) {
        const reply = await send(header, body);
        assert.equal(reply.ok, false, JSON.stringify(header));
        assert.equal(reply.error.code, code);
        assert.match(reply.error.message, message);
      }
      const text = await callOver(ws, 9, 'collections.list', {});
      assert.equal(text.ok, true, 'the client is still served');
    } finally {
      ws.close();
    }
  });

  it('closes with a code when a frame holds no call it could answer', async () => {
    const cases: [string | Buffer, number, RegExp][] = [
      ['not json', 1003, /malformed call/],
      ['[1,2]', 1003, /not a JSON object/],
      ['{"op":"app.info"}', 1003, /"id" must be/],
      ['{"id":-1,"op":"app.info"}', 1003, /"id" must be/],
      ['{"id":1e300,"op":"app.info"}', 1003, /"id" must be/],
      ['{"id":"1","op":"app.info"}', 1003, /"id" must be/],
      [Buffer.from([0, 0]), 1003, /no header length/],
      [Buffer.from([0, 0, 0, 9, 0x7b]), 1003, /runs past/],
      [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b]), 1003, /the limit is/],
      [Buffer.from([0, 0, 0, 2, 0xc3, 0x28]), 1003, /not UTF-8 JSON/],
    ];
    for (const [data, code, reason] of cases) {
      const ws = await connect();
      const end = closed(ws);
      ws.send(data);
      const { code: got, reason: why } = await end;
      assert.equal(got, code, String(data));
      assert.match(why, reason);
    }
  });

  it('sends a big string of a reply as a binary body, and small ones as JSON', async () => {
    const big = 'é'.repeat(BODY_MIN_CHARS) + '\u0001';
    values.set('big', big);
    values.set('small', 'tiny');
    const ws = await connect();
    try {
      const reply = replyTo(ws, 1);
      ws.send(JSON.stringify({ id: 1, op: 'keys.get', args: { collection: 'c', key: 'big' } }));
      const got = await reply;
      assert.deepEqual(
        { ...got, binary: undefined },
        { id: 1, ok: true, body: 'value', result: { key: 'big', valueBytes: Buffer.byteLength(big), truncated: false }, binary: undefined },
      );
      assert.equal(got.binary.toString('utf8'), big);
      assert.deepEqual(await callOver(ws, 2, 'keys.get', { collection: 'c', key: 'small' }), {
        id: 2,
        ok: true,
        result: { key: 'small', value: 'tiny', valueBytes: 4, truncated: false },
      });
    } finally {
      ws.close();
    }
  });

  it("starts one client's calls in the order they were sent, a big frame among them", async () => {
    const ws = await connect();
    try {
      started.length = 0;
      const value = 'v'.repeat(2 * 1024 * 1024);
      const [head, body] = encodeBodyFrame({ id: 2, op: 'keys.put', args: { collection: 'c', key: 'k' }, body: 'value' }, value);
      const replies = [replyTo(ws, 1), replyTo(ws, 2), replyTo(ws, 3), replyTo(ws, 4)];
      ws.send(JSON.stringify({ id: 1, op: 'collections.list', args: {} }));
      ws.send(Buffer.concat([head, Buffer.from(body)]));
      ws.send(JSON.stringify({ id: 3, op: 'keys.get', args: { collection: 'c', key: 'k' } }));
      ws.send(JSON.stringify({ id: 4, op: 'app.info', args: {} }));
      await Promise.all(replies);
      assert.deepEqual(
        started.map((c) => c.op),
        ['collections.list', 'keys.put', 'keys.get', 'app.info'],
      );
    } finally {
      ws.close();
    }
  });

  it('takes a put of the largest legal value as one frame, and closes 1009 on a frame one byte over the limit', async () => {
    const ws = await connect();
    try {
      // The largest value, and the longest key escaped at JSON's worst (six bytes a character): the envelope's worst case.
      const value = Buffer.alloc(64 * 1024 * 1024, 'x');
      const key = '\u0001'.repeat(64 * 1024);
      const [head] = encodeBodyFrame({ id: 1, op: 'keys.put', args: { collection: 'c'.repeat(64), key }, body: 'value' }, '');
      assert.ok(head.length + value.length <= MAX_FRAME_BYTES, `${head.length + value.length} bytes`);
      const reply = replyTo(ws, 1);
      ws.send(Buffer.concat([head, value]));
      assert.deepEqual(await reply, { id: 1, ok: true, result: null });
      assert.equal(started.at(-1)!.args.value.length, value.length);
    } finally {
      ws.close();
    }
    // Over the limit: the length in the frame's header is enough for the server to refuse it.
    const socket = await rawSocket(server.port, { Cookie: cookie });
    const answer = await collect(socket, wsFrame(2, Buffer.alloc(0), { declaredLength: MAX_FRAME_BYTES + 1 }));
    const close = parseServerFrames(answer).find((f) => f.opcode === 8);
    assert.equal(close?.payload.readUInt16BE(0), 1009);
  });
});

/** Writes `bytes` on an upgraded raw socket and resolves with what came back before the server closed it. */
function collect(socket: Socket, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.resume();
    socket.write(bytes);
  });
}

describe('web mode server: limits', () => {
  it(`closes socket number ${MAX_SOCKETS + 1} with 1013 and a reason, and takes a new one once another closed`, async () => {
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < MAX_SOCKETS; i++) open.push(await connect());
      const extra = await connect();
      const { code, reason } = await closed(extra);
      assert.equal(code, 1013);
      assert.match(reason, /too many open connections/);
      // One over the limit that sends a bad frame before its close completes: an error for a socket nobody serves.
      const rude = await rawSocket(server.port, { Cookie: cookie });
      const answer = await collect(rude, wsFrame(5, Buffer.from('x')));
      assert.equal(
        parseServerFrames(answer)
          .find((f) => f.opcode === 8)
          ?.payload.readUInt16BE(0),
        1013,
      );
      const first = open.shift()!;
      first.close();
      await closed(first);
      await until('the server to see the close', () => server.connections().length < MAX_SOCKETS);
      const again = await connect();
      assert.equal((await callOver(again, 1, 'app.info', {})).ok, true);
      open.push(again);
    } finally {
      for (const ws of open) ws.close();
      await until('sockets to close', () => server.connections().length === 0);
    }
  });

  it(`answers 503 to TCP connection number ${MAX_CONNECTIONS + 1}, and serves again once some closed`, async () => {
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        idle.push(
          await new Promise<Socket>((resolve) => {
            const s = tcpConnect(server.port, '127.0.0.1', () => resolve(s));
          }),
        );
      }
      const refused = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.equal(statusOf(refused), 503);
      assert.match(refused.toString(), /too many connections/);
    } finally {
      for (const s of idle) s.destroy();
    }
    // The server sees the closes a moment later; then it serves again.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++)
      status = statusOf(await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 50)) ?? 0;
    assert.equal(status, 200);
  });

  it('pushes events to connected sockets and stops when they disconnect', async () => {
    const ws = await connect();
    const received = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    publish({ kind: 'collections-changed' });
    assert.deepEqual(await received, { push: { kind: 'collections-changed' } });
    const before = listeners.size;
    ws.close();
    await closed(ws);
    await until('the listener to go', () => listeners.size === before - 1);
  });

  it('holds, coalesced, the pushes of a client that does not read, while a client that reads gets them all', async () => {
    // A raw socket comes paused: this client reads nothing until told.
    const stalled = await rawSocket(server.port, { Cookie: cookie });
    const reader = await connect();
    try {
      const seen = new Map<string, number>();
      let count = 0;
      reader.on('message', (d) => {
        const push = JSON.parse(d.toString()).push;
        count++;
        seen.set(push.collection, push.events.at(-1).at);
      });
      const message = 'p'.repeat(1024);
      const PUSHES = 20_000;
      let peak = 0;
      for (let i = 1; i <= PUSHES; i++) {
        publish({
          kind: 'engine',
          collection: `c${i % 3}`,
          events: [{ type: 'background-error', at: i, payload: { message, code: null } }],
          stats: null,
        });
        if (i % 500 === 0) {
          await tick();
          for (const s of server.connections()) peak = Math.max(peak, s.bufferedAmount);
        }
      }
      // 20 MiB were published: the stalled client's queue stays near the high-water mark, and what waits is one push per collection.
      assert.ok(peak <= SEND_HIGH_WATER + 64 * 1024, `peak buffered ${peak} bytes`);
      const stalledStats = server.connections().find((s) => s.pendingPushes > 0);
      assert.ok(stalledStats, 'the stalled client has pushes waiting');
      assert.equal(stalledStats.pendingPushes, 3);
      assert.ok(stalledStats.droppedEngineEvents > 0);
      await until('the reader to get every push', () => count === PUSHES, 20_000);
      // The last three pushes went to c0, c1, c2 (i % 3 for i = 19998, 19999, 20000).
      assert.deepEqual([...seen.entries()].sort(), [
        ['c0', PUSHES - 2],
        ['c1', PUSHES - 1],
        ['c2', PUSHES],
      ]);

      // Once it reads again, the stalled client gets the newest events of each collection.
      const newest = new Map<string, number>();
      let buffered = Buffer.alloc(0);
      stalled.on('data', (d: Buffer) => {
        buffered = Buffer.concat([buffered, d]);
        const frames = parseServerFrames(buffered);
        for (const f of frames) {
          const push = JSON.parse(f.payload.toString()).push;
          newest.set(push.collection, push.events.at(-1).at);
        }
      });
      stalled.resume();
      await until(
        'the stalled client to catch up',
        () => newest.get('c0') === PUSHES - 2 && newest.get('c1') === PUSHES - 1 && newest.get('c2') === PUSHES,
        20_000,
      );
    } finally {
      stalled.destroy();
      reader.close();
      await until('sockets to close', () => server.connections().length === 0);
    }
  });

  it('stops reading the calls of a client that does not read its replies', async () => {
    const stalled = await rawSocket(server.port, { Cookie: cookie });
    try {
      // Each reply carries 256 KiB: 64 MiB of replies if every call were answered.
      values.set('quarter', 'q'.repeat(256 * 1024));
      const call = (id: number) => JSON.stringify({ id, op: 'keys.get', args: { collection: 'c', key: 'quarter' } });
      for (let id = 1; id <= 256; id++) stalled.write(wsFrame(1, Buffer.from(call(id))));
      await until('the server to hold off', () => server.connections()[0]?.paused === true);
      await new Promise((r) => setTimeout(r, 200));
      const [stats] = server.connections();
      assert.ok(stats!.inflight <= MAX_INFLIGHT_CALLS);
      assert.ok(stats!.bufferedAmount <= SEND_HIGH_WATER + MAX_INFLIGHT_CALLS * 300 * 1024, `buffered ${stats!.bufferedAmount} bytes`);
    } finally {
      stalled.destroy();
      await until('sockets to close', () => server.connections().length === 0);
    }
  });
});
