import { corruption, ioError, StorageError } from '../errors.js';
import type { ReadableFile } from '../fs/file-system.js';
import { Cursor } from '../util/coding.js';
import { readLatin1 } from '../util/utf8.js';
import { BlockCache } from './block-cache.js';
import { BlockCursor, type PointHit } from './block-reader.js';
import { bloomMayContain } from './bloom.js';
import { BLOCK_TRAILER_BYTES, decodeFooter, FOOTER_BYTES, type TableProperties, verifyBlock } from './table-format.js';

const FIRST_READ_AHEAD_BYTES = 8 * 1024;
const MAX_READ_AHEAD_BYTES = 64 * 1024;
const MIN_WINDOW_BYTES = 8 * 1024;

/** A private window of one table's file bytes (a scan source's, or the point lookups'), for blocks the cache does not keep. */
export class ReadAhead {
  buf = Buffer.alloc(0);
  span = FIRST_READ_AHEAD_BYTES;
  table: TableReader | undefined;
  start = 0;
  end = 0;
}

/**
 * Windows of scans that ended, for the next scans to reuse: a short scan
 * (a seek and 50 entries) otherwise allocates a window per table it reads,
 * which cost as much as decoding its entries.
 */
const spareWindows: ReadAhead[] = [];
const MAX_SPARE_WINDOWS = 32;

export function takeWindow(): ReadAhead {
  return spareWindows.pop() ?? new ReadAhead();
}

/** Hands a window back; its holder must not read from it again. */
export function giveBackWindow(window: ReadAhead): void {
  window.table = undefined; // neither a stale hit for the next holder nor a reference keeping a closed table alive
  window.span = FIRST_READ_AHEAD_BYTES;
  if (spareWindows.length < MAX_SPARE_WINDOWS) spareWindows.push(window);
}

/** One cursor and one spare buffer serve every point lookup: a lookup runs start to end synchronously, so none overlap. */
const pointCursor = new BlockCursor();
const pointSpare = new ReadAhead();
const inspectCursor = new BlockCursor();
const inspectSpare = new ReadAhead();

/**
 * An open SSTable. The footer, index, filter and properties are read and
 * verified once at open and kept in memory; data blocks go through the
 * shared block cache.
 */
export class TableReader {
  /**
   * Each data block's last key as a byte string (one char per UTF-8 byte,
   * its Latin-1 decoding), whose native string order is the bytes' order:
   * the index is searched with native comparisons instead of byte loops.
   */
  private readonly lastKeys: string[] = [];
  private readonly offsets: number[] = [];
  private readonly sizes: number[] = [];
  private readonly filter: Buffer;
  readonly properties: TableProperties;

