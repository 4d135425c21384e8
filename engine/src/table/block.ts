/**
 * Data block format (LevelDB-style prefix compression with restart points).
 *
 *   block   := entry* | restartOffset u32le * restartCount | restartCount u32le
 *   entry   := sharedKeyBytes varint | unsharedKeyBytes varint
 *              | valueTag varint (0 = tombstone, else valueBytes + 1)
 *              | sequence varint | keySuffix | value
 *
 * Every RESTART_INTERVAL-th entry stores its whole key (shared = 0) and is
 * listed in the restart array, so a lookup binary-searches restarts and then
 * scans at most RESTART_INTERVAL entries. Within a table, entries are sorted
 * by key (bytewise) and, for one key, newest sequence first.
 *
 * On disk each block is followed by a 5-byte trailer (see block-handle.ts).
 */
import { ValueKind } from '../log/write-batch.js';
import { varintLength, writeVarint } from '../util/coding.js';
import { writeUtf8 } from '../util/utf8.js';

export const RESTART_INTERVAL = 16;

/**
 * Up to this many bytes are copied in a loop: for keys that beats making the
 * view `set` needs. Not for db_bench's 100-byte values: 1M adds of a 16-byte
 * key and a 100-byte value took 0.36 µs each with a 128-byte loop limit and
 * 0.26 µs with 48.
 */
const LOOP_COPY_BYTES = 48;

function copyBytes(src: Uint8Array, srcStart: number, dst: Uint8Array, dstStart: number, length: number): void {
  if (length > LOOP_COPY_BYTES) {
    dst.set(src.subarray(srcStart, srcStart + length), dstStart);
    return;
  }
  for (let i = 0; i < length; i++) dst[dstStart + i] = src[srcStart + i];
}

export class BlockBuilder {
  private buf = Buffer.allocUnsafe(8192);
  private pos = 0;
  private restarts: number[] = [];
  private lastKey = Buffer.allocUnsafe(256);
  private lastKeyLength = 0;
  private sinceRestart = 0;
  entries = 0;

  get sizeEstimate(): number {
    return this.pos + 4 * (this.restarts.length + 1);
  }

  get empty(): boolean {
    return this.entries === 0;
  }

  /** The last key added (a view into an internal buffer: copy it to keep it). */
  get lastKeyView(): Buffer {
    return this.lastKey.subarray(0, this.lastKeyLength);
  }

  /**
   * `value` is either a string (encoded here) or raw UTF-8 bytes, of which
   * `valueBytes` from `valueStart` are taken; ignored for tombstones.
   */
  add(
    key: Uint8Array,
    keyLength: number,
    sequence: number,
    kind: ValueKind,
    value: string | Uint8Array,
    valueBytes: number,
    valueStart = 0,
  ): void {
    let shared = 0;
    if (this.sinceRestart === RESTART_INTERVAL || this.entries === 0) {
      this.restarts.push(this.pos);
      this.sinceRestart = 0;
    } else {
      const limit = Math.min(keyLength, this.lastKeyLength);
      const last = this.lastKey;
      while (shared < limit && key[shared] === last[shared]) shared++;
    }
    const unshared = keyLength - shared;
    const valueTag = kind === ValueKind.Delete ? 0 : valueBytes + 1;
    const bodyBytes = kind === ValueKind.Delete ? 0 : valueBytes;
    const need = varintLength(shared) + varintLength(unshared) + varintLength(valueTag) + varintLength(sequence) + unshared + bodyBytes;
    this.reserve(need);
    const buf = this.buf;
    let pos = writeVarint(buf, this.pos, shared);
    pos = writeVarint(buf, pos, unshared);
    pos = writeVarint(buf, pos, valueTag);
    pos = writeVarint(buf, pos, sequence);
    copyBytes(key, shared, buf, pos, unshared);
    pos += unshared;
    if (kind !== ValueKind.Delete) {
      if (typeof value === 'string') pos += writeUtf8(buf, value, pos, valueBytes);
      else {
        copyBytes(value, valueStart, buf, pos, valueBytes);
        pos += valueBytes;
      }
    }
    this.pos = pos;
    if (this.lastKey.length < keyLength) this.lastKey = Buffer.allocUnsafe(keyLength * 2);
    copyBytes(key, 0, this.lastKey, 0, keyLength);
    this.lastKeyLength = keyLength;
    this.sinceRestart++;
    this.entries++;
  }

  /** Returns the finished block contents (a copy) and resets the builder. */
  finish(): Buffer {
    const restarts = this.restarts.length === 0 ? [0] : this.restarts;
    this.reserve(4 * (restarts.length + 1));
    let pos = this.pos;
    for (const r of restarts) pos = this.buf.writeUInt32LE(r, pos);
    pos = this.buf.writeUInt32LE(restarts.length, pos);
    const out = Buffer.from(this.buf.subarray(0, pos));
    this.pos = 0;
    this.restarts = [];
    this.lastKeyLength = 0;
    this.sinceRestart = 0;
    this.entries = 0;
    return out;
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
