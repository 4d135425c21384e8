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
  /** L0: trigger files x memtable size; L1: level1TargetBytes; deeper: x levelSizeMultiplier each. */
  targetBytes: number;
  /** >= 1 means the level is due for compaction (L0 by file count, deeper levels by bytes). */
  score: number;
  /** Bytes of this level's files read as compaction inputs, and bytes compaction wrote into it. */
  compactionBytesRead: number;
  compactionBytesWritten: number;
  files: TableStats[];
}

export interface CollectionStats {
  name: string;
  lastSequence: number;
  memtable: { bytes: number; entries: number; limitBytes: number };
  immutableMemtables: { bytes: number; entries: number }[];
  levels: LevelStats[];
  blockCache: { capacityBytes: number; usedBytes: number };
  totals: {
    userBytesWritten: number;
    walBytesWritten: number;
    walWrites: number;
    walSyncs: number;
    flushes: number;
    bytesFlushed: number;
    compactions: number;
    bytesCompacted: number;
    /** (bytes flushed + bytes written by compaction) / user bytes written. */
    writeAmplification: number;
  };
  /** Bytes of all live SSTables. */
  liveBytes: number;
  stalls: { count: number; totalMs: number; active: boolean };
  compaction: {
    running:
      | { id: number; reason: string; level: number; outputLevel: number; inputBytes: number; bytesRead: number; bytesWritten: number; startedAt: number }
      | undefined;
    /** Bytes compaction must still rewrite to bring every level under target. */
    pendingBytes: number;
    errors: number;
    lastError: string | undefined;
    workerPid: number | undefined;
    workerStarts: number;
  };
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
