/**
 * Messages between a collection (the parent) and its compaction worker
 * process. Plain JSON-serializable objects, so they cross both Node's
 * child_process IPC and Electron's utilityProcess MessagePort unchanged.
 */
import type { Compression } from '../table/compression.js';
import type { TableSummary } from '../version/table-summary.js';
import type { KeySpan } from '../util/key-span.js';

export interface CompactionJob {
  id: number;
  /** The collection directory; inputs and outputs live there. */
  directory: string;
  reason: string;
  /** Input files per level, each level's files newest first for L0 and in key order for deeper levels. */
  inputs: { level: number; files: TableSummary[] }[];
  outputLevel: number;
  /** Pre-assigned output file numbers; the worker uses them in order and never more. */
  outputIds: number[];
  /** Per level below outputLevel (outputLevel+1, …), the sorted key spans of its files: a tombstone may be dropped only if none covers its key. */
  deeperSpans: KeySpan[][];
  /** Files of outputLevel+1 (key order), to cut outputs that would overlap too much of it. */
  grandparents: { minKey: string; maxKey: string; bytes: number }[];
  targetFileBytes: number;
  maxGrandparentOverlapBytes: number;
  blockBytes: number;
  bloomBitsPerKey: number;
  compression: Compression;
}

export interface CompactionResult {
  id: number;
  outputs: TableSummary[];
  entriesRead: number;
  entriesWritten: number;
  droppedVersions: number;
  droppedTombstones: number;
  bytesRead: number;
  bytesWritten: number;
}

export type ToWorker = { type: 'compact'; job: CompactionJob } | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: number; bytesRead: number; bytesWritten: number; entriesRead: number }
  | { type: 'done'; result: CompactionResult }
  | { type: 'failed'; id: number; code: string; message: string };
