import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { bloomMayContain, buildBloomFilter } from './bloom.js';

/** The filter as the format defines it, probe by probe with BigInt arithmetic: what tables on disk already hold. */
function referenceFilter(hashes: number[], bitsPerKey: number): Buffer {
  const probes = Math.max(1, Math.min(30, Math.round(bitsPerKey * 0.69)));
  const bytes = Math.ceil(Math.max(64, hashes.length * bitsPerKey) / 8);
  const totalBits = BigInt(bytes * 8);
  const filter = Buffer.alloc(bytes + 1);
  for (const hash of hashes) {
    let h = BigInt(hash);
    const delta = BigInt(((hash >>> 17) | (hash << 15)) >>> 0);
    for (let j = 0; j < probes; j++) {
      const bit = Number(h % totalBits);
      filter[bit >>> 3] |= 1 << (bit & 7);
      h = (h + delta) % 2n ** 32n;
    }
  }
  filter[bytes] = probes;
  return filter;
}

describe('bloom filter', () => {
  const random = seededRandom(31);
  const edges = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 2, 2 ** 32 - 1];
  const hashes = [...edges, ...Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** 32))];

  test('sets exactly the bits the format defines, for hashes on both sides of 2^31', () => {
    for (const bitsPerKey of [1, 10, 23]) {
      for (const count of [1, 7, 64, hashes.length]) {
        const some = hashes.slice(0, count);
        assert.ok(
          buildBloomFilter(some, bitsPerKey).equals(referenceFilter(some, bitsPerKey)),
          `${count} hashes at ${bitsPerKey} bits per key`,
        );
      }
    }
  });

  test('answers yes for every hash it holds and no for most others', () => {
    const present = hashes.slice(0, 2000);
    const filter = buildBloomFilter(present, 10);
    for (const h of present) assert.equal(bloomMayContain(filter, h), true);
    const absent = hashes.slice(2000);
    const falsePositives = absent.filter((h) => bloomMayContain(filter, h)).length;
    assert.ok(falsePositives < absent.length * 0.03, `${falsePositives} false positives of ${absent.length}`);
  });
});
