/**
 * What StorageManager.repairCollection returns: exactly what repair kept,
 * rewrote, removed and set aside. Plain, serializable shapes, so the app can
 * send the report over IPC as it is.
 */
import type { LostFile } from '../events/stats.js';

/** Bytes of a file that could not be read back as anything intact. */
export interface DamagedBytes {
  offset: number;
  bytes: number;
  reason: string;
}

/** One SSTable repair found, and what became of it. */
export interface RepairedTable {
  file: string;
  /**
   * kept: verified whole and listed as it is; salvaged: damaged, its intact
   * blocks rewritten into `writtenAs` and the file set aside; lost: nothing
   * in it could be read, set aside; obsolete: the old manifest recorded its
   * deletion (compacted away), set aside so it cannot bring back keys
   * deleted since.
   */
  outcome: 'kept' | 'salvaged' | 'lost' | 'obsolete';
  /** Entries read back from it (all of them for a kept table). */
  entries: number;
  damaged: DamagedBytes[];
  writtenAs?: string;
}

/** One write-ahead log repair found, and what became of its records. */
export interface RepairedWal {
  file: string;
  /**
   * converted: its intact records were written into `writtenAs`;
   * empty: it held no record; obsolete: below the old manifest's log number
   * (already flushed), set aside unreplayed so it cannot bring back keys
   * deleted since.
   */
  outcome: 'converted' | 'empty' | 'obsolete';
  /** Records whose checksums held and whose write batch decoded. */
  recordsKept: number;
  /** Operations in those records. */
  operationsKept: number;
  /** Byte ranges that held no intact record, and records whose batch did not decode. */
  dropped: DamagedBytes[];
  /** Sequence numbers of the kept operations (0 and 0 if none). */
  minSequence: number;
  maxSequence: number;
  writtenAs?: string;
}

/** One table in the new manifest. */
export interface ManifestTable {
  file: string;
  level: number;
  entries: number;
  bytes: number;
  minKey: string;
  maxKey: string;
  minSequence: number;
  maxSequence: number;
  /** kept: the file as it was; salvaged / wal: written by repair from a damaged table / a WAL; merged: see RepairReport.merges. */
  origin: 'kept' | 'salvaged' | 'wal' | 'merged';
}

/**
 * Tables whose key ranges overlap while neither is provably the newer for
 * every key they share: repair merges them (newest version of each key
 * wins, by sequence number) so that no read can find an older version first.
 */
export interface RepairMerge {
  inputs: string[];
  outputs: string[];
}

export interface RepairReport {
  collection: string;
  /** The manifest repair found: what CURRENT named, and whether it could be read. */
  previousManifest: {
    file: string | undefined;
    state: 'intact' | 'damaged' | 'missing';
    /** Edits read from it (past damage too: each is checksummed on its own). */
    editsRead: number;
    /** Tables it listed that are not on disk: their data is gone. */
    missingTables: string[];
    detail?: string;
  };
  /** The OPTIONS file: kept, or rewritten with the defaults (the damaged one is in lost/). */
  options: 'kept' | 'defaults';
  tables: RepairedTable[];
  wals: RepairedWal[];
  merges: RepairMerge[];
  /** The manifest repair wrote. */
  manifest: {
    file: string;
    tables: ManifestTable[];
    lastSequence: number;
    nextFileNumber: number;
    entries: number;
  };
  /** Files set aside in lost/ (never deleted), with why. */
  lostFiles: LostFile[];
  /** Files removed because what they held is in the new manifest's tables (converted WALs, merged tables) or is superseded (old manifests, temp files). */
  removedFiles: { file: string; reason: string }[];
  durationMs: number;
}

/** What repair is doing, for a progress bar: bytes of tables and WALs read so far of all there are. */
export interface RepairProgress {
  phase: 'reading' | 'merging' | 'writing';
  doneBytes: number;
  totalBytes: number;
}
