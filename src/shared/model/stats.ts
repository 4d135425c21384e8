// A collection's stats as the app receives them (collections.stats, and the
// snapshot in every engine push). Plain data, absent fields null: see
// recovery.ts for the wire rule.
import type { RecoveryReport } from './recovery';

/** One table a flush or compaction read or wrote (or a move placed): its file number, level, size and key range. */
export interface TableSummary {
  id: number;
  level: number;
  bytes: number;
  entries: number;
  minKey: string;
  maxKey: string;
}

/** One SSTable as the Levels view draws it. */
export interface TableShape extends TableSummary {
  tombstones: number;
}

/** One live SSTable, as stats list it in its level. */
export interface TableStats extends TableShape {
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

export interface MemtableStats {
  bytes: number;
  entries: number;
  limitBytes: number;
  tombstones: number;
  walNumber: number;
}

/** A full memtable waiting for flush. */
export interface ImmutableMemtableStats {
  bytes: number;
  entries: number;
  tombstones: number;
  walNumber: number;
}

export type StallReason = 'memtables-full' | 'level0-slowdown' | 'level0-stop';

/** The input files a compaction takes from one level. */
export interface CompactionInput {
  level: number;
  /** File numbers. */
  files: number[];
  bytes: number;
}

/** The compaction in flight. Outputs are known only once it ends (compaction-end). */
export interface RunningCompaction {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  score: number;
  inputs: CompactionInput[];
  /** Every input table with its level, size and key range. */
  inputTables: TableStats[];
  inputBytes: number;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  /** bytesRead / inputBytes, from 0 to 1. */
  progress: number;
  /** Epoch milliseconds. */
  startedAt: number;
  elapsedMs: number;
}

/** A write stall in progress: why, since when (epoch ms), and for how long so far. */
export interface CurrentStall {
  reason: StallReason;
  startedAt: number;
  durationMs: number;
}

export interface CollectionStats {
  name: string;
  lastSequence: number;
  memtable: MemtableStats;
  /** Oldest first. */
  immutableMemtables: ImmutableMemtableStats[];
  levels: LevelStats[];
  /** L0's file count against its triggers (the write gate slows writes at slowdown and stops them at stop). */
  level0: { files: number; compactionTrigger: number; slowdownTrigger: number; stopTrigger: number };
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
    /** Bytes of input tables read by finished compactions (trivial moves read nothing). */
    compactionBytesRead: number;
    /** (bytes flushed + bytes written by compaction) / user bytes written. */
    writeAmplification: number;
  };
  /** Bytes of all live SSTables. */
  liveBytes: number;
  /** What the last open found and did: torn logs cut, files set aside, a gap in the logs. */
  recovery: RecoveryReport;
  stalls: {
    count: number;
    /** Includes the stall in progress, if any. */
    totalMs: number;
    active: boolean;
    current: CurrentStall | null;
  };
  compaction: {
    /** One at a time per collection; trivial moves are a single manifest edit and never show here. */
    running: RunningCompaction | null;
    /** Bytes compaction must still rewrite to bring every level under target. */
    pendingBytes: number;
    errors: number;
    lastError: string | null;
    workerPid: number | null;
    workerStarts: number;
  };
  openScans: number;
  flush: {
    /** Whether this session's memtables are flushed on the flush thread. */
    onThread: boolean;
    /** Why this collection stopped using the flush thread (it could not start, or died), if it did. */
    threadStopped: string | null;
  };
  /** Set once the collection refuses writes after an I/O failure. */
  writeError: string | null;
  /** Housekeeping that failed without harming data this session (a table that could not be deleted, …). */
  warnings: { count: number; recent: BackgroundWarning[] };
}

/** Housekeeping that failed without harming data: the collection works on, the file takes space until a later pass removes it. */
export interface BackgroundWarning {
  /** What failed, in words ("delete obsolete table", …). */
  operation: string;
  path: string;
  message: string;
  /** The system's error code (EACCES, EBUSY, …), when there is one. */
  code: string | null;
  at: number;
}
