import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockCache } from './block-cache.js';

const block = () => Buffer.alloc(4096);

describe('block cache admission', () => {
  test('while there is room every missed block is admitted', () => {
    const cache = new BlockCache(256 * 1024);
    for (let i = 0; i < 40; i++) {
      const key = BlockCache.key(1, i);
      assert.ok(cache.admit(key), `block ${i} admitted`);
      cache.set(key, block());
    }
    assert.equal(cache.usedBytes, 40 * 4096);
  });

  test('once full, a block is admitted on its second recent miss, not its first', () => {
    const cache = new BlockCache(64 * 1024);
    for (let i = 0; cache.admit(BlockCache.key(1, i)); i++) cache.set(BlockCache.key(1, i), block());
    const hot = BlockCache.key(2, 7);
    assert.equal(cache.admit(hot), false, 'first miss: read through, not cached');
    assert.equal(cache.admit(hot), true, 'second miss: cached');
    let admittedOnFirstMiss = 0;
    for (let i = 0; i < 500; i++) if (cache.admit(BlockCache.key(3, i))) admittedOnFirstMiss++;
    assert.ok(admittedOnFirstMiss < 25, `blocks seen once are rarely admitted (${admittedOnFirstMiss} of 500)`);
  });

  test('a cache of size zero admits nothing', () => {
    assert.equal(new BlockCache(0).admit(BlockCache.key(1, 1)), false);
  });
});
