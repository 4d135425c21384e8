import type { AppendableFile } from '../fs/file-system.js';
import { ValueKind } from '../log/write-batch.js';
import { writeVarint } from '../util/coding.js';
import { BlockBuilder } from './block.js';
import { buildBloomFilter, keyHash } from './bloom.js';
import { type Compression, compressBlock } from './compression.js';
import { type BlockHandle, blockTrailer, encodeFooter, TABLE_FORMAT_VERSION, type TableProperties } from './table-format.js';
import { writeUtf8 } from '../util/utf8.js';

export interface TableBuilderOptions {
  blockBytes: number;
  bloomBitsPerKey: number;
  /** Codec for data and index blocks (filter and properties blocks are always stored raw). */
  compression: Compression;
}

export interface BuiltTable extends TableProperties {
  fileSize: number;
}

const WRITE_CHUNK_BYTES = 256 * 1024;

/**
 * Writes one SSTable (layout in table-format.ts). Entries must arrive sorted
 * by key, newest version first for equal keys. Appends go out in 256 KiB
 * chunks; finish() fsyncs the file before it resolves, so a table is durable
 * before any manifest edit can name it.
 */
export class TableBuilder {
  private readonly block = new BlockBuilder();
  private readonly index: { lastKey: Buffer; handle: BlockHandle }[] = [];
  private hashes: number[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private scratch = Buffer.allocUnsafe(1024);
  private firstKey: string | undefined;
  private entries = 0;
  private tombstones = 0;
  private minSequence = Infinity;
  private maxSequence = 0;
  private dataBytes = 0;
  private storedDataBytes = 0;

  constructor(
    private readonly file: AppendableFile,
    private readonly options: TableBuilderOptions,
  ) {}

  get fileSizeEstimate(): number {
    return this.offset + this.pendingBytes + this.block.sizeEstimate;
  }

  get entryCount(): number {
    return this.entries;
  }

  /** Adds an entry whose key and value are strings (the flush path). */
  addString(key: string, sequence: number, kind: ValueKind, value: string): void {
    const keyBytes = Buffer.byteLength(key);
    if (this.scratch.length < keyBytes) this.scratch = Buffer.allocUnsafe(keyBytes * 2);
    writeUtf8(this.scratch, key, 0, keyBytes);
    if (this.firstKey === undefined) this.firstKey = key;
    if (kind !== ValueKind.Put) this.add(this.scratch, keyBytes, sequence, kind, '', 0);
    else this.add(this.scratch, keyBytes, sequence, kind, value, Buffer.byteLength(value));
  }

  /** Adds an entry whose key and value are UTF-8 bytes (the compaction path): `valueBytes` of `value` from `valueStart`. */
  add(
    key: Uint8Array,
    keyLength: number,
    sequence: number,
    kind: ValueKind,
    value: string | Uint8Array,
    valueBytes: number,
    valueStart = 0,
  ): void {
    if (this.firstKey === undefined) this.firstKey = Buffer.from(key.buffer, key.byteOffset, keyLength).toString('utf8');
    this.block.add(key, keyLength, sequence, kind, value, valueBytes, valueStart);
    this.hashes.push(keyHash(key, keyLength));
    this.entries++;
    if (kind === ValueKind.Delete) this.tombstones++;
    if (sequence < this.minSequence) this.minSequence = sequence;
    if (sequence > this.maxSequence) this.maxSequence = sequence;
    if (this.block.sizeEstimate >= this.options.blockBytes) this.finishBlock();
  }

  async finish(): Promise<BuiltTable> {
    if (!this.block.empty) this.finishBlock();
    if (this.entries === 0) throw new Error('an SSTable needs at least one entry');
    const filter = this.writeBlock(buildBloomFilter(this.hashes, this.options.bloomBitsPerKey), false);
    this.hashes = [];
    const indexContents = this.encodeIndex();
    const properties: TableProperties = {
      formatVersion: TABLE_FORMAT_VERSION,
      minKey: this.firstKey!,
      maxKey: this.index[this.index.length - 1].lastKey.toString('utf8'),
      entries: this.entries,
      tombstones: this.tombstones,
      minSequence: this.minSequence,
      maxSequence: this.maxSequence,
      dataBlocks: this.index.length,
      dataBytes: this.dataBytes,
      storedDataBytes: this.storedDataBytes,
      compression: this.options.compression,
      indexBytes: indexContents.length,
      filterBytes: filter.size,
      bloomBitsPerKey: this.options.bloomBitsPerKey,
    };
    const propertiesHandle = this.writeBlock(Buffer.from(JSON.stringify(properties), 'utf8'), false);
    const indexHandle = this.writeBlock(indexContents, true);
    this.queue(encodeFooter({ index: indexHandle, filter, properties: propertiesHandle }));
    this.drain();
    await this.file.sync();
    await this.file.close();
    return { ...properties, fileSize: this.offset };
  }

  /** Closes the file without finishing it; the caller removes it. */
  async abandon(): Promise<void> {
    // The caller removes the unfinished file and reports why it was abandoned; its close changes nothing.
    await this.file.close().catch(() => {});
  }

  private finishBlock(): void {
    const lastKey = Buffer.from(this.block.lastKeyView);
    const contents = this.block.finish();
    const handle = this.writeBlock(contents, true);
    this.dataBytes += contents.length;
    this.storedDataBytes += handle.size;
    this.index.push({ lastKey, handle });
  }

  private encodeIndex(): Buffer {
    let size = 5;
    for (const e of this.index) size += 5 + e.lastKey.length + 8 + 5;
    const buf = Buffer.allocUnsafe(size);
    let pos = writeVarint(buf, 0, this.index.length);
    for (const e of this.index) {
      pos = writeVarint(buf, pos, e.lastKey.length);
      pos += e.lastKey.copy(buf, pos);
      pos = writeVarint(buf, pos, e.handle.offset);
      pos = writeVarint(buf, pos, e.handle.size);
    }
    return buf.subarray(0, pos);
  }

  private writeBlock(contents: Buffer, compress: boolean): BlockHandle {
    const { stored, type } = compressBlock(contents, compress ? this.options.compression : 'none');
    const handle = { offset: this.offset + this.pendingBytes, size: stored.length };
    this.queue(stored);
    this.queue(blockTrailer(stored, type));
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) this.drain();
    return handle;
  }

  private queue(buf: Buffer): void {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
  }

  private drain(): void {
    if (this.pendingBytes === 0) return;
    this.file.append(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes));
    this.offset += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
