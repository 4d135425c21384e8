import { LRUCache } from 'lru-cache';
import { fmix32 } from '../util/mix.js';

/** Room kept for the block being considered when deciding whether the cache is full. */
const HEADROOM_BYTES = 16 * 1024;
const TYPICAL_BLOCK_BYTES = 4096;

/**
 * A bounded LRU of verified data-block contents, shared by all tables of a
 * collection. Keys pack (table id, block number) into one number, which is
 * cheaper to hash than a string on the read path.
 */
export class BlockCache {
  private readonly lru: LRUCache<number, Buffer> | undefined;
  /** The doorkeeper: one bit per hashed block key missed recently. */
  private readonly seen: Uint8Array;
  private readonly seenMask: number;
  private readonly window: number;
  private misses = 0;

  constructor(readonly capacityBytes: number) {
    this.lru =
      capacityBytes > 0
        ? new LRUCache<number, Buffer>({ maxSize: capacityBytes, sizeCalculation: (b) => Math.max(1, b.length) })
        : undefined;
    // Remember about as many misses as the cache holds blocks, at 8 bits each.
    this.window = Math.max(1024, Math.ceil(capacityBytes / TYPICAL_BLOCK_BYTES));
    const bits = 2 ** Math.ceil(Math.log2(this.window * 8));
    this.seen = new Uint8Array(capacityBytes > 0 ? bits / 8 : 0);
    this.seenMask = bits - 1;
  }

  static key(tableId: number, block: number): number {
    return tableId * 0x100000 + block;
  }

  get(key: number): Buffer | undefined {
    return this.lru?.get(key);
  }

  /** Whether `key` is cached, without touching its recency (for tracing a read without skewing the LRU). */
  has(key: number): boolean {
    return this.lru?.has(key) ?? false;
  }

  /**
   * Whether a block that just missed should be cached. While there is room,
   * always. Once the cache is full, only a block that already missed once not
   * long ago (a doorkeeper, as in TinyLFU): a block read once and never again
   * would otherwise push out one that is read often, and cost an allocation
   * for nothing. Under uniformly random reads the hit rate is the same either
   * way, since it is the cached fraction of the data.
   */
  admit(key: number): boolean {
    if (this.lru === undefined) return false;
    if (this.lru.calculatedSize + HEADROOM_BYTES <= this.capacityBytes) return true;
    const h = fmix32((key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b9)) & this.seenMask;
    const bit = 1 << (h & 7);
    if ((this.seen[h >>> 3] & bit) !== 0) return true;
    this.seen[h >>> 3] |= bit;
    if (++this.misses >= this.window) {
      this.seen.fill(0);
      this.misses = 0;
    }
    return false;
  }

  set(key: number, contents: Buffer): void {
    if (this.lru !== undefined && contents.length <= this.capacityBytes) this.lru.set(key, contents);
  }

  get usedBytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
