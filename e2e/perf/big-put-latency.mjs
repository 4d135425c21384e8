#!/usr/bin/env node
// How a maximal put (64 MiB) treats everyone else (not a test: it prints
// numbers). Starts web mode on a temp folder, connects two WebSocket clients
// and, per run:
//   - client A writes one 64 MiB value with keys.put (--wire binary: the
//     value as the raw UTF-8 tail of a binary frame, as the page sends it;
//     --wire text: the whole call as one JSON text frame). A runs in a worker
//     thread and builds its frame before the run starts, so its own work
//     (encoding, masking) does not hold up B's event loop;
//   - client B meanwhile makes small keys.get round trips, one after another,
//     and records each one's latency, from A's first byte until 1 s after A's
//     put was acknowledged (the flush of that value lands in that window);
//   - the server's resident memory is sampled from /proc every 10 ms; its
//     peak (VmHWM) and the idle figure before the first put are printed.
//
//   npm run build && node --import tsx e2e/perf/big-put-latency.mjs [--runs 3] [--wire binary|text]
//        [--value ascii|text|control] [--mib 64] [--server out/main/web.js] [--verbose]
//
// --value ascii is 'x' repeated; text is mixed prose with quotes, newlines and
// non-Latin-1 characters (a two-byte string in V8, and escapes in JSON);
// control is \u0001 repeated (JSON's worst case: 6 bytes a character, which
// only the binary frame can carry at 64 MiB). --server runs another build of
// web mode (e.g. a copy of an older out/main/web.js). --verbose also prints
// B's five slowest calls, with when each started (ms after A began sending).
// STRATA_PERF_NODE_ARGS passes flags to the server's node (e.g. --cpu-prof).
// Linux only (/proc).
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { arg, startServer, stopServer } from './perf-kit.mjs';

const AFTER_MS = 1000;

function bigValue(kind, bytes) {
  if (kind === 'ascii') return 'x'.repeat(bytes);
  if (kind === 'control') return '\u0001'.repeat(bytes);
  // "é" and "—" are 2 and 3 bytes of UTF-8: fill by bytes, not characters.
  const unit = 'Line "one" — é\n';
  const unitBytes = Buffer.byteLength(unit);
  return unit.repeat(Math.floor(bytes / unitBytes)) + 'x'.repeat(bytes % unitBytes);
}

