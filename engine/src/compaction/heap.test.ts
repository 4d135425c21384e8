import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinHeap } from './heap.js';

/** A seeded generator, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('pops items in comparator order, through any mix of pushes, pops and advanced tops', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = prng(seed);
    const heap = new MinHeap<{ v: number }>((a, b) => a.v < b.v);
    const model: number[] = [];
    for (let step = 0; step < 2000; step++) {
      const r = random();
      if (r < 0.45 || model.length === 0) {
        const v = Math.floor(random() * 50);
        heap.push({ v });
        model.push(v);
      } else if (r < 0.75) {
        model.sort((a, b) => a - b);
        assert.equal(heap.pop()!.v, model.shift(), `seed ${seed} step ${step}`);
      } else {
        // The merge's move: the smallest source advances to a larger key and sinks to its place.
        const top = heap.peek()!;
        model.sort((a, b) => a - b);
        assert.equal(top.v, model[0]);
        top.v += Math.floor(random() * 10);
        model[0] = top.v;
        heap.replaceTop();
      }
      assert.equal(heap.size, model.length);
    }
    model.sort((a, b) => a - b);
    for (const v of model) assert.equal(heap.pop()!.v, v);
    assert.equal(heap.pop(), undefined);
  }
});
