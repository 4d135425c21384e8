/**
 * The snapshot Collection.stats() returns, and the recovery report inside it.
 * Plain data, so the app can send it over IPC as it is. Fields are only ever added.
 */
import type { TableSummary } from '../version/table-summary.js';
import type { BackgroundWarningEvent, CompactionHeader, CompactionInputs, CompactionProgress, StallReason } from './events.js';

/** A WAL that recovery cut at a torn tail. */
export interface TornWal {
  path: string;
  /** Records kept: everything before the cut. */
  keptRecords: number;
  /** Offset of the cut; the file held `fileBytes`. */
  cutAt: number;
  fileBytes: number;
}

/** A file that recovery or repair moved into the collection's `lost/` folder instead of using or deleting it. */
export interface LostFile {
  /** Its name in the collection directory. */
  file: string;
  /** Where it is now, relative to the collection directory (`lost/<name>`, with a suffix if taken). */
  movedTo: string;
  /** Why it was set aside, in words a user can act on. */
  reason: string;
}

/**
 * A manifest whose last record a crash cut short while it was being
 * appended: that edit never took effect (its fsync never returned), and was
 * dropped.
 */
export interface TornManifest {
  path: string;
  cutAt: number;
  fileBytes: number;
}

/**
 * Where WAL replay stopped short (point-in-time recovery): the logs from
 * `wal` on were not replayed, since writes before them were lost, and were
 * moved to lost/ (see lostFiles).
 */
export interface RecoveryGap {
  /** The last sequence number replayed: the collection holds exactly the writes up to it. */
  lastSequence: number;
  /** The first log not replayed. */
  wal: string;
  reason: string;
}

/** What the last open did to bring the collection back: every cut and every file set aside. */
export interface RecoveryReport {
  tornWals: TornWal[];
  lostFiles: LostFile[];
  /** Set when the manifest ended in an unfinished append. */
  tornManifest?: TornManifest;
  /** Set when replay stopped at a gap; later logs are in lostFiles. */
  gap?: RecoveryGap;
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
  files: TableSummary[];
}

export interface CollectionStats {
  name: string;
  lastSequence: number;
  memtable: { bytes: number; entries: number; limitBytes: number; tombstones: number; walNumber: number };
  /** Full memtables waiting for flush, oldest first. */
  immutableMemtables: { bytes: number; entries: number; tombstones: number; walNumber: number }[];
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
  /**
   * What the last open found: WALs whose tail was torn (a crash or power
   * loss during unsynced writes) and cut there. Only writes that were never
   * acknowledged as synced can have been dropped. Files recovery would not
   * use are listed with where they were moved (never deleted), and a gap
   * in the logs, where replay stopped, is in `gap`.
   */
  recovery: RecoveryReport;
  stalls: {
    count: number;
    /** Includes the stall in progress, if any. */
    totalMs: number;
    active: boolean;
    /** The stall in progress: why, since when (epoch ms), and for how long so far. */
    current: { reason: StallReason; startedAt: number; durationMs: number } | undefined;
  };
  compaction: CompactionStats;
  openScans: number;
  flush: {
    /** Whether this session's memtables are flushed on the flush thread (see StorageManager's flushOnThread). */
    onThread: boolean;
    /** Why this collection stopped using the flush thread (it could not start, or died), if it did; it then flushes on its own thread. */
    threadStopped: string | undefined;
  };
  /** Background housekeeping that failed without harming data (see the background-warning event). */
  warnings: WarningStats;
  /** Set once the collection refuses writes after an I/O failure. */
  writeError: string | undefined;
}

/** stats().compaction: what compaction is doing and how it has fared. */
export interface CompactionStats {
  /**
   * The compaction in flight (one at a time per collection; trivial moves
   * are a single manifest edit and never show here). Outputs are known only
   * once it ends (compaction-end).
   */
  running: RunningCompactionStats | undefined;
  /** Bytes compaction must still rewrite to bring every level under target. */
  pendingBytes: number;
  errors: number;
  lastError: string | undefined;
  workerPid: number | undefined;
  workerStarts: number;
}

/** stats().warnings: how many background warnings this session has had, and the last few of them, oldest first. */
export interface WarningStats {
  count: number;
  recent: BackgroundWarningEvent[];
}

/** The compaction in flight: which one, its inputs, and how far it has got. */
export interface RunningCompactionStats extends CompactionHeader, CompactionInputs, CompactionProgress {
  score: number;
}
