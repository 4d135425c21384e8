import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchRecordSize, encodeBatchRecordAt } from '../log/write-batch.js';
import { DROP_UNSYNCED, PowerCutFileSystem } from '../testing/power-cut-fs.js';
import { walFileName } from '../version/file-names.js';
import { putOp } from './validate.js';
import { replayWals } from './wal-replay.js';

const DIR = '/c';

/** A disk whose collection directory holds WALs with batches of puts: [firstSequence, count][] per WAL number. */
async function disk(wals: Record<number, [first: number, count: number][]>, tornAt?: { wal: number; extra: number }) {
  const fs = new PowerCutFileSystem({ dirs: [DIR] });
  for (const [number, batches] of Object.entries(wals)) {
    const file = fs.create(`${DIR}/${walFileName(Number(number))}`);
    for (const [first, count] of batches) {
      const ops = Array.from({ length: count }, (_, i) => putOp(`k${first + i}`, `v${first + i}`));
      const buf = Buffer.alloc(batchRecordSize(ops, first, undefined));
      encodeBatchRecordAt(ops, first, undefined, buf, 0);
      file.append(buf);
    }
    if (tornAt?.wal === Number(number)) file.append(Buffer.alloc(tornAt.extra, 0x5a)); // half a record
    await file.close();
  }
  await fs.syncDir(DIR);
  return fs;
}

const numbers = (fs: PowerCutFileSystem) =>
  fs.readdir(DIR).then((n) =>
    n
      .filter((x) => x.endsWith('.log'))
      .map((x) => Number(x.slice(0, 6)))
      .sort((a, b) => a - b),
  );
const keys = (r: Awaited<ReturnType<typeof replayWals>>) =>
  r.memtables.flatMap((m) => [...m.entries()].map((e) => e.key)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));

describe('WAL replay stops at the first gap (point-in-time recovery)', () => {
  test('logs that continue each other are replayed whole, empty ones skipped', async () => {
    const fs = await disk({
      5: [
        [11, 2],
        [13, 1],
      ],
      6: [],
      7: [[14, 3]],
    });
    const r = await replayWals(fs, DIR, await numbers(fs), 10);
    assert.deepEqual(keys(r), ['k11', 'k12', 'k13', 'k14', 'k15', 'k16']);
    assert.equal(r.lastSequence, 16);
    assert.equal(r.memtables.length, 3, 'every log stays live, the empty one too');
    assert.equal(r.gap, undefined);
    assert.deepEqual(r.lostFiles, []);
  });

  test('a log that does not continue the one before is a gap: it and every later log go to lost/, with the reason', async () => {
    const fs = await disk({ 5: [[11, 2]], 6: [[20, 1]], 7: [], 8: [[21, 1]] });
    const r = await replayWals(fs, DIR, await numbers(fs), 10);
    assert.deepEqual(keys(r), ['k11', 'k12']);
    assert.deepEqual(r.gap, {
      lastSequence: 12,
      wal: '000006.log',
      reason: '000006.log: its first write has sequence 20, but the writes before it end at 12',
    });
    assert.deepEqual(
      r.lostFiles.map((f) => f.movedTo),
      ['lost/000006.log', 'lost/000007.log', 'lost/000008.log'],
    );
    assert.match(r.lostFiles[0].reason, /recovery stopped at sequence 12 \(point-in-time recovery\)/);
    assert.match(r.lostFiles[1].reason, /comes after 000006.log/);
    assert.deepEqual(await numbers(fs), [5]);
    assert.deepEqual((await fs.readdir(`${DIR}/lost`)).sort(), ['000006.log', '000007.log', '000008.log']);
  });

  test('the first log must not start after the tables end; it may start earlier (after a recovery the manifest records the end of the logs it replayed)', async () => {
    const late = await disk({ 5: [[15, 1]] });
    const r1 = await replayWals(late, DIR, await numbers(late), 10);
    assert.equal(r1.gap?.wal, '000005.log', 'writes 11-14 are missing before it');
    assert.deepEqual(keys(r1), []);
    const early = await disk({ 5: [[8, 3]], 6: [[11, 1]] });
    const r2 = await replayWals(early, DIR, await numbers(early), 10);
    assert.equal(r2.gap, undefined);
    assert.deepEqual(keys(r2), ['k8', 'k9', 'k10', 'k11']);
  });

  test('a jump the manifest vouches for is no gap: a recovery that set files aside raised the last sequence, and new writes started above it', async () => {
    // An earlier recovery replayed log 5 (writes 11-12), set aside a file holding writes up
    // to 30, and wrote a manifest whose last sequence is 30; new writes went to log 6 from 31.
    const vouched = await disk({ 5: [[11, 2]], 6: [[31, 2]], 7: [[33, 1]] });
    const r1 = await replayWals(vouched, DIR, await numbers(vouched), 30);
    assert.equal(r1.gap, undefined);
    assert.deepEqual(keys(r1), ['k11', 'k12', 'k31', 'k32', 'k33']);
    assert.equal(r1.lastSequence, 33);
    // Past what the manifest vouches for, a jump is still a gap, and so is one inside a log.
    const beyond = await disk({ 5: [[11, 2]], 6: [[32, 1]] });
    const r2 = await replayWals(beyond, DIR, await numbers(beyond), 30);
    assert.equal(r2.gap?.wal, '000006.log');
    assert.equal(r2.highestSetAside, 32, 'new writes start above what was set aside');
  });

  test('a torn tail followed by a log that continues from the cut is no gap; followed by one that jumps, it is', async () => {
    const cont = await disk({ 5: [[11, 2]], 6: [[13, 1]] }, { wal: 5, extra: 7 });
    const r1 = await replayWals(cont, DIR, await numbers(cont), 10);
    assert.equal(r1.gap, undefined);
    assert.equal(r1.tornWals.length, 1);
    assert.deepEqual(keys(r1), ['k11', 'k12', 'k13']);
    const jump = await disk({ 5: [[11, 2]], 6: [[16, 1]] }, { wal: 5, extra: 7 });
    const r2 = await replayWals(jump, DIR, await numbers(jump), 10);
    assert.equal(r2.gap?.lastSequence, 12);
    assert.deepEqual(keys(r2), ['k11', 'k12']);
  });

  test('a batch that does not continue the sequence inside a log ends that log like a torn tail', async () => {
    const fs = await disk({
      5: [
        [11, 2],
        [20, 1],
      ],
      6: [[13, 1]],
    });
    const r = await replayWals(fs, DIR, await numbers(fs), 10);
    assert.deepEqual(keys(r), ['k11', 'k12', 'k13']);
    assert.equal(r.tornWals.length, 1);
    assert.equal(r.tornWals[0].keptRecords, 1);
    assert.equal(r.gap, undefined);
  });

  test('every log replayed is fsynced: a power cut after the replay keeps what it read', async () => {
    const fs = new PowerCutFileSystem({ dirs: [DIR] });
    const file = fs.create(`${DIR}/${walFileName(5)}`);
    await fs.syncDir(DIR);
    const ops = [putOp('k11', 'v11')];
    const buf = Buffer.alloc(batchRecordSize(ops, 11, undefined));
    encodeBatchRecordAt(ops, 11, undefined, buf, 0);
    file.append(buf); // in the page cache only, as a crashed process leaves it
    assert.equal(fs.crashImage(DROP_UNSYNCED).files.get(`${DIR}/000005.log`)?.length, 0);
    await replayWals(fs, DIR, [5], 10);
    assert.equal(fs.crashImage(DROP_UNSYNCED).files.get(`${DIR}/000005.log`)?.length, buf.length);
  });
});
