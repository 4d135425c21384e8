#!/usr/bin/env node
// Engine speed check (not a test): N sequential awaited puts of 16-byte keys
// and 100-byte values, then N random awaited gets, on a fresh temp directory.
// Usage: node scripts/speed.mjs [--num N]   (run `npm run build` first)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StorageManager } from '../dist/index.js';

const numArg = process.argv.indexOf('--num');
const N = numArg > 0 ? Number(process.argv[numArg + 1]) : 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'strata-speed-'));
const key = (i) => String(i).padStart(16, '0');
const value = 'v'.repeat(100);

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
try {
  const manager = new StorageManager({ baseDataPath: dir });
  await manager.createCollection('bench');
  const c = await manager.useCollection('bench');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let t = performance.now();
  for (let i = 0; i < N; i++) await c.put(key(i), value);
  const putSecs = (performance.now() - t) / 1000;
  loop.disable();
  await c.flush();
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % N;
  t = performance.now();
  let found = 0;
  for (let i = 0; i < N; i++) if ((await c.get(key(rand()))) !== undefined) found++;
  const getSecs = (performance.now() - t) / 1000;
  const s = c.stats();
  await manager.closeAll();
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`entries                 ${fmt(N)} (16-byte keys, 100-byte values)`);
  console.log(`sequential awaited put  ${fmt(N / putSecs)} ops/s`);
  console.log(`random awaited get      ${fmt(N / getSecs)} ops/s (${found === N ? 'all found' : `${N - found} MISSING`})`);
  console.log(`event-loop delay (puts) max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
  console.log(`L0 tables               ${s.levels[0].fileCount}, flushed ${fmt(s.totals.bytesFlushed / 1048576)} MiB`);
  console.log(`peak RSS                ${fmt(peakRss / 1048576)} MiB`);
  if (found !== N) process.exitCode = 1;
} finally {
  clearInterval(rssTimer);
  rmSync(dir, { recursive: true, force: true });
}
