import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKeys } from './key-order.js';
import { normalizeRange, prefixSuccessor } from './key-range.js';

const sign = (n: number) => Math.sign(n);

test('key order equals bytewise UTF-8 order, including supplementary characters', () => {
  const keys = ['a', 'ab', 'b', '\u00e9', '\uffff', '\u{1F600}', '\ue000', 'z', '', '\u{10FFFF}', '\ud7ff', 'a\u{1F600}', 'a\uffff'];
  for (const a of keys) {
    for (const b of keys) {
      assert.equal(
        sign(compareKeys(a, b)),
        sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
  }
});

test('a prefix successor bounds exactly the keys that start with the prefix', () => {
  assert.equal(prefixSuccessor('user:'), 'user;');
  assert.equal(prefixSuccessor('a\u{10FFFF}'), 'b');
  assert.equal(prefixSuccessor('\u{10FFFF}'), undefined);
  assert.equal(prefixSuccessor('a\ud7ff'), 'a\ue000');
  const r = normalizeRange({ prefix: 'ab', gte: 'aa', lt: 'zz' });
  assert.deepEqual([r.lower, r.lowerInclusive, r.upper, r.upperInclusive], ['ab', true, 'ac', false]);
});

test('scan options are validated by name', () => {
  assert.throws(() => normalizeRange({ gte: 5 }), /gte must be a string/);
  assert.throws(() => normalizeRange({ limit: -2 }), /limit must be a non-negative integer/);
  assert.throws(() => normalizeRange({ from: 'a' }), /unknown scan option "from"/);
  assert.equal(normalizeRange({ limit: -1 }).limit, Infinity);
});
