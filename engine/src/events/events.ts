/**
 * The payloads of a collection's events (Collection.on). Plain data, so the
 * app can send them over IPC as they are. Times: `startedAt`/`endedAt` are
 * epoch milliseconds (Date.now()), durations are measured with the monotonic
 * clock. Fields are only ever added.
 */

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

/** One table a flush or compaction wrote (or a move placed). */
export interface TableOutput {
  id: number;
  level: number;
  bytes: number;
  entries: number;
  minKey: string;
  maxKey: string;
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
  reason: FlushReason;
  /** The write-ahead log whose memtable this flush wrote (deleted afterwards). */
  walNumber: number;
  /** Memtable bytes in (approximate, in-memory size); `bytes` is the table written. */
  memtableBytes: number;
  minSequence: number;
  maxSequence: number;
  /** The one L0 table written, in the same shape as compaction outputs. */
  outputs: TableOutput[];
  startedAt: number;
}

export interface CompactionInput {
  level: number;
  /** File numbers. */
  files: number[];
  bytes: number;
}

export interface CompactionStartEvent {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  score: number;
  /** A trivial move: files change level by a manifest edit, nothing is rewritten. */
  move?: true;
  inputs: CompactionInput[];
  /** Every input table with its level, size and key range (the shape of outputs). */
  inputTables: TableOutput[];
  inputBytes: number;
  startedAt: number;
}

export interface CompactionProgressEvent {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  inputBytes: number;
  /** bytesRead / inputBytes, from 0 to 1. */
  progress: number;
  startedAt: number;
  elapsedMs: number;
}

export interface CompactionEndEvent {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  move?: true;
  inputs: CompactionInput[];
  inputTables: TableOutput[];
  inputBytes: number;
  outputs: TableOutput[];
  /** Sum of the outputs' sizes (for a move, the bytes moved). */
  outputBytes: number;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  entriesWritten: number;
  droppedEntries: number;
  droppedVersions: number;
  droppedTombstones: number;
  startedAt: number;
  durationMs: number;
}

export interface CompactionErrorEvent {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  message: string;
  cancelled: boolean;
  retryInMs: number | undefined;
  startedAt: number;
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
