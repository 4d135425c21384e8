/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GetExplanation } from '../../../shared/model/lookup';
import { probedTables, readCost, resultText, stepText } from './trace';

const e: GetExplanation = {
  key: 'k5',
  result: 'value',
  value: 'v',
  sequence: 7,
  foundIn: { source: 'table', level: 1, id: 12 },
  lastSequence: 9,
  steps: [
    { step: 'memtable', memtable: 'active', index: 0, walNumber: 3, entries: 10, outcome: 'miss', sequence: null },
    { step: 'level', level: 0, files: 2, outcome: 'every-file', id: null },
    {
      step: 'table',
      level: 0,
      id: 14,
      minKey: 'k7',
      maxKey: 'k9',
      outcome: 'skipped-key-range',
      bloom: null,
      block: null,
      sequence: null,
    },
    {
      step: 'table',
      level: 0,
      id: 13,
      minKey: 'k0',
      maxKey: 'k9',
      outcome: 'skipped-bloom',
      bloom: 'absent',
      block: null,
      sequence: null,
    },
    { step: 'level', level: 1, files: 3, outcome: 'file', id: 12 },
    {
      step: 'table',
      level: 1,
      id: 12,
      minKey: 'k0',
      maxKey: 'k6',
      outcome: 'value',
      bloom: 'may-contain',
      block: { index: 0, offset: 0, bytes: 4000, source: 'disk' },
      sequence: 7,
    },
  ],
  counters: { memtablesChecked: 1, tablesConsidered: 3, keyRangeSkips: 1, bloomSkips: 1, blocksRead: 1, blockCacheHits: 0 },
};

test('the tables a get touched are marked with what happened there', () => {
  assert.deepEqual(
    [...probedTables(e)],
    [
      [14, 'skipped-key-range'],
      [13, 'skipped-bloom'],
      [12, 'value'],
    ],
  );
});

test('texts name the result, the cost and each step', () => {
  assert.match(resultText(e), /table #12 on L1/);
  assert.match(readCost(e), /3 tables considered · 1 skipped by key range · 1 by bloom filter · 1 searched · 1 block read/);
  assert.match(stepText(e.steps[5]!), /found the value · block 0 \(4000 B at 0\) from disk/);
  assert.match(stepText(e.steps[1]!), /2 overlapping tables/);
  assert.match(resultText({ ...e, result: 'absent', foundIn: null }), /Absent/);
});
