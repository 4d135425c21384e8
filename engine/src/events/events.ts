/**
 * The payloads of a collection's events (Collection.on; collection-events.ts
 * maps each event name to its payload). Plain data, so the app can send them
 * over IPC as they are. Times: `startedAt`/`endedAt`/`at` are epoch
 * milliseconds (Date.now()), durations are measured with the monotonic
 * clock. Fields are only ever added.
 */
import type { StorageErrorCode } from '../errors.js';
import type { TableSummary } from '../version/table-summary.js';

export type FlushReason = 'memtable-full' | 'manual' | 'recovery';

export interface FlushStartEvent {
  /** File number of the table being written. */
  id: number;
  reason: FlushReason;
  walNumber: number;
  entries: number;
  memtableBytes: number;
  startedAt: number;
}

/** The table a flush wrote, with how the flush went. */
export interface FlushEvent extends TableSummary {
  level: 0;
  durationMs: number;
  reason: FlushReason;
  /** The write-ahead log whose memtable this flush wrote (deleted afterwards). */
  walNumber: number;
  /** Memtable bytes in (approximate, in-memory size); `bytes` is the table written. */
  memtableBytes: number;
  /** The one L0 table written, in the same shape as compaction outputs. */
  outputs: TableSummary[];
  startedAt: number;
}

/** What every compaction event and the running compaction's stats say about which compaction it is. */
export interface CompactionHeader {
  /** Numbers this session's compactions of the collection, from 1. */
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  startedAt: number;
}

/** One level's share of a compaction's inputs. */
export interface CompactionInput {
  level: number;
  /** File numbers. */
  files: number[];
  bytes: number;
}

/** A compaction's inputs, per level and per table. */
export interface CompactionInputs {
  inputs: CompactionInput[];
  /** Every input table, in the shape of outputs. */
  inputTables: TableSummary[];
  inputBytes: number;
}

/** How far a running compaction has got. */
export interface CompactionProgress {
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  /** bytesRead / inputBytes, from 0 to 1. */
  progress: number;
  elapsedMs: number;
}

export interface CompactionStartEvent extends CompactionHeader, CompactionInputs {
  score: number;
  /** A trivial move: files change level by a manifest edit, nothing is rewritten. */
  move?: true;
}

export interface CompactionProgressEvent extends CompactionHeader, CompactionProgress {
  inputBytes: number;
}

export interface CompactionEndEvent extends CompactionHeader, CompactionInputs {
  move?: true;
  outputs: TableSummary[];
  /** Sum of the outputs' sizes (for a move, the bytes moved). */
  outputBytes: number;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  entriesWritten: number;
  droppedEntries: number;
  droppedVersions: number;
  droppedTombstones: number;
  durationMs: number;
}

export interface CompactionErrorEvent extends CompactionHeader {
  message: string;
  cancelled: boolean;
  retryInMs: number | undefined;
  durationMs: number;
}

/** Why writes were slowed or stopped: L0 at its slowdown or stop trigger, or too many memtables waiting for flush. */
export type StallReason = 'memtables-full' | 'level0-slowdown' | 'level0-stop';

export interface WriteStallEvent {
  phase: 'start' | 'end';
  reason: StallReason;
  /** When the stall began. */
  startedAt: number;
  /** On 'end' only. */
  endedAt?: number;
  durationMs?: number;
  /** The state that the gate reacted to, when the event was emitted. */
  level0Files: number;
  immutableMemtables: number;
}

/** The collection failed and now refuses writes (reads go on) until it is reopened. */
export interface BackgroundErrorEvent {
  message: string;
  code: StorageErrorCode;
}

/**
 * Housekeeping that failed without harming data, such as a table no longer
 * needed that could not be deleted: the collection works on, and the file
 * takes space until a later pass or the next open removes it. Counted, with
 * the last few, in stats().warnings.
 */
export interface BackgroundWarningEvent {
  /** What failed, in words: "delete obsolete table", … */
  operation: string;
  /** The file it failed on. */
  path: string;
  message: string;
  /** The system's error code (EACCES, EBUSY, …) when there is one. */
  code: string | undefined;
  at: number;
}