  private constructor(
    private readonly file: ReadableFile,
    readonly id: number,
    private readonly cache: BlockCache,
  ) {
    const name = file.path;
    if (file.size < FOOTER_BYTES) throw corruption(name, `file is ${file.size} bytes, shorter than a table footer`);
    const footer = decodeFooter(this.readRaw(file.size - FOOTER_BYTES, FOOTER_BYTES), name, file.size);
    const index = this.readMeta(footer.index.offset, footer.index.size, 'index block');
    this.filter = this.readMeta(footer.filter.offset, footer.filter.size, 'filter block');
    const props = this.readMeta(footer.properties.offset, footer.properties.size, 'properties block');
    try {
      this.properties = JSON.parse(props.toString('utf8')) as TableProperties;
    } catch {
      throw corruption(name, 'properties block is not valid JSON');
    }
    try {
      const cursor = new Cursor(index, 0);
      const count = cursor.varint();
      for (let i = 0; i < count; i++) {
        this.lastKeys.push(latin1Of(cursor.bytes(cursor.varint())));
        const offset = cursor.varint();
        const size = cursor.varint();
        if (offset + size + BLOCK_TRAILER_BYTES > footer.filter.offset) throw new RangeError(`block ${i} points outside the data area`);
        this.offsets.push(offset);
        this.sizes.push(size);
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw corruption(name, `index block is malformed (${(err as Error).message})`);
    }
  }

  static open(file: ReadableFile, id: number, cache: BlockCache): TableReader {
    try {
      return new TableReader(file, id, cache);
    } catch (err) {
      void file.close();
      throw err;
    }
  }

  get path(): string {
    return this.file.path;
  }

  get blockCount(): number {
    return this.offsets.length;
  }

  get filterBytes(): number {
    return this.filter.length;
  }

  mayContain(hash: number): boolean {
    return bloomMayContain(this.filter, hash);
  }

  /** The newest version of `key` in this table (ignores the bloom filter; check it first). */
  get(key: Buffer): PointHit | undefined {
    const block = this.blockFor(key);
    if (block === this.offsets.length) return undefined;
    return this.searchBlock(block, key);
  }

  /** Index of the first block whose last key is >= key (blockCount if none). */
  blockFor(key: Buffer): number {
    const target = latin1Of(key);
    const lastKeys = this.lastKeys;
    let lo = 0;
    let hi = lastKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lastKeys[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where data block `block` lies in the file (size without its trailer). */
  blockHandle(block: number): { offset: number; size: number } {
    return { offset: this.offsets[block], size: this.sizes[block] };
  }

  /** Whether reading `block` now would be served by the block cache rather than the file. */
  isBlockCached(block: number): boolean {
    return this.cache.has(BlockCache.key(this.id, block));
  }

  /** The newest version of `key` in data block `block`, read exactly as get reads it (explainGet traces this). */
  searchBlock(block: number, key: Buffer): PointHit | undefined {
    pointCursor.reset(this.readBlock(block, pointSpare), this.file.path, this.offsets[block]);
    return pointCursor.find(key);
  }

  /**
   * A cursor on data block `block` positioned at its first entry, for the
   * table inspector: read without entering the block cache, so inspecting
   * never evicts what reads use. Valid until the next call.
   */
  inspectBlock(block: number): BlockCursor {
    inspectCursor.reset(this.streamBlock(block, inspectSpare, false), this.file.path, this.offsets[block]);
    inspectCursor.seekToFirst();
    return inspectCursor;
  }

  /** Where a data block starts in the file (for error messages). */
  blockOffset(block: number): number {
    return this.offsets[block];
  }

  /**
   * A data block's verified contents for a point lookup or a seek: from the
   * cache; else from `spare` if it holds the block; else read into `spare`
   * (with the block after it too when `withNext`: a seek usually reads on
   * into it, and one read is cheaper than two). Cached if the cache admits
   * it; otherwise a view of `spare`, valid until `spare` is reused.
   */
  readBlock(block: number, spare: ReadAhead, withNext = false): Buffer {
    const key = BlockCache.key(this.id, block);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const contents = this.readThrough(block, spare, false, false, withNext);
    if (!this.cache.admit(key)) return contents;
    // An uncompressed block is a view of the window, which will be overwritten: the cache keeps a copy.
    const kept = contents.buffer === spare.buf.buffer ? Buffer.from(contents) : contents;
    this.cache.set(key, kept);
    return kept;
  }

  /**
   * A data block for a long scan, never cached: from the cache if it is
   * there, else from `ahead`, a window of the file that one read fills with
   * this block and those after it (before it, in reverse). A scan then costs
   * one read per window rather than one per block; the window doubles with
   * each refill up to 64 KiB, so a scan that just crossed a block boundary
   * does not pay for a long read. The result is a view into the window,
   * valid until the window is refilled.
   */
  streamBlock(block: number, ahead: ReadAhead, reverse: boolean): Buffer {
    const cached = this.cache.get(BlockCache.key(this.id, block));
    if (cached !== undefined) return cached;
    return this.readThrough(block, ahead, reverse, true);
  }

  /**
   * `block` from the window, refilled first unless it holds the block: with
   * read-ahead if `readAhead`, else with the following block if `withNext`.
   */
  private readThrough(block: number, ahead: ReadAhead, reverse: boolean, readAhead: boolean, withNext = false): Buffer {
    const offset = this.offsets[block];
    const length = this.sizes[block] + BLOCK_TRAILER_BYTES;
    if (ahead.table !== this || offset < ahead.start || offset + length > ahead.end) {
      const last = this.offsets.length - 1;
      const dataEnd = this.offsets[last] + this.sizes[last] + BLOCK_TRAILER_BYTES;
      const next = block + 1;
      const span = readAhead
        ? Math.max(length, ahead.span)
        : withNext && next <= last
          ? this.offsets[next] + this.sizes[next] + BLOCK_TRAILER_BYTES - offset
          : length;
      if (readAhead) ahead.span = Math.min(2 * ahead.span, MAX_READ_AHEAD_BYTES);
      const start = reverse ? Math.max(0, offset + length - span) : offset;
      const end = reverse ? offset + length : Math.min(dataEnd, offset + span);
      if (ahead.buf.length < end - start) ahead.buf = Buffer.allocUnsafe(Math.max(end - start, MIN_WINDOW_BYTES));
      ahead.table = undefined; // a failed read leaves no window behind
      this.readRaw(start, end - start, ahead.buf);
      ahead.table = this;
      ahead.start = start;
      ahead.end = end;
    }
    const at = offset - ahead.start;
    return verifyBlock(ahead.buf.subarray(at, at + length), this.file.path, 'data block', offset);
  }

  close(): Promise<void> {
    return this.file.close();
  }

  private readMeta(offset: number, size: number, what: string): Buffer {
    return verifyBlock(this.readRaw(offset, size + BLOCK_TRAILER_BYTES), this.file.path, what, offset);
  }

  private readRaw(offset: number, length: number, into?: Buffer): Buffer {
    try {
      return this.file.read(offset, length, into);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESHORTREAD') {
        throw corruption(this.file.path, `read of ${length} bytes at offset ${offset} ran past the end of the file`);
      }
      throw ioError('read', this.file.path, err);
    }
  }
}

/** Bytes as a string of one char per byte, so that `<` on two such strings compares the bytes. */
function latin1Of(bytes: Buffer): string {
  return readLatin1(bytes, 0, bytes.length);
}
