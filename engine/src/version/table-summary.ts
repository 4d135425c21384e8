import type { BuiltTable } from '../table/table-builder.js';

/**
 * One SSTable, described the same way everywhere: as the manifest records it
 * (enough to route reads without opening the file), in stats().levels[].files,
 * in flush and compaction events, and at the head of inspectTable(). Plain data.
 */
export interface TableSummary {
  /** The file number: the table is the file `<id>.sst` (zero-padded to 6 digits). */
  id: number;
  level: number;
  /** File size. */
  bytes: number;
  entries: number;
  tombstones: number;
  minKey: string;
  maxKey: string;
  minSequence: number;
  maxSequence: number;
}

/** The summary of a table just written by a flush or a compaction. */
export function summaryOf(id: number, level: number, built: BuiltTable): TableSummary {
  return {
    id,
    level,
    bytes: built.fileSize,
    entries: built.entries,
    tombstones: built.tombstones,
    minKey: built.minKey,
    maxKey: built.maxKey,
    minSequence: built.minSequence,
    maxSequence: built.maxSequence,
  };
}
