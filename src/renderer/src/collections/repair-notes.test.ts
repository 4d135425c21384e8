/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableNote, walNote } from './repair-notes';

const wal = { file: '000007.log', recordsKept: 3, operationsKept: 5, minSequence: 1, maxSequence: 5, dropped: [], writtenAs: null };

test('each table outcome says what happened to the file and where it went', () => {
  assert.equal(
    tableNote({ file: '000001.sst', outcome: 'kept', entries: 10, damaged: [], writtenAs: null }),
    'verified whole, listed as it is',
  );
  const damaged = [
    { offset: 4096, bytes: 512, reason: 'checksum mismatch in data block at offset 4096' },
    { offset: 9000, bytes: 10, reason: 'x' },
  ];
  assert.equal(
    tableNote({ file: '000002.sst', outcome: 'salvaged', entries: 9, damaged, writtenAs: '000012.sst' }),
    'damaged at offset 4,096: checksum mismatch in data block at offset 4096 (and 1 more); intact blocks rewritten into 000012.sst, the file moved to lost/',
  );
  assert.match(
    tableNote({ file: '000003.sst', outcome: 'lost', entries: 0, damaged, writtenAs: null }),
    /nothing readable, moved to lost\/$/,
  );
  assert.match(tableNote({ file: '000004.sst', outcome: 'obsolete', entries: 3, damaged: [], writtenAs: null }), /compacted away earlier/);
});

test('each WAL outcome says how many writes were kept, where they went, and what was dropped', () => {
  assert.equal(walNote({ ...wal, outcome: 'converted', writtenAs: '000013.sst' }), '5 write(s) written into 000013.sst');
  assert.equal(
    walNote({
      ...wal,
      outcome: 'converted',
      writtenAs: '000013.sst',
      dropped: [{ offset: 120, bytes: 40, reason: 'no intact record here' }],
    }),
    '5 write(s) written into 000013.sst; damaged at offset 120: no intact record here, moved to lost/',
  );
  assert.equal(walNote({ ...wal, operationsKept: 0, recordsKept: 0, outcome: 'empty' }), 'empty');
  assert.match(walNote({ ...wal, outcome: 'obsolete' }), /already flushed/);
});
