// The SSTable inspector's answer (lsm.inspectTable) as the app receives it.
// Plain data: see recovery.ts for the wire rule.
import type { TableStats } from './stats';

/** 'unknown' for tables below L0 written before the collection was opened. */
export type TableOrigin = 'flush' | 'compaction' | 'unknown';

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

/** A live table's manifest entry (its file number is `id`, its file size `bytes`) and its properties block. */
export interface TableInspection extends TableStats {
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
