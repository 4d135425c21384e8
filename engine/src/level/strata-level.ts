import { basename, dirname, resolve } from 'node:path';
import {
  AbstractIterator,
  AbstractKeyIterator,
  AbstractLevel,
  AbstractSnapshot,
  AbstractValueIterator,
  type AbstractDatabaseOptions,
  type AbstractIteratorOptions,
  type AbstractKeyIteratorOptions,
  type AbstractValueIteratorOptions,
} from 'abstract-level';
import type { BatchOperation, Collection, WriteOptions } from '../db/collection.js';
import { OPTIONS_FILE, pathIn } from '../version/file-names.js';
import type { CollectionOptions } from '../options/options.js';
import type { ReadView, ScanIterator } from '../db/scan/scan-iterator.js';
import { checkKey } from '../db/validate.js';
import { StorageError, type StorageErrorCode } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { checkCollectionName } from '../manager/collection-name.js';
import { StorageManager } from '../manager/storage-manager.js';
import { type KeyRange, normalizeRange } from '../util/key-range.js';

/**
 * An abstract-level (v3) database over one Strata collection.
 *
 * `new StrataLevel('/data/users')` is the collection "users" of a
 * StorageManager on "/data": the same files the CLI and the desktop app open,
 * so data written through either is visible to the other (one process at a
 * time: the collection lock is exclusive).
 *
 * Keys: Level allows the empty key and Strata does not, so keys are mapped
 * one-to-one and order-preservingly into Strata's key space: a key that is
 * empty or starts with U+0000 is stored with one extra U+0000 in front; every
 * other key is stored as it is. A key written directly through the engine that
 * starts with U+0000 followed by something other than U+0000 has no Level key
 * and reads back with its first character dropped.
 */
export class StrataLevel extends AbstractLevel<string, string, string> {
  readonly location: string;
  private readonly name: string;
  private readonly fs: FileSystem;
  private readonly manager: StorageManager;
  private readonly collectionOptions: Partial<CollectionOptions> | undefined;
  private collection: Collection | undefined;

  constructor(location: string, options: StrataLevelOptions = {}) {
    if (typeof location !== 'string' || location === '')
      throw new TypeError('StrataLevel: location must be a non-empty string (a directory path)');
    const { collection, fileSystem, ...levelOptions } = options;
    super(
      {
        // Keys and values are UTF-8 strings in Strata. abstract-level transcodes
        // utf8-compatible encodings (json, custom ones) on top. Not 'buffer' or
        // 'view': arbitrary bytes (e.g. 0x80 alone) have no UTF-8 string form, so
        // binary keys would be mangled (and reordered) on the way in.
        encodings: { utf8: true },
        permanence: true,
        seek: true,
        // Point reads are synchronous under the hood and scans pin a point-in-time
        // view when created, so every read sees one consistent state.
        implicitSnapshots: true,
        // db.snapshot() pins a view (memtables + table version) that get, getMany,
        // has, hasMany, getSync, iterators and clear can read.
        explicitSnapshots: true,
        deferredOpen: true,
        createIfMissing: true,
        errorIfExists: true,
        has: true,
        getSync: true,
        // Off: every read completes synchronously inside the call (entries come
        // from memory or pread in batches), so there is never an in-flight read
        // to abort. abstract-level still rejects reads after the signal fires.
        signals: { iterators: false },
      } as ConstructorParameters<typeof AbstractLevel>[0],
      levelOptions,
    );
    const full = resolve(location);
    this.location = full;
    this.name = checkCollectionName(basename(full));
    this.fs = fileSystem ?? new NodeFileSystem();
    this.collectionOptions = collection;
    this.manager = new StorageManager({ baseDataPath: dirname(full), fileSystem: this.fs });
  }

  /** The open collection; for tests and tools that want engine-level access (stats, flush). */
  get strataCollection(): Collection | undefined {
    return this.collection;
  }

  // ---- lifecycle ------------------------------------------------------------