/** A contract client over one WebSocket; `token` in the header, as programs other than the page authenticate. */
async function connect(origin, token) {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { Origin: origin, 'X-Strata-Token': token }, maxPayload: 0 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket refused: ${res.statusCode}`)));
  });
  let next = 1;
  const pending = new Map();
  ws.on('message', (data, isBinary) => {
    // A binary reply's header is the reply without its big string (wire.ts); the string itself is not needed here.
    const reply = isBinary ? JSON.parse(data.subarray(4, 4 + data.readUInt32BE(0)).toString()) : JSON.parse(String(data));
    if ('push' in reply) return;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const settle = (id) =>
    new Promise((resolve, reject) =>
      pending.set(id, (r) => (r.ok ? resolve(r.result) : reject(new Error(`${r.error.code}: ${r.error.message}`)))),
    );
  // A server that refuses a frame closes the socket (1009: too big): every call still waiting fails with that.
  ws.on('close', (code, reason) => {
    for (const settleOne of pending.values()) settleOne({ ok: false, error: { code: `closed ${code}`, message: String(reason) } });
    pending.clear();
  });
  return {
    call(op, args) {
      const id = next++;
      const done = settle(id);
      ws.send(JSON.stringify({ id, op, args }));
      return done;
    },
    /** A call sent as a frame made beforehand (`frame(id)` → what to send). */
    async sendPrepared(frame) {
      const bytes = frame();
      const id =
        bytes[0] === 0x7b
          ? JSON.parse(bytes.subarray(0, bytes.indexOf(0x2c)).toString() + '}').id
          : JSON.parse(bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString()).id;
      const done = settle(id);
      ws.send(bytes, { binary: bytes[0] !== 0x7b });
      return done;
    },
    close: () => ws.close(),
  };
}

if (!isMainThread) {
  // Client A: sends each run's frame, built beforehand by the main thread, when told.
  const { origin, token } = workerData;
  const a = await connect(origin, token);
  parentPort.on('message', async ({ frame }) => {
    try {
      // The frame's id is 1_000_000 + run, so it cannot clash with this client's own count.
      await a.sendPrepared(() => Buffer.from(frame));
      parentPort.postMessage({ done: true });
    } catch (err) {
      parentPort.postMessage({ failed: err.message });
    }
  });
  parentPort.postMessage({ connected: true });
} else {
  const RUNS = Number(arg('runs', '3'));
  const WIRE = arg('wire', 'binary');
  const VALUE = arg('value', 'ascii');
  const MIB = Number(arg('mib', '64'));
  const SERVER = arg('server', 'out/main/web.js');
  const VERBOSE = process.argv.includes('--verbose');

  /** The process's resident memory now and at its peak (0 once it has exited). */
  const memory = (pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  };
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
  const ms = (n) => `${n.toFixed(1)} ms`;
  const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;

  const dir = mkdtempSync(join(tmpdir(), 'strata-bigput-'));
  const { child, url, output } = await startServer(join(dir, 'data'), SERVER);
  child.once('exit', (code, signal) => {
    console.error(`the server exited (${code ?? signal}):\n${output()}`);
    process.exit(1);
  });
  let writer;
  try {
    const token = url.searchParams.get('token');
    const b = await connect(url.origin, token);
    await b.call('collections.create', { name: 'big' });
    await b.call('collections.create', { name: 'small' });
    await b.call('keys.put', { collection: 'small', key: 'probe', value: 'hello' });
    writer = new Worker(new URL(import.meta.url), { workerData: { origin: url.origin, token } });
    const { encodeBodyFrame } = await import('../../src/shared/ipc/wire.ts');
    const value = bigValue(VALUE, MIB * 1024 * 1024);
    /** Run `run`'s put as the bytes of one frame: a text frame's JSON, or a binary frame. */
    const frameFor = (run) => {
      const id = 1_000_000 + run;
      const args = { collection: 'big', key: `value-${run}` };
      if (WIRE === 'text') return Buffer.from(JSON.stringify({ id, op: 'keys.put', args: { ...args, value } }));
      const [head, body] = encodeBodyFrame({ id, op: 'keys.put', args, body: 'value' }, value);
      return Buffer.concat([head, Buffer.from(body)]);
    };
    const fromWriter = () =>
      new Promise((resolve, reject) => {
        writer.once('message', (m) => (m.failed ? reject(new Error(`A's put failed: ${m.failed}`)) : resolve(m)));
        writer.once('error', reject);
      });
    await fromWriter();
    const valueBytes = Buffer.byteLength(value);
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; wire ${WIRE}; value ${VALUE}, ${mb(valueBytes)}`,
    );
    const idle = memory(child.pid);
    console.log(`server idle: RSS ${mb(idle.rss)}`);

    // The quiet baseline: B alone.
    const quiet = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await b.call('keys.get', { collection: 'small', key: 'probe' });
      quiet.push(performance.now() - t);
    }
    quiet.sort((x, y) => x - y);
    console.log(`B alone: p50 ${ms(pct(quiet, 0.5))}, max ${ms(quiet.at(-1))}`);

    let peakRss = idle.rss;
    /** --verbose: each run's resident memory in 250 ms steps from A's first byte (the highest sample in each step). */
    let steps = [];
    let runStart = performance.now();
    const sampler = setInterval(() => {
      const rss = memory(child.pid).rss;
      peakRss = Math.max(peakRss, rss);
      const step = Math.floor((performance.now() - runStart) / 250);
      steps[step] = Math.max(steps[step] ?? 0, rss);
    }, 10);
    const all = [];
    for (let run = 1; run <= RUNS; run++) {
      const frame = frameFor(run);
      const latencies = [];
      const slowest = [];
      let stop = false;
      const started = performance.now();
      runStart = started;
      steps = [];
      const acknowledged = fromWriter();
      // Moved, not copied: the worker sends these very bytes.
      writer.postMessage({ frame: new Uint8Array(frame.buffer, frame.byteOffset, frame.length) }, [frame.buffer]);
      const prober = (async () => {
        while (!stop) {
          const t = performance.now();
          await b.call('keys.get', { collection: 'small', key: 'probe' });
          latencies.push(performance.now() - t);
          slowest.push([performance.now() - t, t - started]);
        }
      })();
      await acknowledged;
      const putMs = performance.now() - started;
      await new Promise((r) => setTimeout(r, AFTER_MS));
      stop = true;
      await prober;
      latencies.sort((x, y) => x - y);
      all.push(...latencies);
      console.log(
        `run ${run}: put acknowledged in ${ms(putMs)}; B made ${latencies.length} calls: p50 ${ms(pct(latencies, 0.5))}, p99 ${ms(pct(latencies, 0.99))}, max ${ms(latencies.at(-1))}`,
      );
      if (VERBOSE) {
        const top = slowest.sort((x, y) => y[0] - x[0]).slice(0, 5);
        console.log(`  slowest: ${top.map(([l, at]) => `${ms(l)} at ${at.toFixed(0)}`).join(', ')}`);
        console.log(
          `  RSS MB per 250 ms (put acknowledged in step ${Math.floor(putMs / 250)}): ${Array.from(steps, (v) => (v ? Math.round(v / 1e6) : '-')).join(' ')}`,
        );
      }
    }
    clearInterval(sampler);
    all.sort((x, y) => x - y);
    const end = memory(child.pid);
    console.log(`all runs: B p50 ${ms(pct(all, 0.5))}, p99 ${ms(pct(all, 0.99))}, max ${ms(all.at(-1))}`);
    console.log(`server RSS: idle ${mb(idle.rss)}, sampled peak ${mb(peakRss)}, VmHWM ${mb(end.hwm)}`);
    const back = await b.call('keys.get', { collection: 'big', key: `value-${RUNS}`, full: false });
    if (back.valueBytes !== valueBytes) throw new Error(`read back ${back.valueBytes} bytes, wrote ${valueBytes}`);
    b.close();
  } finally {
    await writer?.terminate();
    child.removeAllListeners('exit');
    await stopServer(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
