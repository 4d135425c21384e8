/**
 * SSTable file layout.
 *
 *   file    := dataBlock* | filterBlock | propertiesBlock | indexBlock | footer
 *   block   := stored | type u8 | checksum u32le
 *              type 0: stored is the contents; type 1: stored is the contents
 *              compressed with Snappy (raw format). Data and index blocks are
 *              compressed when the collection's `compression` is on and that
 *              saves at least 1/8; filter and properties blocks never are.
 *              The checksum covers the stored bytes and the type byte, so
 *              damage is caught before anything is decompressed.
 *   index   := count varint | (lastKeyLength varint | lastKey | offset varint | size varint){count}
 *              one entry per data block: a sparse index over the table's keys
 *   filter  := bloom filter over every key (bloom.ts)
 *   properties := UTF-8 JSON (TableProperties)
 *   footer  := 48 bytes:
 *              indexOffset u48le | indexSize u32le | filterOffset u48le | filterSize u32le
 *              | propertiesOffset u48le | propertiesSize u32le | formatVersion u32le
 *              | checksum u32le (over the other 44 bytes) | magic 8 bytes "STRATAT1"
 *
 * Sizes in handles are of the stored bytes and exclude the 5-byte trailer.
 * Tables written before compression existed are all type 0 and read as is.
 */
import { corruption } from '../errors.js';
import { checksum } from '../util/checksum.js';
import { BlockType, uncompressBlock } from './compression.js';

export const BLOCK_TRAILER_BYTES = 5;
export const FOOTER_BYTES = 48;
export const TABLE_MAGIC = Buffer.from('STRATAT1', 'latin1');
export const TABLE_FORMAT_VERSION = 1;

export interface BlockHandle {
  offset: number;
  size: number;
}

export interface Footer {
  index: BlockHandle;
  filter: BlockHandle;
  properties: BlockHandle;
}

export interface TableProperties {
  formatVersion: number;
  minKey: string;
  maxKey: string;
  entries: number;
  tombstones: number;
  minSequence: number;
  maxSequence: number;
  dataBlocks: number;
  /** Data block contents before compression. */
  dataBytes: number;
  /** Data blocks as stored (after compression); absent in tables written before compression existed. */
  storedDataBytes?: number;
  /** The compression the table was written with; absent in tables written before compression existed. */
  compression?: string;
  indexBytes: number;
  filterBytes: number;
  bloomBitsPerKey: number;
}

export function blockTrailer(stored: Uint8Array, type: number = BlockType.None): Buffer {
  const trailer = Buffer.allocUnsafe(BLOCK_TRAILER_BYTES);
  trailer[0] = type;
  trailer.writeUInt32LE(checksum(stored, trailer.subarray(0, 1)), 1);
  return trailer;
}

/** Checks a block read with its trailer and returns its contents, decompressed. */
export function verifyBlock(raw: Buffer, fileName: string, what: string, offset: number): Buffer {
  if (raw.length < BLOCK_TRAILER_BYTES) throw corruption(fileName, `${what} at offset ${offset} is truncated`);
  const stored = raw.subarray(0, raw.length - BLOCK_TRAILER_BYTES);
  const type = raw.subarray(raw.length - BLOCK_TRAILER_BYTES, raw.length - 4);
  if (raw.readUInt32LE(raw.length - 4) !== checksum(stored, type)) {
    throw corruption(fileName, `checksum mismatch in ${what} at offset ${offset}`);
  }
  if (type[0] === BlockType.None) return stored;
  try {
    return uncompressBlock(stored, type[0]);
  } catch (err) {
    throw corruption(fileName, `${what} at offset ${offset} does not decompress (${(err as Error).message})`);
  }
}

export function encodeFooter(footer: Footer): Buffer {
  const buf = Buffer.alloc(FOOTER_BYTES);
  buf.writeUIntLE(footer.index.offset, 0, 6);
  buf.writeUInt32LE(footer.index.size, 6);
  buf.writeUIntLE(footer.filter.offset, 10, 6);
  buf.writeUInt32LE(footer.filter.size, 16);
  buf.writeUIntLE(footer.properties.offset, 20, 6);
  buf.writeUInt32LE(footer.properties.size, 26);
  buf.writeUInt32LE(TABLE_FORMAT_VERSION, 30);
  TABLE_MAGIC.copy(buf, 40);
  buf.writeUInt32LE(checksum(buf.subarray(0, 34), buf.subarray(38, 48)), 34);
  return buf;
}

export function decodeFooter(buf: Buffer, fileName: string, fileSize: number): Footer {
  if (buf.length !== FOOTER_BYTES || !buf.subarray(40).equals(TABLE_MAGIC)) {
    throw corruption(fileName, 'bad table magic number (not a Strata table, or truncated)');
  }
  if (buf.readUInt32LE(34) !== checksum(buf.subarray(0, 34), buf.subarray(38, 48))) {
    throw corruption(fileName, 'footer checksum mismatch');
  }
  const version = buf.readUInt32LE(30);
  if (version !== TABLE_FORMAT_VERSION) throw corruption(fileName, `unsupported table format version ${version}`);
  const footer: Footer = {
    index: { offset: buf.readUIntLE(0, 6), size: buf.readUInt32LE(6) },
    filter: { offset: buf.readUIntLE(10, 6), size: buf.readUInt32LE(16) },
    properties: { offset: buf.readUIntLE(20, 6), size: buf.readUInt32LE(26) },
  };
  const limit = fileSize - FOOTER_BYTES;
  for (const [name, h] of Object.entries(footer)) {
    if (h.offset + h.size + BLOCK_TRAILER_BYTES > limit)
      throw corruption(fileName, `footer's ${name} handle points past the end of the file`);
  }
  return footer;
}
