// Plain data that crosses the IPC boundary. Everything here must survive
// structured clone (Electron) and JSON (web mode): no classes, no Maps, no
// undefined values (a field that may be absent is optional or null). The
// engine's data (stats, events, lookups, repair reports) has its own wire
// types in ../model, which main maps the engine's objects onto; nothing in
// shared imports the engine.
import type { EngineEvent } from '../model/events';
import type { RepairReport } from '../model/repair';
import type { CollectionStats } from '../model/stats';
import type { TransferFormat } from '../model/transfer';

export type AppMode = 'electron' | 'web';

export interface AppInfo {
  mode: AppMode;
  version: string;
  dataDir: string;
  recentDirs: string[];
  /** Whether "Open folder…" can show a native dialog (Electron) or must take a typed path (web). */
  nativeDialogs: boolean;
  limits: { maxKeyBytes: number; maxValueBytes: number; previewChars: number; fullValueChars: number };
}

export interface CollectionSummary {
  name: string;
  open: boolean;
  /** Entries in tables (and memtables while open): overwrites and tombstones make it approximate; null if unreadable. */
  approxKeys: number | null;
  diskBytes: number;
  files: number;
}

/** What the key browser is looking at. A prefix and a range can be combined; the engine intersects every bound given. */
export interface KeyFilter {
  prefix?: string;
  gte?: string;
  lt?: string;
  /** Inclusive upper bound: a table's key range ends at its last key, which a `lt` could only approximate. */
  lte?: string;
}

export interface KeyRow {
  key: string;
  /** The first `previewChars` characters of the value. */
  preview: string;
  valueBytes: number;
}

export interface KeyPage {
  rows: KeyRow[];
  /** True when the scan reached the end of the filter in this direction. */
  done: boolean;
}

export interface ValueView {
  key: string;
  value: string;
  valueBytes: number;
  /** True when only the first `fullValueChars` characters were sent. */
  truncated: boolean;
}

export interface KeyCount {
  count: number;
  /** False when counting stopped at the requested maximum. */
  complete: boolean;
}

export type JobKind = 'delete-matching' | 'workload' | 'import' | 'export' | 'repair';
export type JobState = 'running' | 'done' | 'cancelled' | 'failed';

export interface JobProgress {
  id: string;
  kind: JobKind;
  collection: string;
  state: JobState;
  done: number;
  total: number | null;
  message: string;
  startedAt: number;
  finishedAt: number | null;
  /** What `done` and `total` count. */
  unit: 'keys' | 'operations' | 'bytes';
  /** Import and export: records written so far, and the bad records skipped (the first 100, by line). */
  records?: number;
  skipped?: number;
  badRecords?: { line: number; message: string }[];
  /** Repair, once done: exactly what was kept, rewritten and set aside. */
  repair?: RepairReport;
}

/** Everything main pushes to the renderer. Engine events and stats are coalesced to ~10 updates/s. */
export type PushEvent =
  | { kind: 'engine'; collection: string; events: EngineEvent[]; stats: CollectionStats | null }
  | { kind: 'collections-changed' }
  | { kind: 'folder-changed'; dataDir: string }
  | { kind: 'job'; job: JobProgress };

/** How every failed call reaches the renderer: a stable code and a message that names what was wrong. */
export interface IpcErrorShape {
  code: string;
  message: string;
  operation: string;
}

/** What "Import…" shows before anything is written. */
export interface ImportPreviewView {
  fileName: string;
  sizeBytes: number | null;
  format: TransferFormat;
  formatFrom: 'option' | 'extension' | 'content';
  records: { line: number; key: string; value: string }[];
  problems: { line: number; message: string }[];
  sampleEnded: boolean;
  /** Electron: the chosen file, to pass to transfer.importFile. */
  path?: string;
}

/** Web mode: a started upload job and where to POST the file. */
export interface UploadTicket {
  job: JobProgress;
  uploadPath: string;
}

/**
 * Web mode: a started export job and the URL the browser downloads it from.
 * The URL holds a one-time ticket: it starts this download once, within a
 * few seconds, and is good for nothing else. Only the caller receives it
 * (job events, which every client sees, do not carry it).
 */
export interface DownloadTicket {
  job: JobProgress;
  downloadUrl: string;
}
