// The one declaration of Strata's IPC surface. Main registers a handler per
// entry, the preload exposes a function per entry, the web server dispatches
// by entry, and the renderer's client is typed from it. The operation names
// are listed once more in operations.ts, for the preload, which must not
// bundle this module's schema library; `satisfies` below makes the compiler
// refuse any difference between the two lists.
//
// Each entry pairs a zod schema for the argument (the renderer is untrusted:
// main validates type and size of everything) with a phantom result type.
import { z } from 'zod';
import type {
  AppInfo,
  CollectionSummary,
  DownloadTicket,
  JobProgress,
  KeyCount,
  ImportPreviewView,
  KeyPage,
  PushEvent,
  UploadTicket,
  ValueView,
} from './types';
import type { LsmHistory } from '../model/history';
import type { GetExplanation } from '../model/lookup';
import type { CollectionStats } from '../model/stats';
import type { TableInspection } from '../model/table-inspection';
import type { PlainDataFaults } from '../model/plain-data';
import { LIMITS } from './limits';
import { IMPORT_MODES, TRANSFER_FORMATS } from '../model/transfer';
import { WORKLOAD_PATTERNS } from '../model/workload';
import type { Operation } from './operations';

export { LIMITS };

declare const resultType: unique symbol;
/** A type-only marker: carries the result type of an operation, never a value at runtime. */
export type Returns<T> = { readonly [resultType]?: T };
const returns = <T>(): Returns<T> => ({});

/** One operation: the schema its argument must pass, and the type of its result. */
interface Entry {
  args: z.ZodType;
  result: Returns<unknown>;
}

const collectionName = z.string().min(1).max(64);
const key = z.string().max(LIMITS.maxKeyChars);
const filter = z.strictObject({
  prefix: key.optional(),
  gte: key.optional(),
  lt: key.optional(),
  lte: key.optional(),
});
/**
 * Keys for one delete: bounded in count and in total length, so that the
 * whole call fits in one WebSocket frame (wire.ts). `maxTotalChars` tells
 * the frame-size test what the refinement enforces.
 */
const keyList = z
  .array(key.min(1))
  .min(1)
  .max(LIMITS.maxKeysPerCall)
  .refine((keys) => keys.reduce((sum, k) => sum + k.length, 0) <= LIMITS.maxKeysCharsPerCall, {
    message: `the keys together must be at most ${LIMITS.maxKeysCharsPerCall} characters; delete them in several calls`,
  })
  .meta({ maxTotalChars: LIMITS.maxKeysCharsPerCall });
const noArgs = z.strictObject({}).optional();
const format = z.enum(TRANSFER_FORMATS);
const onError = z.enum(IMPORT_MODES);
const fileName = z.string().min(1).max(1024);
const sizeBytes = z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

