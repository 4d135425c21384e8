/**
 * The seam between a collection and its compactions. db/ declares it and
 * compaction/ implements it (CompactionScheduler); the manager, above both,
 * hands the collection a factory for the real one. So the collection, which
 * only says when there may be work and reports the numbers, never imports
 * the layer above it.
 */
import type { StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { EmitEvent } from '../events/collection-events.js';
import type { CompactionEndEvent } from '../events/events.js';
import type { CompactionStats } from '../events/stats.js';
import type { CollectionOptions } from '../options/options.js';
import type { VersionSet } from '../version/version-set.js';

/** What a compactor may use of its collection. */
export interface CompactionHost {
  readonly fs: FileSystem;
  readonly directory: string;
  readonly options: CollectionOptions;
  readonly versions: VersionSet;
  /** False once the collection is closing or has failed: no new jobs, no retries. */
  acceptingWork(): boolean;
  emit: EmitEvent;
  /** Puts the collection into its failed state. */
  fail(err: StorageError): void;
  /** Reports housekeeping that failed without harming data (a background-warning event). */
  warn(operation: string, path: string, err: unknown): void;
  /** A compaction's edit is installed: announces its end, and lets go of the input files it made obsolete. */
  installed(end: CompactionEndEvent, obsoleteIds: readonly number[]): void;
}

/** A key range for compact(): [gte, lt), either end open when left out. */
export interface KeyBounds {
  /** Inclusive lower bound. */
  gte?: string;
  /** Exclusive upper bound. */
  lt?: string;
}

/** The numbers stats() reports about compaction. */
export interface CompactionReport {
  status: CompactionStats;
  /** Per level: its score (>= 1: due), bytes read from it as inputs, bytes written into it. */
  levels: { score: number; bytesRead: number; bytesWritten: number }[];
  /** Compactions finished this session, trivial moves included. */
  completed: number;
  bytesWritten: number;
}

export interface Compactor {
  /** Starts an automatic compaction if one is due and nothing else is running. */
  maybeSchedule(): void;
  /** Gets ready for work ahead of need (once tables exist). */
  prepare(): void;
  /** Compacts every level's files overlapping `bounds` down, level by level; resolves when done. */
  compactRange(bounds: KeyBounds): Promise<void>;
  /** Cancels a running job and waits for it to settle. */
  stop(): Promise<void>;
  report(): CompactionReport;
}

export type CompactorFactory = (host: CompactionHost) => Compactor;
