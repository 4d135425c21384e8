#!/usr/bin/env node
// Imports 1,000,000 NDJSON records (16-byte keys, 100-byte values, as db_bench)
// into a fresh collection and reports the peak RSS, to show that an import's
// memory is bounded by its batch, not by the file. Not a test.
// Usage: node bench/import-memory.mjs [--num N]   (after npm run build)
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StorageManager, importCollection } from '../dist/index.js';

const { values: args } = parseArgs({ options: { num: { type: 'string', default: '1000000' } } });
const num = Number(args.num);
const dir = mkdtempSync(join(tmpdir(), 'strata-import-memory-'));
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

try {
  // Written in pieces, so the file never sits in memory.
  const file = join(dir, 'records.ndjson');
  const out = createWriteStream(file);
  const value = 'v'.repeat(100);
  for (let i = 0; i < num; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(num, i + 1000); j++)
      chunk += `{"key":"${String((j * 2654435761) % 4294967296).padStart(16, '0')}","value":"${value}"}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const fileBytes = statSync(file).size;

  const manager = new StorageManager({ baseDataPath: join(dir, 'data') });
  await manager.createCollection('bench');
  const collection = await manager.useCollection('bench');
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const result = await importCollection(collection, file, { onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await manager.closeAll();

  console.log(
    `imported ${result.entries.toLocaleString('en-US')} records (${mib(fileBytes)} of NDJSON) in ${seconds.toFixed(1)} s: ${Math.round(result.entries / seconds).toLocaleString('en-US')} records/s`,
  );
  console.log(
    `RSS before the import ${mib(before)}, peak during it ${mib(peak)} (sampled every 20 ms); process max RSS ${mib(process.resourceUsage().maxRSS * 1024)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
