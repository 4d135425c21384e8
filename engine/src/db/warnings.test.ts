import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Warnings } from './warnings.js';

test('stats().warnings counts every warning and keeps the last ten, oldest first, with the error code when there is one', () => {
  const w = new Warnings();
  for (let i = 1; i <= 13; i++) {
    const err = Object.assign(new Error(`failure ${i}`), i % 2 === 0 ? { code: 'EBUSY' } : {});
    w.record('delete obsolete table', `/c/${i}.sst`, i === 13 ? 'not an Error' : err);
  }
  const { count, recent } = w.stats();
  assert.equal(count, 13);
  assert.deepEqual(
    recent.map((r) => [r.path, r.message, r.code]),
    [
      ...Array.from({ length: 9 }, (_, j) => [`/c/${j + 4}.sst`, `failure ${j + 4}`, (j + 4) % 2 === 0 ? 'EBUSY' : undefined]),
      ['/c/13.sst', 'not an Error', undefined],
    ],
  );
  recent[0].path = 'changed by a caller';
  assert.equal(w.stats().recent[0].path, '/c/4.sst', 'stats() hands out copies');
});
