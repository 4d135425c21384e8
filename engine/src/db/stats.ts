/** Plain, serializable shapes for stats() and events, so the app can send them over IPC as they are. */
export interface TableStats {
  id: number;
  bytes: number;
  entries: number;
  tombstones: number;
  minKey: string;
  maxKey: string;
  minSequence: number;
  maxSequence: number;
}

export interface LevelStats {
  level: number;
  fileCount: number;
  bytes: number;
  entries: number;
  files: TableStats[];
}

export interface CollectionStats {
  name: string;
  lastSequence: number;
  memtable: { bytes: number; entries: number; limitBytes: number };
  immutableMemtables: { bytes: number; entries: number }[];
  levels: LevelStats[];
  blockCache: { capacityBytes: number; usedBytes: number };
  totals: { userBytesWritten: number; walBytesWritten: number; walWrites: number; walSyncs: number; flushes: number; bytesFlushed: number };
  openScans: number;
  /** Set once the collection refuses writes after an I/O failure. */
  writeError: string | undefined;
}

export interface FlushEvent {
  id: number;
  level: 0;
  bytes: number;
  entries: number;
  tombstones: number;
  minKey: string;
  maxKey: string;
  durationMs: number;
}
