import type { BuiltTable } from '../table/table-builder.js';

/** What the manifest records about one SSTable: enough to route reads without opening it. */
export interface FileMeta {
  id: number;
  level: number;
  size: number;
  entries: number;
  tombstones: number;
  minKey: string;
  maxKey: string;
  minSequence: number;
  maxSequence: number;
}

/** The manifest's record of a table just written by a flush or a compaction. */
export function fileMetaOf(id: number, level: number, built: BuiltTable): FileMeta {
  return {
    id,
    level,
    size: built.fileSize,
    entries: built.entries,
    tombstones: built.tombstones,
    minKey: built.minKey,
    maxKey: built.maxKey,
    minSequence: built.minSequence,
    maxSequence: built.maxSequence,
  };
}
