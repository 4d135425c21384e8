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
  const torn = { ...stats, recovery: { tornWals: [{ path: '/data/t/000007.log', keptRecords: 1234, cutAt: 160_412, fileBytes: 1_048_576 }], lostFiles: [] } };
  const line = formatStats(torn).find((l) => l.startsWith('Torn WAL'));
  assert.match(line ?? '', /\/data\/t\/000007\.log: cut at byte 160,412 of 1,048,576, 1,234 record\(s\) kept/);
});