  async _open(options: { createIfMissing: boolean; errorIfExists: boolean }): Promise<void> {
    try {
      if (options.errorIfExists && (await this.fs.exists(pathIn(this.location, OPTIONS_FILE)))) {
        throw new StorageError('COLLECTION_EXISTS', `database ${this.location} already exists (errorIfExists is set)`);
      }
      let c: Collection;
      try {
        c = await this.manager.getCollection(this.name);
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'COLLECTION_NOT_FOUND' && options.createIfMissing)) throw err;
        try {
          await this.manager.createCollection(this.name, this.collectionOptions);
        } catch (createErr) {
          // Someone else created it meanwhile: open theirs.
          if (!(createErr instanceof StorageError && createErr.code === 'COLLECTION_EXISTS')) throw createErr;
        }
        c = await this.manager.getCollection(this.name);
      }
      this.collection = c;
    } catch (err) {
      throw levelError(err);
    }
  }

  async _close(): Promise<void> {
    this.collection = undefined;
    try {
      await this.manager.closeAll();
    } catch (err) {
      throw levelError(err);
    }
  }

  private get live(): Collection {
    const c = this.collection;
    if (c === undefined || !c.isOpen) throw new StrataLevelError('Database is not open', 'LEVEL_DATABASE_NOT_OPEN');
    return c;
  }

  // ---- reads ------------------------------------------------------------------

  _getSync(key: string, options: ReadOptions): string | undefined {
    try {
      const c = this.live;
      const k = toEngineKey(key);
      return options.snapshot === undefined ? c.getSync(k) : getAt(c, options.snapshot, k);
    } catch (err) {
      throw levelError(err);
    }
  }

  async _get(key: string, options: ReadOptions): Promise<string | undefined> {
    return this._getSync(key, options);
  }

  async _getMany(keys: string[], options: ReadOptions): Promise<(string | undefined)[]> {
    return keys.map((key) => this._getSync(key, options));
  }

  async _has(key: string, options: ReadOptions): Promise<boolean> {
    return this._getSync(key, options) !== undefined;
  }

  async _hasMany(keys: string[], options: ReadOptions): Promise<boolean[]> {
    return keys.map((key) => this._getSync(key, options) !== undefined);
  }

  // ---- writes -----------------------------------------------------------------

  async _put(key: string, value: string, options: WriteLevelOptions): Promise<void> {
    try {
      await this.live.put(toEngineKey(key), value, writeOptions(options));
    } catch (err) {
      throw levelError(err);
    }
  }

  async _del(key: string, options: WriteLevelOptions): Promise<void> {
    try {
      await this.live.delete(toEngineKey(key), writeOptions(options));
    } catch (err) {
      throw levelError(err);
    }
  }

  async _batch(operations: LevelBatchOp[], options: WriteLevelOptions): Promise<void> {
    try {
      const ops: BatchOperation[] = operations.map((op) =>
        op.type === 'put'
          ? { type: 'put', key: toEngineKey(op.key), value: op.value as string }
          : { type: 'delete', key: toEngineKey(op.key) },
      );
      await this.live.batch(ops, writeOptions(options));
    } catch (err) {
      throw levelError(err);
    }
  }

  /** Deletes the range as it is now (or in `options.snapshot`), in batches; later writes are untouched. */
  async _clear(options: LevelRangeOptions): Promise<void> {
    try {
      const c = this.live;
      const scan = openScan(c, toKeyRange(options), true, options.snapshot);
      try {
        for (;;) {
          const chunk = scan.nextBatch(CLEAR_BATCH);
          if (chunk.length === 0) break;
          await c.batch(chunk.map(([key]) => ({ type: 'delete', key })));
        }
      } finally {
        scan.end();
      }
    } catch (err) {
      throw levelError(err);
    }
  }

  // ---- iterators and snapshots ---------------------------------------------------

  _iterator(options: LevelRangeOptions): StrataIterator {
    return new StrataIterator(this, options, this.openCursor(options));
  }

  _keys(options: LevelRangeOptions): StrataKeyIterator {
    return new StrataKeyIterator(this, options, this.openCursor(options));
  }

  _values(options: LevelRangeOptions): StrataValueIterator {
    return new StrataValueIterator(this, options, this.openCursor(options));
  }

  _snapshot(options: object): StrataSnapshot {
    try {
      return new StrataSnapshot(options, this.live.pinReadView());
    } catch (err) {
      throw levelError(err);
    }
  }

  private openCursor(options: LevelRangeOptions): Cursor {
    try {
      return new Cursor(this.live, toKeyRange(options), options.snapshot);
    } catch (err) {
      throw levelError(err);
    }
  }
}

export interface StrataLevelOptions extends AbstractDatabaseOptions<string, string> {
  /** Options for the collection if open() creates it; an existing collection keeps the options it was created with. */
  collection?: Partial<CollectionOptions>;
  /** The file-system seam (tests pass a fault-injecting one). */
  fileSystem?: FileSystem;
}

/** An error with an abstract-level code; the engine's StorageError, if any, is its cause. */
export class StrataLevelError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StrataLevelError';
  }
}

