// Engine events as the app receives them: one discriminated union, tagged
// by `type`, so a consumer that narrows on the tag gets the payload's type.
// Plain data, absent fields null: see recovery.ts for the wire rule. Times
// named `…At` are epoch milliseconds; durations are milliseconds.
import type { BackgroundWarning, CompactionInput, LevelStats, StallReason, TableStats } from './stats';

export type FlushReason = 'memtable-full' | 'manual' | 'recovery';

export interface FlushStart {
  /** File number of the table being written. */
  id: number;
  reason: FlushReason;
  walNumber: number;
  entries: number;
  memtableBytes: number;
  startedAt: number;
}

/** A flush's end: the L0 table it wrote, and what it took. */
export interface FlushEnd extends TableStats {
  durationMs: number;
  reason: FlushReason;
  /** The write-ahead log whose memtable this flush wrote (deleted afterwards). */
  walNumber: number;
  /** Memtable bytes in (approximate, in-memory size); `bytes` is the table written. */
  memtableBytes: number;
  /** The one L0 table written, in the same shape as compaction outputs. */
  outputs: TableStats[];
  startedAt: number;
}

export interface CompactionStart {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  score: number;
  /** A trivial move: files change level by a manifest edit, nothing is rewritten. */
  move: boolean;
  inputs: CompactionInput[];
  inputTables: TableStats[];
  inputBytes: number;
  startedAt: number;
}

export interface CompactionProgress {
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

export interface CompactionEnd {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  move: boolean;
  inputs: CompactionInput[];
  inputTables: TableStats[];
  inputBytes: number;
  outputs: TableStats[];
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

export interface CompactionError {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  message: string;
  cancelled: boolean;
  /** When the scheduler tries again; null when it will not. */
  retryInMs: number | null;
  startedAt: number;
  durationMs: number;
}

export interface WriteStall {
  phase: 'start' | 'end';
  reason: StallReason;
  /** When the stall began. */
  startedAt: number;
  /** On 'end' only; null on 'start'. */
  endedAt: number | null;
  durationMs: number | null;
  /** The state that the write gate reacted to, when the event was emitted. */
  level0Files: number;
  immutableMemtables: number;
}

/** The tree's levels after a flush or compaction changed them. */
export interface VersionChange {
  levels: LevelStats[];
}

/** The collection stopped accepting writes after an I/O failure. */
export interface BackgroundError {
  message: string;
  code: string | null;
}

/** Every event the app forwards, by name, with its payload. */
export interface EngineEventPayloads {
  'flush-start': FlushStart;
  'flush-end': FlushEnd;
  'compaction-start': CompactionStart;
  'compaction-progress': CompactionProgress;
  'compaction-end': CompactionEnd;
  'compaction-error': CompactionError;
  'write-stall': WriteStall;
  version: VersionChange;
  'background-error': BackgroundError;
  'background-warning': BackgroundWarning;
}

export type EngineEventType = keyof EngineEventPayloads;

/** One engine event as main recorded it: its name, when it arrived (epoch ms), and its payload. */
export type EngineEvent = { [T in EngineEventType]: { type: T; at: number; payload: EngineEventPayloads[T] } }[EngineEventType];
