/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecoveryReport } from '../../../shared/model/recovery';
import { recoveryNotice } from './recovery-notice';

const clean: RecoveryReport = { tornWals: [], lostFiles: [], tornManifest: null, gap: null };
const torn = { path: '/d/t/000007.log', keptRecords: 12, cutAt: 400, fileBytes: 4096 };
const lostFile = (n: number) => ({ file: `00000${n}.sst`, movedTo: `lost/00000${n}.sst`, reason: `reason ${n}` });

test('says nothing after a clean open', () => {
  assert.equal(recoveryNotice('t', clean), null);
});

test('a torn WAL alone: recovered after a crash, with the records kept', () => {
  const n = recoveryNotice('t', { ...clean, tornWals: [torn] });
  assert.equal(n?.title, '"t" recovered after a crash');
  assert.match(n!.message, /1 write-ahead log\(s\) ended in a torn write and were cut there \(12 record\(s\) kept\)/);
});

test('every cut and every file set aside is in the message: torn WAL, torn manifest, each lost file with its reason', () => {
  const n = recoveryNotice('t', {
    ...clean,
    tornWals: [torn],
    lostFiles: [lostFile(1), lostFile(2)],
    tornManifest: { path: '/d/t/MANIFEST-000003', cutAt: 10, fileBytes: 20 },
  });
  assert.equal(n?.title, '"t" opened with files set aside');
  assert.match(n!.message, /torn write/);
  assert.match(n!.message, /unfinished edit, which was dropped/);
  assert.match(n!.message, /2 file\(s\) could not be used and were moved to the lost\/ folder/);
  assert.match(n!.message, /000001\.sst: reason 1\. 000002\.sst: reason 2\./);
});

test('many lost files: the first few by name, the rest counted', () => {
  const n = recoveryNotice('t', { ...clean, lostFiles: [1, 2, 3, 4, 5].map(lostFile) });
  assert.match(n!.message, /5 file\(s\)/);
  assert.match(n!.message, /000003\.sst: reason 3\. And 2 more\./);
  assert.doesNotMatch(n!.message, /000004/);
});

test('a gap in the logs says where the collection was restored to and why nothing confirmed as synced is missing', () => {
  const lostWal = { file: '000014.log', movedTo: 'lost/000014.log', reason: 'not replayed' };
  const n = recoveryNotice('t', { ...clean, lostFiles: [lostWal], gap: { lastSequence: 41_200, wal: '000014.log', reason: 'r' } });
  assert.match(n!.message, /Writes were lost before 000014\.log .* restored as of sequence 41,200, with no hole/);
  assert.match(n!.message, /000014\.log: not replayed\./);
});
