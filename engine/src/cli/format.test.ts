import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { tempDir } from '../testing/temp-dir.js';
import { formatStats } from './format.js';

const dir = tempDir('strata-cli-format');
after(dir.cleanup);

test('STATS names each WAL the last open cut at a torn tail, with where and how much was kept', async () => {
  const m = new StorageManager({ baseDataPath: join(dir.path, 'm') });
  await m.createCollection('t');
  const stats = (await m.useCollection('t')).stats();
  await m.closeAll();
  assert.equal(formatStats(stats).filter((l) => l.startsWith('Torn WAL')).length, 0, 'nothing to report after a clean open');
  const torn = {
    ...stats,
    recovery: { tornWals: [{ path: '/data/t/000007.log', keptRecords: 1234, cutAt: 160_412, fileBytes: 1_048_576 }], lostFiles: [] },
  };
  const line = formatStats(torn).find((l) => l.startsWith('Torn WAL'));
  assert.match(line ?? '', /\/data\/t\/000007\.log: cut at byte 160,412 of 1,048,576, 1,234 record\(s\) kept/);
});

test('STATS names each file the last open set aside in lost/, where it went and why, and a torn manifest', async () => {
  const m = new StorageManager({ baseDataPath: join(dir.path, 'lost') });
  await m.createCollection('t');
  const stats = (await m.useCollection('t')).stats();
  await m.closeAll();
  assert.equal(
    formatStats(stats).filter((l) => /^(Set aside|Torn manifest|Replay stopped)/.test(l)).length,
    0,
    'nothing to report after a clean open',
  );
  const recovery = {
    tornWals: [],
    lostFiles: [{ file: '000012.sst', movedTo: 'lost/000012.sst', reason: 'table not in the manifest, holding 3 key(s) newer' }],
    tornManifest: { path: '/data/t/MANIFEST-000009', cutAt: 1_200, fileBytes: 1_250 },
    gap: {
      lastSequence: 41_200,
      wal: '000014.log',
      reason: '000014.log: its first write has sequence 41250, but the writes before it end at 41200',
    },
  };
  const lines = formatStats({ ...stats, recovery });
  assert.match(
    lines.find((l) => l.startsWith('Set aside')) ?? '',
    /000012\.sst -> lost\/000012\.sst: table not in the manifest, holding 3 key\(s\) newer/,
  );
  assert.match(
    lines.find((l) => l.startsWith('Torn manifest')) ?? '',
    /MANIFEST-000009: an unfinished last edit dropped at byte 1,200 of 1,250/,
  );
  assert.match(
    lines.find((l) => l.startsWith('Replay stopped')) ?? '',
    /at sequence 41,200 \(point-in-time recovery\): 000014\.log: its first write has sequence 41250/,
  );
});
