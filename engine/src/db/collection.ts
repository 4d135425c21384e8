import { EventEmitter } from 'node:events';
import { ioError, StorageError } from '../errors.js';
import type { CollectionEventName, CollectionEvents } from '../events/collection-events.js';
import type { FlushEvent, FlushReason, FlushStartEvent } from '../events/events.js';
import type { CollectionStats, RecoveryReport } from '../events/stats.js';
import type { AppendableFile, FileSystem } from '../fs/file-system.js';
import type { BatchOp } from '../log/write-batch.js';
import { Memtable } from '../memtable/memtable.js';
import type { CollectionOptions } from '../options/options.js';
import { BlockCache } from '../table/block-cache.js';
import { type KeyRange, normalizeRange, type RangeOptions } from '../util/key-range.js';
import { LOCK_FILE, pathIn, tableFileName, walFileName } from '../version/file-names.js';
import type { TableSummary } from '../version/table-summary.js';
import type { Version } from '../version/version.js';
import type { VersionSet } from '../version/version-set.js';
import { collectionStats, describeLevels } from './collection-stats.js';
import { CommitQueue, type CommitTarget } from './commit-queue.js';
import type { Compactor, CompactorFactory } from './compactor.js';
import { explainLookup, type GetExplanation } from './explain-get.js';
import { writeLevel0Table } from './flush.js';
import { FlushThreadStopped, type FlushRunner } from './flush-thread.js';
import { describeTable, type InspectTableOptions, type TableInspection } from './inspect-table.js';
import { CollectionLock } from './lock.js';
import { ObsoleteTables } from './obsolete-tables.js';
import { pointLookup, type ReadState } from './read-path.js';
import { recover } from './recovery.js';
import { type ReadView, ScanIterator } from './scan/scan-iterator.js';
import { scanSources } from './scan/sources.js';
import { TableCache } from './table-cache.js';
import { TableOrigins } from './table-origins.js';
import { batchOps, checkKey, checkSyncOption, deleteOp, putOp } from './validate.js';
import { Warnings } from './warnings.js';
import { type GateState, WriteGate } from './write-gate.js';

export interface WriteOptions {
  sync?: boolean;
}

export type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

type State = 'open' | 'closing' | 'closed';

/** Asked on every write: one shared object rather than a new one each time. */
const OPEN: GateState = { state: 'open' };

/**
 * The write path's state: the WAL taking writes, when its directory entry is
 * durable, the last sequence committed, and the failure that stopped writes.
 * The commit queue reads and advances it (CommitTarget); it is not exported,
 * so nothing outside the collection can change it.
 */
class WriteState implements CommitTarget {
  walReady: Promise<void> = Promise.resolve();
  failure: StorageError | undefined;

  constructor(
    public wal: AppendableFile,
    public lastSequence: number,
    /** What only the collection can do: its WALs, its memtable, its failed state. */
    private readonly collection: Pick<CommitTarget, 'liveWals' | 'apply' | 'afterCommit' | 'fail'>,
  ) {}

  liveWals(): Iterable<AppendableFile> {
    return this.collection.liveWals();
  }

  apply(ops: BatchOp[], firstSequence: number): void {
    this.collection.apply(ops, firstSequence);
  }

  afterCommit(): void {
    this.collection.afterCommit();
  }

  fail(err: StorageError): void {
    this.collection.fail(err);
  }
}

/**
 * One LSM tree: a mutable memtable with its WAL, immutable memtables waiting
 * for flush, and the SSTables of the current Version. Reads are synchronous
 * under the hood (memtables in memory, blocks by pread) and wrapped in
 * promises; writes go through the CommitQueue.
 */
