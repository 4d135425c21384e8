/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS } from '../../../shared/ipc/limits';
import { deleteChunks } from './delete-chunks';

test('splits keys into calls within both the count and the total length limit, in order, losing none', () => {
  const long = 'k'.repeat(LIMITS.maxKeyChars);
  const many = Array.from({ length: LIMITS.maxKeysPerCall * 2 + 5 }, (_, i) => `key-${i}`);
  const big = Array.from({ length: 300 }, (_, i) => `${i}-${long}`);
  for (const keys of [[], ['one'], many, big, [...big.slice(0, 10), ...many.slice(0, 50), ...big.slice(10)]]) {
    const chunks = deleteChunks(keys);
    assert.deepEqual(chunks.flat(), keys);
    for (const chunk of chunks) {
      assert.ok(chunk.length >= 1 && chunk.length <= LIMITS.maxKeysPerCall);
      assert.ok(chunk.reduce((n, k) => n + k.length, 0) <= LIMITS.maxKeysCharsPerCall);
    }
  }
  assert.equal(deleteChunks(many).length, 3);
  assert.ok(deleteChunks(big).length > 1);
});
