#!/usr/bin/env node
// Sustained-load check (not a test): N random 16-byte keys with 100-byte
// values, awaited one at a time at full speed, with compaction running in its
// worker process. Reports throughput, put latency percentiles, the main
// thread's event-loop delay, write amplification and peak RSS of both
// processes.   Usage: node scripts/load-speed.mjs [--num N]   (after npm run build)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StorageManager } from '../dist/index.js';

const numArg = process.argv.indexOf('--num');
const N = numArg > 0 ? Number(process.argv[numArg + 1]) : 2_000_000;
const dir = mkdtempSync(join(tmpdir(), 'strata-load-'));
const value = 'v'.repeat(100);
let seed = 42;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
const key = () => rand().toString(16).padStart(8, '0') + rand().toString(16).padStart(8, '0');

const peakOf = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return NaN;
  }
};
const mib = (b) => `${(b / 1048576).toFixed(0)} MiB`;

try {
  const manager = new StorageManager({ baseDataPath: dir });
  await manager.createCollection('load');
  const c = await manager.useCollection('load');
  let workerPeak = 0;
  const sampleWorker = () => {
    const pid = c.stats().compaction.workerPid;
    if (pid) workerPeak = Math.max(workerPeak, peakOf(pid));
  };
  c.on('compaction-end', sampleWorker);
  const latencies = new Float64Array(N);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await c.put(key(), value);
    latencies[i] = performance.now() - t;
  }
  const secs = (performance.now() - start) / 1000;
  loop.disable();
  sampleWorker();
  const s = c.stats();
  latencies.sort();
  const pct = (p) => latencies[Math.min(N - 1, Math.floor((p / 100) * N))].toFixed(3);
  console.log(
    `random awaited puts     ${N.toLocaleString('en-US')} in ${secs.toFixed(1)} s = ${Math.round(N / secs).toLocaleString('en-US')} ops/s`,
  );
  console.log(`put latency (ms)        p50 ${pct(50)}  p99 ${pct(99)}  p99.9 ${pct(99.9)}  max ${latencies[N - 1].toFixed(1)}`);
  console.log(`event-loop delay        max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
  console.log(
    `write amplification     ${s.totals.writeAmplification.toFixed(2)} (${s.totals.flushes} flushes, ${s.totals.compactions} compactions)`,
  );
  console.log(`stalls                  ${s.stalls.count}, ${s.stalls.totalMs.toFixed(0)} ms in total`);
  console.log(
    `levels                  ${s.levels
      .map((l) => `L${l.level} ${l.fileCount} files/${mib(l.bytes)}`)
      .filter((x) => !x.includes(' 0 files'))
      .join(', ')}`,
  );
  console.log(`peak RSS                main ${mib(process.resourceUsage().maxRSS * 1024)}, compaction worker ${mib(workerPeak)}`);
  await manager.closeAll();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