const LEVEL_CODES: Partial<Record<StorageErrorCode, string>> = {
  INVALID_KEY: 'LEVEL_INVALID_KEY',
  INVALID_VALUE: 'LEVEL_INVALID_VALUE',
  CLOSED: 'LEVEL_DATABASE_NOT_OPEN',
  COLLECTION_LOCKED: 'LEVEL_LOCKED',
  CORRUPTION: 'LEVEL_CORRUPTION',
  IO_ERROR: 'LEVEL_IO_ERROR',
};

/**
 * Translates a StorageError whose code has an abstract-level counterpart;
 * others (INVALID_NAME, COLLECTION_NOT_FOUND, ...) pass through unchanged.
 */
function levelError(err: unknown, closedCode = 'LEVEL_DATABASE_NOT_OPEN'): unknown {
  if (!(err instanceof StorageError)) return err;
  const code = err.code === 'CLOSED' ? closedCode : LEVEL_CODES[err.code];
  return code === undefined ? err : new StrataLevelError(err.message, code, { cause: err });
}

// ---- key mapping ------------------------------------------------------------------

const NUL = '\u0000';

/** Level key -> engine key: strictly increasing and one-to-one, and the identity unless the key is empty or starts with U+0000. */
export function toEngineKey(key: string): string {
  return key.length === 0 || key.charCodeAt(0) === 0 ? NUL + key : key;
}

/** Engine key -> Level key (inverse of toEngineKey). */
export function fromEngineKey(key: string): string {
  return key.charCodeAt(0) === 0 ? key.slice(1) : key;
}

// ---- internals --------------------------------------------------------------------

const CLEAR_BATCH = 1000;

interface ReadOptions {
  snapshot?: StrataSnapshot;
}

interface WriteLevelOptions {
  sync?: unknown;
}

interface LevelBatchOp {
  type: 'put' | 'del';
  key: string;
  value?: string;
}

interface LevelRangeOptions {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  limit: number;
  reverse: boolean;
  snapshot?: StrataSnapshot;
}

function writeOptions(options: WriteLevelOptions): WriteOptions | undefined {
  return options.sync === true ? { sync: true } : undefined;
}

/**
 * abstract-level's encoded range options (limit -1 = none) as an engine KeyRange.
 * In Level, gte takes precedence over gt and lte over lt (sublevels rely on
 * it); the engine would take the tighter of each pair, so only one is passed.
 */
function toKeyRange(options: LevelRangeOptions): KeyRange {
  const bound = (b: string | undefined) => (b === undefined ? undefined : toEngineKey(String(b)));
  const gte = bound(options.gte);
  const lte = bound(options.lte);
  return normalizeRange({
    gte,
    gt: gte === undefined ? bound(options.gt) : undefined,
    lte,
    lt: lte === undefined ? bound(options.lt) : undefined,
    limit: options.limit,
    reverse: options.reverse,
  });
}

function snapshotNotOpen(): StrataLevelError {
  return new StrataLevelError('Snapshot is not open: cannot use snapshot after close()', 'LEVEL_SNAPSHOT_NOT_OPEN');
}

function openScan(c: Collection, range: KeyRange, releaseAtEnd: boolean, snapshot: StrataSnapshot | undefined): ScanIterator {
  if (snapshot === undefined) return c.openScan(range, releaseAtEnd);
  const view = snapshot.share();
  if (view === undefined) throw snapshotNotOpen();
  return c.openScan(range, releaseAtEnd, view);
}

/** Point lookup in an explicit snapshot: a one-key scan of its pinned view. */
function getAt(c: Collection, snapshot: StrataSnapshot, key: string): string | undefined {
  checkKey(key);
  const scan = openScan(
    c,
    { lower: key, lowerInclusive: true, upper: key, upperInclusive: true, reverse: false, limit: 1 },
    true,
    snapshot,
  );
  try {
    return scan.nextBatch(1)[0]?.[1];
  } finally {
    scan.end();
  }
}

/**
 * A pinned point-in-time view. Iterators and reads share it through share();
 * the engine's view is released once the snapshot is closed and every scan
 * on it has ended.
 */
// The published typings omit the constructor's options argument ({ owner }).
const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot;

export class StrataSnapshot extends SnapshotBase {
  private view: ReadView | undefined;
  private refs = 1;
  private closed = false;

  constructor(options: object, view: ReadView) {
    super(options);
    this.view = view;
  }

