import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { seededRandom } from '../testing/random.js';
import { tempDir } from '../testing/temp-dir.js';
import { compareKeys } from '../util/key-order.js';
import type { Collection } from './collection.js';

const dir = tempDir('strata-model');
after(dir.cleanup);

const ALPHABET = ['a', 'b', 'k', 'z', 'é', '😀', '\uffff', '0'];

function randomKey(rand: () => number): string {
  const len = 1 + Math.floor(rand() * 4);
  let k = '';
  for (let i = 0; i < len; i++) k += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return k;
}

function expectedScan(model: Map<string, string>, range: { gte?: string; lt?: string; reverse?: boolean; limit?: number }) {
  let keys = [...model.keys()].sort(compareKeys);
  if (range.gte !== undefined) keys = keys.filter((k) => compareKeys(k, range.gte!) >= 0);
  if (range.lt !== undefined) keys = keys.filter((k) => compareKeys(k, range.lt!) < 0);
  if (range.reverse) keys.reverse();
  if (range.limit !== undefined) keys = keys.slice(0, range.limit);
  return keys.map((k) => [k, model.get(k)!]);
}

for (const seed of [1, 2, 3]) {
  test(`random operations agree with an in-memory Map across flushes, compactions and reopens (seed ${seed})`, async () => {
    const rand = seededRandom(seed);
    const base = join(dir.path, `seed-${seed}`);
    // Tiny memtables and level targets, so hundreds of flushes and dozens of compactions happen.
    let manager = new StorageManager({
      baseDataPath: base,
      memtableBytes: 2048,
      blockBytes: 256,
      level1TargetBytes: 8192,
      levelSizeMultiplier: 4,
      targetFileBytes: 2048,
    });
    await manager.createCollection('m');
    let c: Collection = await manager.useCollection('m');
    const model = new Map<string, string>();
    let flushes = 0;
    let compactions = 0;
    const watch = (col: Collection) => {
      col.on('flush', () => flushes++);
      col.on('compaction-end', () => compactions++);
    };
    watch(c);
    for (let step = 0; step < 4000; step++) {
      const r = rand();
      if (r < 0.45) {
        const k = randomKey(rand);
        const v = `v${step}${rand() < 0.1 ? '' : 'x'.repeat(Math.floor(rand() * 40))}`;
        await c.put(k, v);
        model.set(k, v);
      } else if (r < 0.6) {
        const k = randomKey(rand);
        await c.delete(k);
        model.delete(k);
      } else if (r < 0.7) {
        const ops = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, i) =>
          rand() < 0.7
            ? { type: 'put' as const, key: randomKey(rand), value: `b${step}.${i}` }
            : { type: 'delete' as const, key: randomKey(rand) },
        );
        await c.batch(ops);
        for (const op of ops) {
          if (op.type === 'put') model.set(op.key, op.value);
          else model.delete(op.key);
        }
      } else if (r < 0.88) {
        const k = randomKey(rand);
        assert.equal(await c.get(k), model.get(k), `get ${JSON.stringify(k)} at step ${step}`);
      } else if (r < 0.98) {
        const a = randomKey(rand);
        const b = randomKey(rand);
        const range = {
          gte: rand() < 0.7 ? (compareKeys(a, b) <= 0 ? a : b) : undefined,
          lt: rand() < 0.7 ? (compareKeys(a, b) <= 0 ? b : a) : undefined,
          reverse: rand() < 0.4,
          limit: rand() < 0.3 ? Math.floor(rand() * 20) : undefined,
        };
        const got: [string, string][] = [];
        for await (const e of c.scan(range)) got.push(e);
        assert.deepEqual(got, expectedScan(model, range), `scan ${JSON.stringify(range)} at step ${step}`);
      } else if (r < 0.985) {
        await c.flush();
      } else if (r < 0.99) {
        await c.compact();
      } else {
        await manager.closeAll();
        manager = new StorageManager({ baseDataPath: base });
        c = await manager.useCollection('m');
        watch(c);
      }
    }
    const full: [string, string][] = [];
    for await (const e of c.scan()) full.push(e);
    assert.deepEqual(full, expectedScan(model, {}));
    assert.ok(flushes > 100, `expected hundreds of flushes, saw ${flushes}`);
    assert.ok(compactions > 24, `expected dozens of compactions, saw ${compactions}`);
    const levels = c.stats().levels;
    assert.ok(
      levels.slice(2).some((l) => l.fileCount > 0),
      'data reached L2 or deeper',
    );
    await manager.closeAll();
  });
}
