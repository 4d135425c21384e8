#!/usr/bin/env node
// Runs every workload against one store in this process, so the driver can
// read this process's peak RSS as that store's alone, and prints the results
// as JSON on the last line of stdout (progress goes to stderr).
// With --step, it prints {"ready": name} before each piece of a workload
// (see CHUNKS in workloads.mjs) and waits for a line on stdin to run it, then
// prints {"piece": name} or, after the last piece, {"result": …}: so the
// driver can run the two stores piece by piece, each while the other sits
// idle. Only the pieces are timed.
// Usage: node --expose-gc bench/run-store.mjs --store strata|classic [--num N] [--dir DIR] [--only a,b] [--step]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHistogram } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { prng, selectWorkloads } from './workloads.mjs';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    num: { type: 'string', default: '1000000' },
    dir: { type: 'string' },
    only: { type: 'string' },
    step: { type: 'boolean', default: false },
  },
});
const N = Number(args.num);
if (!Number.isInteger(N) || N < 1) throw new Error(`--num must be a positive integer, got ${args.num}`);

const SYNC = { sync: true };

async function openStrata(dir) {
  const { StorageManager } = await import('../dist/index.js');
  const manager = new StorageManager({ baseDataPath: dir });
  await manager.createCollection('bench');
  const c = await manager.useCollection('bench');
  return {
    put: (k, v, sync) => c.put(k, v, sync ? SYNC : undefined),
    get: (k) => c.get(k),
    del: (k) => c.delete(k),
    batch: (ops) => c.batch(ops),
    // nextv is the scan's fastest public way to read a range, as for classic-level below.
    async scan(range) {
      const it = c.scan(range);
      let n = 0;
      try {
        for (let entries = await it.nextv(1000); entries.length > 0; entries = await it.nextv(1000)) n += entries.length;
      } finally {
        await it.return();
      }
      return n;
    },
    // The natural resting state an application would see: no compaction
    // running or due, and no memtable waiting for flush.
    async settle() {
      // The same as classic-level's settle below (compactRange over all keys):
      // a full manual compaction, then wait until background work is idle.
      await c.compact();
      const deadline = Date.now() + 10 * 60_000;
      for (;;) {
        const s = c.stats();
        if (s.compaction.running === undefined && s.compaction.pendingBytes === 0 && s.immutableMemtables.length === 0) return;
        if (Date.now() > deadline) throw new Error(`compaction did not settle (last error: ${s.compaction.lastError})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    writeAmplification: () => c.stats().totals.writeAmplification,
    workerPid: () => c.stats().compaction.workerPid,
    close: () => manager.closeAll(),
  };
}

async function openClassic(dir) {
  const { ClassicLevel } = await import('classic-level');
  const db = new ClassicLevel(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  return {
    put: (k, v, sync) => db.put(k, v, sync ? SYNC : undefined),
    get: (k) => db.get(k),
    del: (k) => db.del(k),
    batch: (ops) => db.batch(ops),
    // nextv is classic-level's fastest way to read a range: one native call per chunk.
    async scan(range) {
      const it = db.iterator(range);
      const limit = range.limit ?? Infinity;
      let n = 0;
      try {
        while (n < limit) {
          const entries = await it.nextv(Math.min(1000, limit - n));
          if (entries.length === 0) break;
          n += entries.length;
        }
      } finally {
        await it.close();
      }
      return n;
    },
    // LevelDB says nothing about when its background compaction is idle, so
    // compact everything instead: if anything, that favours classic-level's reads.
    settle: () => db.compactRange('', '\uffff'),
    close: () => db.close(),
  };
}

const open = { strata: openStrata, classic: openClassic }[args.store];
if (!open) throw new Error(`--store must be strata or classic, got ${args.store}`);

/** Bytes allocated on disk under `dir`, as du counts them. */
function diskUsage(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = lstatSync(join(dir, name));
    total += st.isDirectory() ? diskUsage(join(dir, name)) : st.blocks * 512;
  }
  return total;
}

/** Peak RSS of another process (Strata's compaction worker), from /proc. */
function peakRssOf(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

let base;
if (args.dir) mkdirSync((base = args.dir), { recursive: true });
else base = mkdtempSync(join(tmpdir(), `strata-bench-${args.store}-`));
const cleanUp = () => rmSync(base, { recursive: true, force: true, maxRetries: 5 });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (cleanUp(), process.exit(130)));

/** With --step: announces the next piece of a workload and resolves when the driver says go (a line on stdin). */
const stdinLines = args.step ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;
async function waitForGo(name) {
  if (stdinLines === undefined) return;
  console.log(JSON.stringify({ ready: name }));
  const { done } = await stdinLines.next();
  if (done) throw new Error('the driver closed stdin before the last workload');
}

/**
 * Event-loop delay over the timed pieces only: how late a 10 ms interval
 * timer fires, as monitorEventLoopDelay measures it. That monitor cannot be
 * paused between pieces (re-enabled, it records the whole pause as one
 * delay) nor merged, so the pieces record into one histogram here.
 */
function delayRecorder() {
  const histogram = createHistogram();
  let timer;
  return {
    histogram,
    start() {
      let expected = performance.now() + 10;
      timer = setInterval(() => {
        const now = performance.now();
        histogram.record(Math.max(1, Math.round((now - expected) * 1e6)));
        expected = now + 10;
      }, 10);
    },
    stop: () => clearInterval(timer),
  };
}

const seedOf = (name) => [...name].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261);
const results = [];
let main;
let current;
let workerPeak = 0;
const sampleWorker = () => {
  const pid = current?.workerPid?.();
  if (pid) workerPeak = Math.max(workerPeak, peakRssOf(pid));
};
const workerSampler = setInterval(sampleWorker, 200);

try {
  for (const w of selectWorkloads(args.only)) {
    await waitForGo(w.name);
    const dir = join(base, w.store === 'fresh' ? w.name : 'main');
    const db = (current = w.store === 'fresh' ? await open(dir) : (main ??= await open(dir)));
    globalThis.gc?.();
    // Write back what earlier workloads left dirty (and the removal of their
    // directories), untimed: otherwise the journal commit that the first
    // fsyncs of this workload force carries the last workload's bytes too.
    execFileSync('sync');
    const loop = delayRecorder();
    const pieces = w.run(db, N, prng(seedOf(w.name)));
    let seconds = 0;
    let ops;
    for (let first = true; ; first = false) {
      if (!first) await waitForGo(w.name);
      loop.start();
      const start = performance.now();
      const step = await pieces.next();
      seconds += (performance.now() - start) / 1000;
      loop.stop();
      if (step.done) {
        ops = step.value;
        break;
      }
      if (args.step) console.log(JSON.stringify({ piece: w.name }));
    }
    const r = {
      name: w.name,
      ops,
      seconds,
      opsPerSec: ops / seconds,
      eventLoopDelayMs: { max: loop.histogram.max / 1e6, p99: loop.histogram.percentile(99) / 1e6 },
    };
    if (w.settle) {
      await db.settle();
      r.diskBytes = diskUsage(dir);
      r.writeAmplification = db.writeAmplification?.();
    }
    if (w.store === 'fresh') {
      sampleWorker();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // Peak so far: where it jumps shows which workload drives memory.
    r.peakRssBytesSoFar = process.resourceUsage().maxRSS * 1024;
    results.push(r);
    // Progress first: once the driver has the result, it freezes this process.
    process.stderr.write(
      `  ${args.store.padEnd(8)} ${w.name.padEnd(13)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(11)} ops/s\n`,
    );
    if (args.step) console.log(JSON.stringify({ result: r }));
  }
  sampleWorker();
  await main?.close();
} finally {
  clearInterval(workerSampler);
  if (args.step) process.stdin.destroy();
  cleanUp();
}

const require = createRequire(import.meta.url);
const pkg = args.store === 'strata' ? '../package.json' : 'classic-level/package.json';
console.log(
  JSON.stringify({
    store: args.store,
    version: require(pkg).version,
    num: N,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(args.store === 'strata' && { workerPeakRssBytes: workerPeak }),
    workloads: results,
  }),
);