  /** A handle on the pinned view for one scan, or undefined once the snapshot is closed. */
  share(): ReadView | undefined {
    const view = this.view;
    if (view === undefined || this.closed) return undefined;
    this.refs++;
    let released = false;
    return {
      snapshot: view.snapshot,
      sources: (range) => view.sources(range),
      release: () => {
        if (released) return;
        released = true;
        this.drop();
      },
    };
  }

  private drop(): void {
    if (--this.refs > 0) return;
    this.view?.release();
    this.view = undefined;
  }

  async _close(): Promise<void> {
    this.closed = true;
    this.drop();
  }
}

/**
 * One engine scan behind a Level iterator. The scan is created with the
 * iterator (that is its implicit snapshot) and never releases at its end, so
 * seek() can reposition it; entries come out synchronously in batches.
 */
class Cursor {
  private scan: ScanIterator | undefined;

  constructor(c: Collection, range: KeyRange, snapshot: StrataSnapshot | undefined) {
    // With a snapshot that is already closed, leave the scan unopened:
    // abstract-level rejects every read with LEVEL_SNAPSHOT_NOT_OPEN first.
    if (snapshot === undefined) this.scan = c.openScan(range, false);
    else {
      const view = snapshot.share();
      if (view !== undefined) this.scan = c.openScan(range, false, view);
    }
  }

  private get live(): ScanIterator {
    if (this.scan === undefined) throw snapshotNotOpen();
    return this.scan;
  }

  /** Up to `max` entries, keys mapped back to Level keys. */
  entries(max: number): [string, string][] {
    let batch: [string, string][];
    try {
      batch = this.live.nextBatch(max);
    } catch (err) {
      throw levelError(err, 'LEVEL_ITERATOR_NOT_OPEN');
    }
    // The entries are fresh arrays of our own: map keys in place.
    for (const entry of batch) if (entry[0].charCodeAt(0) === 0) entry[0] = fromEngineKey(entry[0]);
    return batch;
  }

  seek(target: string): void {
    try {
      this.live.seek(toEngineKey(String(target)));
    } catch (err) {
      throw levelError(err, 'LEVEL_ITERATOR_NOT_OPEN');
    }
  }

  close(): void {
    this.scan?.end();
  }
}

export class StrataIterator extends AbstractIterator<StrataLevel, string, string> {
  constructor(
    db: StrataLevel,
    options: LevelRangeOptions,
    private readonly cursor: Cursor,
  ) {
    super(db, options as unknown as AbstractIteratorOptions<string, string>);
  }

  async _next(): Promise<[string, string] | undefined> {
    return this.cursor.entries(1)[0];
  }

  async _nextv(size: number): Promise<[string, string][]> {
    return this.cursor.entries(size);
  }

  async _all(): Promise<[string, string][]> {
    return this.cursor.entries(Infinity);
  }

  _seek(target: string): void {
    this.cursor.seek(target);
  }

  async _close(): Promise<void> {
    this.cursor.close();
  }
}

export class StrataKeyIterator extends AbstractKeyIterator<StrataLevel, string> {
  constructor(
    db: StrataLevel,
    options: LevelRangeOptions,
    private readonly cursor: Cursor,
  ) {
    super(db, options as unknown as AbstractKeyIteratorOptions<string>);
  }

  async _next(): Promise<string | undefined> {
    return this.cursor.entries(1)[0]?.[0];
  }

  async _nextv(size: number): Promise<string[]> {
    return this.cursor.entries(size).map((e) => e[0]);
  }

  async _all(): Promise<string[]> {
    return this.cursor.entries(Infinity).map((e) => e[0]);
  }

  _seek(target: string): void {
    this.cursor.seek(target);
  }

  async _close(): Promise<void> {
    this.cursor.close();
  }
}

export class StrataValueIterator extends AbstractValueIterator<StrataLevel, string, string> {
  constructor(
    db: StrataLevel,
    options: LevelRangeOptions,
    private readonly cursor: Cursor,
  ) {
    super(db, options as unknown as AbstractValueIteratorOptions<string, string>);
  }

  async _next(): Promise<string | undefined> {
    return this.cursor.entries(1)[0]?.[1];
  }

  async _nextv(size: number): Promise<string[]> {
    return this.cursor.entries(size).map((e) => e[1]);
  }

  async _all(): Promise<string[]> {
    return this.cursor.entries(Infinity).map((e) => e[1]);
  }

  _seek(target: string): void {
    this.cursor.seek(target);
  }

  async _close(): Promise<void> {
    this.cursor.close();
  }
}
