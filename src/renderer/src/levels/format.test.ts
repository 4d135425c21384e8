/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMs, shortKey } from './format';
import { sparkPath, throughput } from './sparkline';

test('formatMs', () => {
  assert.equal(formatMs(250), '250 ms');
  assert.equal(formatMs(1500), '1.50 s');
});

test('shortKey keeps both ends and shows control characters', () => {
  assert.equal(shortKey('abc\u0000'), 'abc\\x00');
  assert.equal(shortKey('user:0000000001:profile', 11), 'user:…ofile');
});

test('sparkPath spans the box; throughput is bytes per second', () => {
  const p = sparkPath([0, 5, 10], 100, 20);
  assert.equal(p.max, 10);
  assert.match(p.line, /^M0\.0,19\.0L50\.0,10\.0L100\.0,1\.0$/);
  assert.equal(sparkPath([1], 10, 10).line, '');
  assert.deepEqual(
    throughput([
      { at: 0, userBytesWritten: 0, writeAmplification: 0, levelBytes: [] },
      { at: 2000, userBytesWritten: 1000, writeAmplification: 0, levelBytes: [] },
    ]),
    [500],
  );
});
