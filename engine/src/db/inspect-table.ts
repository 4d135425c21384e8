import { StorageError } from '../errors.js';
import { ValueKind } from '../log/write-batch.js';
import type { TableReader } from '../table/table-reader.js';
import type { TableSummary } from '../version/table-summary.js';

/** 'unknown' for tables below L0 written before the collection was opened: neither the manifest nor the table records it. */
export type TableOrigin = 'flush' | 'compaction' | 'unknown';

export interface InspectTableOptions {
  /** How many entries to return from the start of the table (default 0, at most 10,000). */
  firstEntries?: number;
  /** Characters of each value to return (default 64). */
  valuePreviewChars?: number;
}

export interface TableEntryPreview {
  key: string;
  sequence: number;
  tombstone: boolean;
  /** UTF-8 length of the whole value (0 for a tombstone). */
  valueBytes: number;
  valuePreview: string;
  /** True when valuePreview is shorter than the value. */
  truncated: boolean;
}

/** A table as the manifest summarizes it, with what its own properties block and first entries say. */
export interface TableInspection extends TableSummary {
  formatVersion: number;
  dataBlocks: number;
  /** Data block contents before compression. */
  dataBytes: number;
  /** Data blocks as stored on disk (after compression). */
  storedDataBytes: number;
  indexBytes: number;
  filterBytes: number;
  bloomBitsPerKey: number;
  /** The compression the table was written with ('none' for tables from before compression existed). */
  compression: string;
  createdBy: TableOrigin;
  firstEntries: TableEntryPreview[];
}

const MAX_FIRST_ENTRIES = 10_000;
const DEFAULT_PREVIEW_CHARS = 64;

/**
 * One table's properties (from the manifest and the table's own properties
 * block) and its first entries. Blocks are read without adding them to the
 * block cache, so inspecting does not evict what reads are using.
 */
export function describeTable(
  meta: TableSummary,
  table: TableReader,
  createdBy: TableOrigin,
  opts: InspectTableOptions = {},
): TableInspection {
  const { firstEntries = 0, valuePreviewChars = DEFAULT_PREVIEW_CHARS } = checkOptions(opts);
  const p = table.properties;
  return {
    ...meta,
    formatVersion: p.formatVersion,
    dataBlocks: table.blockCount,
    dataBytes: p.dataBytes,
    storedDataBytes: p.storedDataBytes ?? p.dataBytes,
    indexBytes: p.indexBytes,
    filterBytes: table.filterBytes,
    bloomBitsPerKey: p.bloomBitsPerKey,
    compression: p.compression ?? 'none',
    createdBy,
    firstEntries: firstEntriesOf(table, firstEntries, valuePreviewChars),
  };
}

function firstEntriesOf(table: TableReader, count: number, previewChars: number): TableEntryPreview[] {
  const out: TableEntryPreview[] = [];
  for (let block = 0; block < table.blockCount && out.length < count; block++) {
    for (const c = table.inspectBlock(block); c.valid && out.length < count; c.next()) {
      const tombstone = c.kind === ValueKind.Delete;
      const [valuePreview, truncated] = previewOf(c.rawValue(), 0, c.valueEnd - c.valueStart, previewChars);
      out.push({ key: c.key, sequence: c.sequence, tombstone, valueBytes: c.valueEnd - c.valueStart, valuePreview, truncated });
    }
  }
  return out;
}

/** The first `chars` characters of the UTF-8 value in buf[start, end), never splitting a character, and whether that is all of it. */
function previewOf(buf: Buffer, start: number, end: number, chars: number): [string, boolean] {
  // Decode no more bytes than the preview can use (4 per character at most).
  let stop = Math.min(end, start + 4 * chars);
  // Back off a multi-byte character cut at `stop`: continuation bytes are 0b10xxxxxx.
  if (stop < end) while (stop > start && (buf[stop] & 0xc0) === 0x80) stop--;
  const text = buf.toString('utf8', start, stop);
  if (text.length <= chars) return [text, stop < end];
  let n = chars;
  if (n > 0 && isHighSurrogate(text.charCodeAt(n - 1))) n--;
  return [text.slice(0, n), true];
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

function checkOptions(opts: unknown): InspectTableOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new StorageError('INVALID_ARGUMENT', `inspectTable() options must be an object, got ${typeof opts}`);
  const { firstEntries, valuePreviewChars, ...rest } = opts as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new StorageError('INVALID_ARGUMENT', `unknown inspectTable() option "${unknown[0]}" (known: firstEntries, valuePreviewChars)`);
  for (const [name, v] of [
    ['firstEntries', firstEntries],
    ['valuePreviewChars', valuePreviewChars],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_FIRST_ENTRIES)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `inspectTable() option ${name} must be an integer from 0 to ${MAX_FIRST_ENTRIES}, got ${String(v)}`,
      );
    }
  }
  return { firstEntries: firstEntries as number | undefined, valuePreviewChars: valuePreviewChars as number | undefined };
}