export class Collection {
  private readonly events = new EventEmitter();
  private readonly writes: WriteState;
  private readonly commits: CommitQueue;
  private readonly tables: TableCache;
  private mem: Memtable;
  /** Full memtables waiting for flush, oldest first. */
  private imms: Memtable[];
  private readonly walFiles = new Map<number, AppendableFile>();
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private readonly gate: WriteGate;
  private readonly compactor: Compactor;
  private readonly snapshots = new Map<number, number>();
  private readonly obsolete: ObsoleteTables;
  private readonly origins = new TableOrigins();
  private readonly warnings = new Warnings();
  /**
   * Scans opened and not yet ended (or collected after their caller dropped
   * them). Only counted: holding them, even weakly, would keep every scan of
   * a long run of already-resolved awaits alive until that job ends, and a
   * scan notices the collection closed by itself.
   */
  private openScanCount = 0;
  private readonly isClosed = () => this.state === 'closed';
  private readonly scanEnded = () => {
    this.openScanCount--;
  };
  private flushWaiters: (() => void)[] = [];
  private flushCount = 0;
  private bytesFlushed = 0;
  /** Why each memtable waiting for flush was rotated out, for flush events. */
  private readonly flushReasons = new WeakMap<Memtable, FlushReason>();
  /** Why the flush thread stopped serving this collection, if it did. */
  private flushThreadFailure: string | undefined;

  private constructor(
    readonly name: string,
    readonly directory: string,
    private readonly fs: FileSystem,
    readonly options: Readonly<CollectionOptions>,
    private readonly versions: VersionSet,
    private readonly lock: CollectionLock,
    recovered: Memtable[],
    lastSequence: number,
    wal: AppendableFile,
    walNumber: number,
    compactor: CompactorFactory,
    private readonly recovery: RecoveryReport,
    /** Where flushes of this session's memtables run; undefined: on this thread, from the memtable. */
    private flushRunner: FlushRunner | undefined,
  ) {
    this.writes = new WriteState(wal, lastSequence, {
      liveWals: () => this.walFiles.values(),
      apply: (ops, firstSequence) => this.apply(ops, firstSequence),
      afterCommit: () => this.afterCommit(),
      fail: (err) => this.fail(err),
    });
    this.tables = new TableCache(fs, directory, new BlockCache(options.blockCacheBytes));
    this.commits = new CommitQueue(this.writes);
    this.gate = new WriteGate(
      () => this.gateState(),
      (change) =>
        this.emit('write-stall', {
          ...change,
          level0Files: this.versions.current.levels[0].length,
          immutableMemtables: this.imms.length,
        }),
    );
    this.obsolete = new ObsoleteTables({
      fs,
      directory,
      versions,
      tables: this.tables,
      deleted: (id) => this.origins.forget(id),
      warn: (operation, path, err) => this.warn(operation, path, err),
    });
    this.compactor = compactor({
      fs,
      directory,
      options: this.options,
      versions,
      acceptingWork: () => this.state === 'open' && this.writes.failure === undefined,
      emit: (event, payload) => this.emit(event, payload),
      fail: (err) => this.fail(err),
      warn: (operation, path, err) => this.warn(operation, path, err),
      installed: (end, obsolete) => {
        this.origins.compacted(end);
        this.emit('compaction-end', end);
        this.obsolete.add(obsolete);
        this.emitVersion();
        this.gate.pump();
      },
    });
    this.imms = recovered;
    for (const m of recovered) this.flushReasons.set(m, 'recovery');
    this.walFiles.set(walNumber, wal);
    this.mem = new Memtable(walNumber);
  }

  /** Opens (recovering if needed) the collection stored in `directory`. Used by StorageManager. */
  static async open(
    fs: FileSystem,
    directory: string,
    name: string,
    compactor: CompactorFactory,
    flushRunner?: FlushRunner,
  ): Promise<Collection> {
    const lock = await CollectionLock.acquire(fs, pathIn(directory, LOCK_FILE), name);
    let versions: VersionSet | undefined;
    try {
      const state = await recover(fs, directory);
      versions = state.versions;
      const walNumber = state.versions.newFileNumber();
      const walPath = pathIn(directory, walFileName(walNumber));
      let wal: AppendableFile;
      try {
        wal = fs.create(walPath);
        await fs.syncDir(directory);
      } catch (err) {
        throw ioError('create write-ahead log', walPath, err);
      }
      const c = new Collection(
        name,
        directory,
        fs,
        state.options,
        state.versions,
        lock,
        state.recovered,
        state.lastSequence,
        wal,
        walNumber,
        compactor,
        state.report,
        flushRunner,
      );
      c.scheduleFlush();
      c.compactor.maybeSchedule();
      return c;
    } catch (err) {
      // The open failed with `err`, which is what the caller needs; the manifest was only read.
      await versions?.close().catch(() => {});
      // A lock this process cannot release makes later opens here say "locked by this process" until it exits.
      await lock.release().catch(() => {});
      throw err;
    }
  }

