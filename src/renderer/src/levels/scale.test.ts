/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyScale } from './scale';

test('tables overlap on the scale exactly when their key ranges overlap', () => {
  const a = { minKey: 'a', maxKey: 'f' };
  const b = { minKey: 'd', maxKey: 'k' };
  const c = { minKey: 'm', maxKey: 'z' };
  const s = keyScale([a, b, c]);
  assert.deepEqual(s.keys, ['a', 'd', 'f', 'k', 'm', 'z']);
  const [a0, a1] = s.span(a.minKey, a.maxKey);
  const [b0, b1] = s.span(b.minKey, b.maxKey);
  const [c0] = s.span(c.minKey, c.maxKey);
  assert.ok(b0 < a1, 'a and b overlap');
  assert.ok(b1 <= c0, 'b ends before c starts');
  assert.equal(a0, 0);
  assert.equal(s.span(c.minKey, c.maxKey)[1], 1);
});

test('a single-key table still gets one slot of width', () => {
  const s = keyScale([
    { minKey: 'k', maxKey: 'k' },
    { minKey: 'a', maxKey: 'z' },
  ]);
  const [x0, x1] = s.span('k', 'k');
  assert.ok(x1 - x0 > 0);
  assert.deepEqual(s.span('a', 'z'), [0, 1]);
});

test('keys between boundaries fall between slots, boundary keys in the middle of theirs', () => {
  const s = keyScale([{ minKey: 'b', maxKey: 'd' }]);
  assert.equal(s.at('a'), 0);
  assert.equal(s.at('c'), 0.5);
  assert.equal(s.at('e'), 1);
  assert.equal(s.at('b'), 0.25);
});

test('an empty scale does not divide by zero', () => {
  const s = keyScale([]);
  assert.equal(s.at('x'), 0);
});
