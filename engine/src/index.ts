/**
 * Strata's public API. Everything the CLI, the desktop app and library users
 * need is exported from here; deeper modules are internal.
 */
export { StorageManager, type StorageManagerOptions, type CollectionSummary } from './manager/storage-manager.js';
export { checkCollectionName, caseVariantOf } from './manager/collection-name.js';
export { Collection, type BatchOperation, type WriteOptions } from './db/collection.js';
export { StorageError, type StorageErrorCode } from './errors.js';
export { DEFAULT_OPTIONS, type CollectionOptions } from './options/options.js';
export type {
  CollectionStats,
  LevelStats,
  RunningCompactionStats,
  CompactionStats,
  WarningStats,
  TornWal,
  LostFile,
  TornManifest,
  RecoveryReport,
  RecoveryGap,
} from './events/stats.js';
export type {
  FlushEvent,
  FlushStartEvent,
  FlushReason,
  CompactionHeader,
  CompactionInput,
  CompactionInputs,
  CompactionProgress,
  CompactionStartEvent,
  CompactionProgressEvent,
  CompactionEndEvent,
  CompactionErrorEvent,
  WriteStallEvent,
  StallReason,
  BackgroundErrorEvent,
  BackgroundWarningEvent,
} from './events/events.js';
export type { CollectionEvents, CollectionEventName, VersionEvent } from './events/collection-events.js';
export type { TableSummary } from './version/table-summary.js';
export type {
  RepairReport,
  RepairProgress,
  RepairedTable,
  RepairedWal,
  RepairMerge,
  ManifestTable,
  DamagedBytes,
} from './repair/repair-report.js';
export type { RepairOptions } from './repair/repair.js';
export type { GetExplanation, LookupStep, MemtableProbe, LevelProbe, TableProbe, BlockRead } from './db/explain-get.js';
export type { TableInspection, TableEntryPreview, InspectTableOptions, TableOrigin } from './db/inspect-table.js';
export type { RangeOptions } from './util/key-range.js';
export { compareKeys } from './util/key-order.js';
export type { FileSystem, AppendableFile, ReadableFile } from './fs/file-system.js';
export { NodeFileSystem } from './fs/node-fs.js';
export { StrataLevel, StrataLevelError, type StrataLevelOptions } from './level/strata-level.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './db/validate.js';
export { type CompactionLauncher, type CompactionWorker, forkLauncher, compactionWorkerPath } from './compaction/launcher.js';
export type { ToWorker, FromWorker, CompactionJob, CompactionResult } from './compaction/protocol.js';
export { importCollection, type ImportOptions, type ImportSource } from './transfer/import.js';
export { exportCollection, type ExportOptions, type ExportDestination, type ExportRange } from './transfer/export.js';
export { type TransferFormat, TRANSFER_FORMATS, formatFromPath } from './transfer/format.js';
export { previewImport, sniffFormat, type ImportPreview } from './transfer/preview.js';
export {
  type TransferProgress,
  type ImportResult,
  type ExportResult,
  type BadRecord,
  type TransferFailure,
  ImportError,
  ExportError,
} from './transfer/progress.js';