  // ---- writes -------------------------------------------------------------

  put(key: string, value: string, opts?: WriteOptions): Promise<void> {
    try {
      return this.write([putOp(key, value)], checkSyncOption(opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, opts?: WriteOptions): Promise<void> {
    try {
      return this.write([deleteOp(key)], checkSyncOption(opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Applies all operations atomically: after a crash, all of them or none are there. */
  batch(ops: readonly BatchOperation[], opts?: WriteOptions): Promise<void> {
    try {
      const validated = batchOps(ops);
      const sync = checkSyncOption(opts);
      if (validated.length === 0) return this.checkWritable();
      return this.write(validated, sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private checkWritable(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (this.writes.failure) return Promise.reject(this.writes.failure);
    return Promise.resolve();
  }

  private write(ops: BatchOp[], sync: boolean): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (this.writes.failure) return Promise.reject(this.writes.failure);
    if (this.gate.passable) return this.commits.submit(ops, sync);
    return this.gate.admit(() => this.submit(ops, sync));
  }

  /** Past the gate: re-checks state, because a queued write may be released by close or failure. */
  private submit(ops: BatchOp[], sync: boolean): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (this.writes.failure) return Promise.reject(this.writes.failure);
    return this.commits.submit(ops, sync);
  }

  /** Backpressure: flushes or L0 compactions are behind, so writes slow down or wait instead of growing memory and L0 without bound. */
  private gateState(): GateState {
    if (this.imms.length >= this.options.maxImmutableMemtables) return { state: 'stop', reason: 'memtables-full' };
    if (this.options.autoCompaction) {
      const l0 = this.versions.current.levels[0].length;
      if (l0 >= this.options.level0StopTrigger) return { state: 'stop', reason: 'level0-stop' };
      if (l0 >= this.options.level0SlowdownTrigger) return { state: 'slow', reason: 'level0-slowdown' };
    }
    return OPEN;
  }

  /** A committed batch enters the memtable (for the commit queue, through WriteState). */
  private apply(ops: BatchOp[], firstSequence: number): void {
    const keepOlder = this.snapshots.size > 0;
    const mem = this.mem;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      mem.add(firstSequence + i, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, keepOlder);
    }
  }

  /** Rotates the memtable once it is full (after each commit group). */
  private afterCommit(): void {
    if (this.mem.approximateBytes >= this.options.memtableBytes) this.rotateMemtable('memtable-full');
  }

  /** Enters the failed state: reads go on, writes are refused with `err`. */
  private fail(err: StorageError): void {
    if (this.writes.failure !== undefined) return;
    const failure = new StorageError(
      err.code,
      `${err.message}; collection "${this.name}" now refuses writes until it is reopened (acknowledged writes are safe in its log)`,
      { cause: err },
    );
    this.writes.failure = failure;
    this.emit('background-error', { message: failure.message, code: failure.code });
    this.gate.releaseAll();
  }

  /** Housekeeping that failed without harming data: counted in stats().warnings and emitted as background-warning. */
  private warn(operation: string, path: string, err: unknown): void {
    this.emit('background-warning', this.warnings.record(operation, path, err));
  }

  private rotateMemtable(reason: FlushReason): void {
    const number = this.versions.newFileNumber();
    const path = pathIn(this.directory, walFileName(number));
    let wal: AppendableFile;
    try {
      wal = this.fs.create(path);
    } catch (err) {
      this.fail(ioError('create write-ahead log', path, err));
      return;
    }
    const walReady = this.fs.syncDir(this.directory).catch((err) => {
      const e = ioError('fsync directory for new write-ahead log', this.directory, err);
      this.fail(e);
      throw e;
    });
    walReady.catch(() => {
      // fail() above has reported it; the rejection is for the sync writes that await walReady.
    });
    this.writes.walReady = walReady;
    this.flushReasons.set(this.mem, reason);
    this.imms.push(this.mem);
    this.mem = new Memtable(number);
    this.writes.wal = wal;
    this.walFiles.set(number, wal);
    this.scheduleFlush();
  }

  // ---- flush --------------------------------------------------------------

  /** Writes the memtable to an L0 table; resolves once the table is on disk and in the manifest. */
  async flush(): Promise<void> {
    await this.checkWritable();
    if (this.mem.size > 0) this.rotateMemtable('manual');
    // Wait for the memtables full at this moment only: under sustained writes new
    // ones keep arriving, and waiting for "none left" would never end.
    const target = this.imms.at(-1)?.walNumber;
    if (target === undefined) return;
    while (this.imms.length > 0 && this.imms[0].walNumber <= target) {
      if (this.writes.failure) throw this.writes.failure;
      if (this.state !== 'open') throw this.closedError();
      this.scheduleFlush();
      await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    }
    if (this.writes.failure) throw this.writes.failure;
  }

  private notifyFlushWaiters(): void {
    for (const wake of this.flushWaiters.splice(0)) wake();
  }

  private scheduleFlush(): void {
    if (this.flushing !== undefined || this.imms.length === 0 || this.writes.failure !== undefined || this.state === 'closed') return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.imms.length > 0 && this.writes.failure === undefined && this.state !== 'closed') {
      const memtable = this.imms[0];
      const started = performance.now();
      const startedAt = Date.now();
      const reason = this.flushReasons.get(memtable) ?? 'memtable-full';
      try {
        let meta: TableSummary | undefined;
        const id = this.versions.newFileNumber();
        if (memtable.size > 0) {
          const start: FlushStartEvent = {
            id,
            reason,
            walNumber: memtable.walNumber,
            entries: memtable.size,
            memtableBytes: memtable.approximateBytes,
            startedAt,
          };
          this.emit('flush-start', start);
          meta = await this.writeLevel0(memtable, reason, id);
        }
        const logNumber = this.imms[1]?.walNumber ?? this.mem.walNumber;
        await this.versions.logAndApply({ added: meta ? [meta] : [], logNumber, lastSequence: memtable.maxSequence });
        this.imms.shift();
        if (meta) {
          this.flushCount++;
          this.bytesFlushed += meta.bytes;
          this.origins.flushed(meta.id);
          const event: FlushEvent = {
            ...meta,
            level: 0,
            durationMs: performance.now() - started,
            reason,
            walNumber: memtable.walNumber,
            memtableBytes: memtable.approximateBytes,
            outputs: [{ ...meta }],
            startedAt,
          };
          this.emit('flush', event);
          this.emit('flush-end', event);
          this.emitVersion();
          this.compactor.prepare();
        }
        // The manifest no longer needs this memtable's WAL.
        const wal = this.walFiles.get(memtable.walNumber);
        this.walFiles.delete(memtable.walNumber);
        if (wal) {
          await this.commits.settle(wal);
          await wal.close();
        }
        await this.fs.remove(pathIn(this.directory, walFileName(memtable.walNumber)));
        // After the events, so a flush() caller sees its flush already announced and counted.
        this.notifyFlushWaiters();
      } catch (err) {
        this.fail(err instanceof StorageError ? err : ioError('flush memtable', this.directory, err));
        this.notifyFlushWaiters();
        return;
      } finally {
        this.gate.pump();
      }
      this.compactor.maybeSchedule();
    }
  }

  /**
   * A memtable filled in this session holds exactly its WAL's operations, so
   * the flush runner can rebuild the table from the WAL on another thread.
   * A recovered one may hold only a WAL's records before a torn tail: it is
   * flushed from memory, here.
   */
  private async writeLevel0(memtable: Memtable, reason: FlushReason, id: number): Promise<TableSummary> {
    const { blockBytes, bloomBitsPerKey, compression } = this.options;
    const runner = this.flushRunner;
    if (runner === undefined || reason === 'recovery') return writeLevel0Table(this.fs, this.directory, memtable, id, this.options);
    try {
      return await runner({
        dir: this.directory,
        walPath: pathIn(this.directory, walFileName(memtable.walNumber)),
        id,
        options: { blockBytes, bloomBitsPerKey, compression },
        expected: { entries: memtable.size, maxSequence: memtable.maxSequence },
      });
    } catch (err) {
      if (!(err instanceof FlushThreadStopped)) throw err;
      // The thread failed, not the disk: this collection flushes here from
      // now on, starting with this memtable, over whatever part of the
      // table the thread may have left.
      this.flushRunner = undefined;
      this.flushThreadFailure = err.message;
      // writeLevel0Table creates the file afresh, so a leftover that cannot be removed is overwritten anyway.
      await this.fs.remove(pathIn(this.directory, tableFileName(id))).catch(() => {});
      return writeLevel0Table(this.fs, this.directory, memtable, id, this.options);
    }
  }

  private emitVersion(): void {
    if (this.events.listenerCount('version') === 0) return;
    this.emit('version', { levels: describeLevels(this.versions.current, this.options, this.compactor.report()) });
  }

  // ---- reads --------------------------------------------------------------

  get(key: string): Promise<string | undefined> {
    try {
      return Promise.resolve(this.getSync(key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  exists(key: string): Promise<boolean> {
    try {
      return Promise.resolve(this.getSync(key) !== undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Synchronous point lookup; newest source first, so the first hit wins. */
  getSync(key: string): string | undefined {
    if (this.state === 'closed') throw this.closedError();
    const keyBytes = checkKey(key);
    return pointLookup(this.readState(this.versions.current), key, keyBytes);
  }

  /**
   * The path get(key) takes, step by step: memtables, then L0 tables newest
   * first, then one binary-searched file per deeper level, with why each
   * table was skipped or which block was read. It reads exactly what get
   * would (same state, same blocks, same cache fills), so its answer is
   * get's answer.
   */
  explainGet(key: string): Promise<GetExplanation> {
    try {
      if (this.state === 'closed') throw this.closedError();
      const keyBytes = checkKey(key);
      return Promise.resolve(explainLookup(this.readState(this.versions.current), key, keyBytes, this.writes.lastSequence));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Properties of one live SSTable and, with `firstEntries`, its first
   * entries. INVALID_ARGUMENT if `id` is not a live table.
   */
  inspectTable(id: number, opts?: InspectTableOptions): Promise<TableInspection> {
    try {
      if (this.state === 'closed') throw this.closedError();
      const version = this.versions.current;
      const meta = Number.isInteger(id) ? version.levels.flat().find((f) => f.id === id) : undefined;
      if (meta === undefined) {
        const live =
          version.fileCount === 0
            ? 'none'
            : [...version.files()]
                .map((f) => f.id)
                .sort((a, b) => a - b)
                .join(', ');
        throw new StorageError('INVALID_ARGUMENT', `no live SSTable ${String(id)} in collection "${this.name}" (live tables: ${live})`);
      }
      return Promise.resolve(describeTable(meta, this.tables.get(meta), this.origins.of(meta), opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private readState(version: Version, mem = this.mem, imms: readonly Memtable[] = this.imms): ReadState {
    return { mem, imms, version, tables: this.tables, useBloom: this.options.bloomBitsPerKey > 0 };
  }

  /**
   * A point-in-time scan: writes, flushes and compactions after this call are
   * not seen, and the files it reads stay on disk until it ends.
   */
  scan(range?: RangeOptions): ScanIterator {
    return this.openScan(normalizeRange(range), true);
  }

  /**
   * @internal for the abstract-level adapter: an iterator that may seek again after reaching its end.
   * With `view` (from pinReadView) it reads that snapshot and releases `view` when it ends.
   */
  openScan(range: KeyRange, releaseAtEnd: boolean, view?: ReadView): ScanIterator {
    if (this.state === 'closed') throw this.closedError();
    const it = new ScanIterator(view ?? this.pinView(), range, this.isClosed, this.scanEnded, releaseAtEnd);
    this.openScanCount++;
    return it;
  }

  /** @internal for the abstract-level adapter (explicit snapshots): pins the current state until release(). */
  pinReadView(): ReadView {
    if (this.state === 'closed') throw this.closedError();
    return this.pinView();
  }

  private pinView(): ReadView {
    const snapshot = this.writes.lastSequence;
    const mem = this.mem;
    const imms = [...this.imms];
    const version = this.versions.current;
    this.snapshots.set(snapshot, (this.snapshots.get(snapshot) ?? 0) + 1);
    this.obsolete.pin(version);
    let released = false;
    return {
      snapshot,
      sources: (range) => scanSources(this.readState(version, mem, imms), snapshot, range),
      release: () => {
        if (released) return;
        released = true;
        const s = this.snapshots.get(snapshot)! - 1;
        if (s === 0) this.snapshots.delete(snapshot);
        else this.snapshots.set(snapshot, s);
        this.obsolete.unpin(version);
      },
    };
  }

  // ---- observation ----------------------------------------------------------

  /**
   * Emits to listeners without letting them break the engine: a throwing
   * listener must not abort a flush, an install or a commit half-way, so its
   * error becomes a process warning instead.
   */
  private emit<E extends CollectionEventName>(event: E, payload: CollectionEvents[E]): void {
    try {
      this.events.emit(event, payload);
    } catch (err) {
      process.emitWarning(
        `a "${event}" listener of collection "${this.name}" threw: ${(err as Error)?.stack ?? String(err)}`,
        'StrataListenerWarning',
      );
    }
  }

  /** Calls `listener` with each `event`'s payload (see CollectionEvents for what each one carries). */
  on<E extends CollectionEventName>(event: E, listener: (payload: CollectionEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends CollectionEventName>(event: E, listener: (payload: CollectionEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  stats(): CollectionStats {
    return collectionStats({
      name: this.name,
      options: this.options,
      lastSequence: this.writes.lastSequence,
      mem: this.mem,
      imms: this.imms,
      version: this.versions.current,
      blocks: this.tables.blocks,
      commits: this.commits,
      flushes: { count: this.flushCount, bytes: this.bytesFlushed },
      compaction: this.compactor.report(),
      recovery: this.recovery,
      gate: this.gate,
      openScans: this.openScanCount,
      flush: { onThread: this.flushRunner !== undefined, threadStopped: this.flushThreadFailure },
      warnings: this.warnings.stats(),
      writeError: this.writes.failure?.message,
    });
  }

  /**
   * Compacts the whole collection, or the keys in [gte, lt): flushes the
   * memtable, then merges level by level until no L0 file is left in range,
   * no level overlaps itself, and tombstones are dropped wherever no deeper
   * level can hold their key. Resolves when done.
   */
  async compact(range?: { gte?: string; lt?: string }): Promise<void> {
    const bounds = checkCompactRange(range);
    await this.flush();
    await this.compactor.compactRange(bounds);
    if (this.writes.failure) throw this.writes.failure;
    // The space comes back now, not at some later install: replaced tables no scan or snapshot still reads are gone.
    await this.obsolete.collect();
  }

  // ---- lifecycle --------------------------------------------------------------

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Waits for in-flight writes and any running flush, ends open scans, and releases the lock. */
  close(): Promise<void> {
    if (this.closing === undefined) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.state = 'closing';
    this.gate.releaseAll();
    await this.commits.idle();
    await this.compactor.stop();
    await this.flushing?.catch(() => {
      // A failed flush has put the collection in its failed state (fail()); close only waits for it.
    });
    this.state = 'closed';
    this.notifyFlushWaiters();
    await this.tables.closeAll();
    for (const wal of this.walFiles.values()) {
      // Sync writes were fsynced already; a failed close only puts the others in doubt, as a crash would.
      await wal.close().catch((err: unknown) => this.warn('close write-ahead log', wal.path, err));
    }
    this.walFiles.clear();
    await this.versions
      .close()
      .catch((err: unknown) => this.warn('close manifest', pathIn(this.directory, this.versions.manifestFile), err));
    await this.lock.release();
  }

  closedError(): StorageError {
    return new StorageError('CLOSED', `collection "${this.name}" is closed`);
  }
}

function checkCompactRange(range: unknown): { gte?: string; lt?: string } {
  if (range === undefined || range === null) return {};
  if (typeof range !== 'object') throw new StorageError('INVALID_ARGUMENT', `compact() takes { gte?, lt? }, got ${typeof range}`);
  const { gte, lt, ...rest } = range as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new StorageError('INVALID_ARGUMENT', `unknown compact() option "${unknown[0]}" (known: gte, lt)`);
  if (gte !== undefined && typeof gte !== 'string') throw new StorageError('INVALID_ARGUMENT', `compact() option gte must be a string`);
  if (lt !== undefined && typeof lt !== 'string') throw new StorageError('INVALID_ARGUMENT', `compact() option lt must be a string`);
  return { gte: gte as string | undefined, lt: lt as string | undefined };
}