export const contract = {
  'app.info': { args: noArgs, result: returns<AppInfo>() },
  /** Electron only: shows the native folder picker; null when the user cancels. */
  'folder.choose': { args: noArgs, result: returns<AppInfo | null>() },
  'folder.open': { args: z.strictObject({ path: z.string().min(1).max(LIMITS.maxPathChars) }), result: returns<AppInfo>() },

  'collections.list': { args: noArgs, result: returns<CollectionSummary[]>() },
  /** Inline validation as the user types: the engine's own rules and message, or null when the name is fine. */
  'collections.checkName': { args: z.strictObject({ name: z.string().max(1024) }), result: returns<string | null>() },
  'collections.create': { args: z.strictObject({ name: collectionName }), result: returns<CollectionSummary>() },
  'collections.open': { args: z.strictObject({ name: collectionName }), result: returns<CollectionSummary>() },
  'collections.close': { args: z.strictObject({ name: collectionName }), result: returns<void>() },
  /** `confirm` must repeat the name: a second, deliberate input before data is destroyed. */
  'collections.drop': { args: z.strictObject({ name: collectionName, confirm: collectionName }), result: returns<void>() },
  'collections.stats': { args: z.strictObject({ name: collectionName }), result: returns<CollectionStats>() },
  /**
   * Repairs a collection that no longer opens (offered when an open fails with CORRUPTION), as a job:
   * progress in bytes read, and the report in the finished job's `repair`.
   */
  'collections.repair': { args: z.strictObject({ name: collectionName }), result: returns<JobProgress>() },

  /** One cursor page of the key browser. `after` continues past a key; `from` starts at one (jump to key). */
  'keys.page': {
    args: z.strictObject({
      collection: collectionName,
      filter,
      reverse: z.boolean(),
      after: key.optional(),
      from: key.optional(),
      limit: z.int().min(1).max(LIMITS.maxPageRows),
    }),
    result: returns<KeyPage>(),
  },
  'keys.get': {
    args: z.strictObject({ collection: collectionName, key: key.min(1), full: z.boolean().optional() }),
    result: returns<ValueView | null>(),
  },
  'keys.put': {
    args: z.strictObject({ collection: collectionName, key: key.min(1), value: z.string().max(LIMITS.maxValueChars) }),
    result: returns<void>(),
  },
  'keys.delete': {
    args: z.strictObject({ collection: collectionName, keys: keyList }),
    result: returns<{ deleted: number }>(),
  },
  /** Counts what a filter matches, up to `max`, for "Delete all matching" confirmations. */
  'keys.count': {
    args: z.strictObject({ collection: collectionName, filter, max: z.int().min(1).max(LIMITS.maxCount) }),
    result: returns<KeyCount>(),
  },

  /** Deletes everything the filter matches, in batches, as a cancellable job reported through 'job' events. */
  'jobs.deleteMatching': {
    args: z.strictObject({ collection: collectionName, filter, expected: z.int().min(0).max(LIMITS.maxCount).optional() }),
    result: returns<JobProgress>(),
  },
  'jobs.cancel': { args: z.strictObject({ id: z.string().min(1).max(64) }), result: returns<void>() },
  /** The Levels view's workload generator: writes `count` operations at `rate` per second (0 = as fast as possible). */
  'jobs.workload': {
    args: z.strictObject({
      collection: collectionName,
      count: z.int().min(1).max(LIMITS.maxWorkloadOps),
      rate: z.int().min(0).max(10_000_000),
      pattern: z.enum(WORKLOAD_PATTERNS),
      valueBytes: z
        .int()
        .min(0)
        .max(64 * 1024),
      keyPrefix: z.string().max(64),
    }),
    result: returns<JobProgress>(),
  },

  /** Flushes the memtable now (the "Flush now" action). */
  'lsm.flush': { args: z.strictObject({ collection: collectionName }), result: returns<void>() },
  /** Compacts everything, or the tables overlapping [gte, lt). Returns when the compaction is done. */
  'lsm.compact': {
    args: z.strictObject({ collection: collectionName, range: z.strictObject({ gte: key.optional(), lt: key.optional() }).optional() }),
    result: returns<void>(),
  },
  /** Recent flushes and compactions with the tree after each, and per-second samples, since the collection was opened. */
  'lsm.history': { args: z.strictObject({ collection: collectionName }), result: returns<LsmHistory>() },
  /** "Where is this key?": the path a get takes through memtables, levels, filters and blocks. */
  'lsm.explainGet': { args: z.strictObject({ collection: collectionName, key: key.min(1) }), result: returns<GetExplanation>() },
  /** The SSTable inspector: properties of one live table and its first entries. */
  'lsm.inspectTable': {
    args: z.strictObject({ collection: collectionName, fileNumber: z.int().min(1), firstEntries: z.int().min(0).max(1000).optional() }),
    result: returns<TableInspection>(),
  },

  /** Electron: the native open dialog, then a preview of the chosen file; null when the user cancels. */
  'transfer.chooseImportFile': { args: noArgs, result: returns<ImportPreviewView | null>() },
  /** Web mode: a preview from the first bytes of the file the user picked, read in the browser. */
  'transfer.previewSample': {
    args: z.strictObject({ sample: z.string().max(LIMITS.previewSampleChars), fileName, sizeBytes, format: format.optional() }),
    result: returns<ImportPreviewView>(),
  },
  /** Electron: the preview of a file chosen with transfer.chooseImportFile, read again in the format the user picked. */
  'transfer.previewFile': {
    args: z.strictObject({ path: z.string().min(1).max(LIMITS.maxPathChars), format }),
    result: returns<ImportPreviewView>(),
  },
  /** Electron: imports a file chosen with transfer.chooseImportFile, as a job. */
  'transfer.importFile': {
    args: z.strictObject({ collection: collectionName, path: z.string().min(1).max(LIMITS.maxPathChars), format, onError }),
    result: returns<JobProgress>(),
  },
  /** Web mode: starts an import job that waits for the file at `uploadPath` (POST from the page: session cookie and Origin). */
  'transfer.beginUpload': {
    args: z.strictObject({ collection: collectionName, fileName, sizeBytes, format, onError }),
    result: returns<UploadTicket>(),
  },
  /** Electron: the native save dialog, then an export job; null when the user cancels. */
  'transfer.exportFile': { args: z.strictObject({ collection: collectionName, filter, format }), result: returns<JobProgress | null>() },
  /**
   * Web mode: starts an export job that streams to the browser from the
   * ticket's `downloadUrl` (GET, once, within a few seconds; the URL's
   * one-time ticket is good for this download only).
   */
  'transfer.beginDownload': { args: z.strictObject({ collection: collectionName, filter, format }), result: returns<DownloadTicket>() },
} as const satisfies Record<Operation, Entry>;

export type Contract = typeof contract;
export type ArgsOf<K extends Operation> = z.input<Contract[K]['args']>;
export type ResultOf<K extends Operation> = Contract[K]['result'] extends Returns<infer T> ? T : never;

/** The typed shape every side implements or consumes: one async function per operation. */
export type StrataApi = { [K in Operation]: (args: ArgsOf<K>) => Promise<ResultOf<K>> };

/**
 * Compile-time proof that every result and every push is plain data (see
 * model/plain-data.ts): a function, an undefined-typed field or an
 * `unknown` anywhere in them fails the typecheck here, naming its path.
 */
export type WireIsPlain = [
  NoFaults<PlainDataFaults<{ [K in Operation]: Exclude<ResultOf<K>, void> }, 'result'>>,
  NoFaults<PlainDataFaults<PushEvent, 'push'>>,
];
type NoFaults<T extends never> = T;
