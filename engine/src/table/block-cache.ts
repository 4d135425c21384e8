import { LRUCache } from 'lru-cache';

/**
 * A bounded LRU of verified data-block contents, shared by all tables of a
 * collection. Keys pack (table id, block number) into one number, which is
 * cheaper to hash than a string on the read path.
 */
export class BlockCache {
  private readonly lru: LRUCache<number, Buffer> | undefined;

  constructor(readonly capacityBytes: number) {
    this.lru =
      capacityBytes > 0
        ? new LRUCache<number, Buffer>({ maxSize: capacityBytes, sizeCalculation: (b) => Math.max(1, b.length) })
        : undefined;
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

  set(key: number, contents: Buffer): void {
    if (this.lru !== undefined && contents.length <= this.capacityBytes) this.lru.set(key, contents);
  }

  get usedBytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
