import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanOptions } from './key-range';

test('a filter with an inclusive upper bound scans through that key', () => {
  assert.deepEqual(scanOptions({ gte: 'a', lte: 'm' }, { reverse: false }, 10), { reverse: false, gte: 'a', lte: 'm', limit: 10 });
});

test('paging forward past a cursor keeps the inclusive upper bound', () => {
  assert.deepEqual(scanOptions({ lte: 'm' }, { reverse: false, after: 'c' }), { reverse: false, lte: 'm', gt: 'c' });
});

test('a reverse jump inside an inclusive range starts at the jump key', () => {
  assert.deepEqual(scanOptions({ gte: 'a', lte: 'm' }, { reverse: true, from: 'f' }), { reverse: true, gte: 'a', lte: 'f' });
});

test('a reverse jump past an inclusive range starts at the range end, not the jump key', () => {
  assert.deepEqual(scanOptions({ lte: 'm' }, { reverse: true, from: 'z' }), { reverse: true, lte: 'm' });
});

test('a forward jump before the range start starts at the range start', () => {
  assert.deepEqual(scanOptions({ gte: 'k', lt: 'p' }, { reverse: false, from: 'b' }), { reverse: false, gte: 'k', lt: 'p' });
});

test('empty bounds mean no bound', () => {
  assert.deepEqual(scanOptions({ prefix: '', gte: '', lt: '', lte: '' }, { reverse: false }), { reverse: false });
});
