import { EventEmitter } from 'node:events';
import { ioError, StorageError } from '../errors.js';
import type { AppendableFile, FileSystem } from '../fs/file-system.js';
import type { BatchOp } from '../log/write-batch.js';
import { Memtable } from '../memtable/memtable.js';
import { BlockCache } from '../table/block-cache.js';
import { type KeyRange, normalizeRange, type RangeOptions } from '../util/key-range.js';
import type { FileMeta } from '../version/file-meta.js';
import type { Version } from '../version/version.js';
import type { VersionSet } from '../version/version-set.js';
import { CommitQueue, type CommitTarget } from './commit-queue.js';
import { LOCK_FILE, pathIn, tableFileName, walFileName } from '../version/file-names.js';
import { writeLevel0Table } from './flush.js';
import { FlushThreadStopped, type FlushRunner } from './flush-thread.js';
import { CollectionLock } from './lock.js';
import { recover } from './recovery.js';
import { type ReadView, ScanIterator } from './scan/scan-iterator.js';
import { scanSources } from './scan/sources.js';
import { pointLookup, type ReadState } from './read-path.js';
import { TableCache } from './table-cache.js';
import { batchOps, checkKey, checkSyncOption, deleteOp, putOp } from './validate.js';
import type { RunningCompaction } from '../compaction/compaction-scheduler.js';
import type { CollectionStats, RunningCompactionStats, LevelStats, RecoveryReport } from '../events/stats.js';
import type { CompactionEndEvent, FlushEvent, FlushReason, FlushStartEvent } from '../events/events.js';
import { explainLookup, type GetExplanation } from './explain-get.js';
import { describeTable, type InspectTableOptions, type TableInspection, type TableOrigin } from './inspect-table.js';
import { WriteGate, type GateState } from './write-gate.js';
import { CompactionScheduler } from '../compaction/compaction-scheduler.js';
import { type CompactionLauncher, forkLauncher } from '../compaction/launcher.js';
import { type CollectionOptions, levelTargetBytes } from '../options/options.js';

export interface WriteOptions {
  sync?: boolean;
}

export type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

type State = 'open' | 'closing' | 'closed';

/** Asked on every write: one shared object rather than a new one each time. */
const OPEN: GateState = { state: 'open' };

/**
 * One LSM tree: a mutable memtable with its WAL, immutable memtables waiting
 * for flush, and the SSTables of the current Version. Reads are synchronous
 * under the hood (memtables in memory, blocks by pread) and wrapped in
 * promises; writes go through the CommitQueue.
 */
export class Collection implements CommitTarget {
  private readonly events = new EventEmitter();
  private readonly commits: CommitQueue;
  private readonly tables: TableCache;
  private mem: Memtable;
  /** Full memtables waiting for flush, oldest first. */
  private imms: Memtable[];
  private readonly walFiles = new Map<number, AppendableFile>();
  wal: AppendableFile;
  walReady: Promise<void>;
  lastSequence: number;
  failure: StorageError | undefined;
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private readonly gate: WriteGate;
  private readonly compactions: CompactionScheduler;
  private readonly snapshots = new Map<number, number>();
  private readonly pinnedVersions = new Map<Version, number>();
  private readonly obsoleteTables = new Set<number>();
  /** The deletion pass in progress (see deleteObsoleteTables). */
  private deleting: Promise<void> = Promise.resolve();
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
  /** Which process wrote each table this session (moves keep the origin); see inspectTable. */
  private readonly tableOrigins = new Map<number, TableOrigin>();
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
    launcher: CompactionLauncher,
    private readonly recovery: RecoveryReport,
    /** Where flushes of this session's memtables run; undefined: on this thread, from the memtable. */
    private flushRunner: FlushRunner | undefined,
  ) {
    this.tables = new TableCache(fs, directory, new BlockCache(options.blockCacheBytes));
    this.commits = new CommitQueue(this);
    this.gate = new WriteGate(
      () => this.gateState(),
      (event, payload) =>
        this.emit(event, {
          ...(payload as object),
          level0Files: this.versions.current.levels[0].length,
          immutableMemtables: this.imms.length,
        }),
    );
    this.compactions = new CompactionScheduler(
      {
        fs,
        directory,
        options: this.options,
        versions,
        acceptingWork: () => this.state === 'open' && this.failure === undefined,
        emit: (event, payload) => {
          if (event === 'compaction-end') this.noteCompactionOutputs(payload as CompactionEndEvent);
          this.emit(event, payload);
        },
        fail: (err) => this.fail(err),
        installed: (obsolete) => {
          for (const id of obsolete) this.obsoleteTables.add(id);
          void this.deleteObsoleteTables();
          this.emitVersion();
          this.gate.pump();
        },
      },
      launcher,
    );
    this.imms = recovered;
    for (const m of recovered) this.flushReasons.set(m, 'recovery');
    this.lastSequence = lastSequence;
    this.wal = wal;
    this.walReady = Promise.resolve();
    this.walFiles.set(walNumber, wal);
    this.mem = new Memtable(walNumber);
  }

  /** Opens (recovering if needed) the collection stored in `directory`. Used by StorageManager. */
  static async open(
    fs: FileSystem,
    directory: string,
    name: string,
    launcher: CompactionLauncher = forkLauncher,
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
        launcher,
        state.report,
        flushRunner,
      );
      c.scheduleFlush();
      c.compactions.maybeSchedule();
      return c;
    } catch (err) {
      await versions?.close().catch(() => {});
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
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve();
  }

  private write(ops: BatchOp[], sync: boolean): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (this.failure) return Promise.reject(this.failure);
    if (this.gate.passable) return this.commits.submit(ops, sync);
    return this.gate.admit(() => this.submit(ops, sync));
  }

  /** Past the gate: re-checks state, because a queued write may be released by close or failure. */
  private submit(ops: BatchOp[], sync: boolean): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (this.failure) return Promise.reject(this.failure);
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

  /** CommitTarget: this session's WALs not yet flushed, oldest first (a Map keeps insertion order, and numbers only grow). */
  liveWals(): Iterable<AppendableFile> {
    return this.walFiles.values();
  }

  /** CommitTarget: a committed batch enters the memtable. */
  apply(ops: BatchOp[], firstSequence: number): void {
    const keepOlder = this.snapshots.size > 0;
    const mem = this.mem;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      mem.add(firstSequence + i, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, keepOlder);
    }
  }

  /** CommitTarget: rotates the memtable once it is full. */
  afterCommit(): void {
    if (this.mem.approximateBytes >= this.options.memtableBytes) this.rotateMemtable('memtable-full');
  }

  /** CommitTarget: enter the failed state; reads go on, writes are refused with `err`. */
  fail(err: StorageError): void {
    if (this.failure !== undefined) return;
    this.failure = new StorageError(
      err.code,
      `${err.message}; collection "${this.name}" now refuses writes until it is reopened (acknowledged writes are safe in its log)`,
      { cause: err },
    );
    this.emit('background-error', { message: this.failure.message, code: this.failure.code });
    this.gate.releaseAll();
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
    this.walReady = this.fs.syncDir(this.directory).catch((err) => {
      const e = ioError('fsync directory for new write-ahead log', this.directory, err);
      this.fail(e);
      throw e;
    });
    this.walReady.catch(() => {});
    this.flushReasons.set(this.mem, reason);
    this.imms.push(this.mem);
    this.mem = new Memtable(number);
    this.wal = wal;
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
      if (this.failure) throw this.failure;
      if (this.state !== 'open') throw this.closedError();
      this.scheduleFlush();
      await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  private notifyFlushWaiters(): void {
    for (const wake of this.flushWaiters.splice(0)) wake();
  }

  private scheduleFlush(): void {
    if (this.flushing !== undefined || this.imms.length === 0 || this.failure !== undefined || this.state === 'closed') return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.imms.length > 0 && this.failure === undefined && this.state !== 'closed') {
      const memtable = this.imms[0];
      const started = performance.now();
      const startedAt = Date.now();
      const reason = this.flushReasons.get(memtable) ?? 'memtable-full';
      try {
        let meta: FileMeta | undefined;
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
          this.bytesFlushed += meta.size;
          this.tableOrigins.set(meta.id, 'flush');
          const event: FlushEvent = {
            id: meta.id,
            level: 0,
            bytes: meta.size,
            entries: meta.entries,
            tombstones: meta.tombstones,
            minKey: meta.minKey,
            maxKey: meta.maxKey,
            durationMs: performance.now() - started,
            reason,
            walNumber: memtable.walNumber,
            memtableBytes: memtable.approximateBytes,
            minSequence: meta.minSequence,
            maxSequence: meta.maxSequence,
            outputs: [{ id: meta.id, level: 0, bytes: meta.size, entries: meta.entries, minKey: meta.minKey, maxKey: meta.maxKey }],
            startedAt,
          };
          this.emit('flush', event);
          this.emit('flush-end', event);
          this.emitVersion();
          this.compactions.prepare();
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
      this.compactions.maybeSchedule();
    }
  }

  /**
   * A memtable filled in this session holds exactly its WAL's operations, so
   * the flush runner can rebuild the table from the WAL on another thread.
   * A recovered one may hold only a WAL's records before a torn tail: it is
   * flushed from memory, here.
   */
  private async writeLevel0(memtable: Memtable, reason: FlushReason, id: number): Promise<FileMeta> {
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
      await this.fs.remove(pathIn(this.directory, tableFileName(id))).catch(() => {});
      return writeLevel0Table(this.fs, this.directory, memtable, id, this.options);
    }
  }

  private emitVersion(): void {
    if (this.events.listenerCount('version') === 0) return;
    this.emit('version', { levels: this.describeLevels() });
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
      return Promise.resolve(explainLookup(this.readState(this.versions.current), key, keyBytes, this.lastSequence));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Properties of one live SSTable and, with `firstEntries`, its first
   * entries. INVALID_ARGUMENT if `fileNumber` is not a live table.
   */
  inspectTable(fileNumber: number, opts?: InspectTableOptions): Promise<TableInspection> {
    try {
      if (this.state === 'closed') throw this.closedError();
      const version = this.versions.current;
      const meta = Number.isInteger(fileNumber) ? version.levels.flat().find((f) => f.id === fileNumber) : undefined;
      if (meta === undefined) {
        const live =
          version.fileCount === 0
            ? 'none'
            : [...version.files()]
                .map((f) => f.id)
                .sort((a, b) => a - b)
                .join(', ');
        throw new StorageError(
          'INVALID_ARGUMENT',
          `no live SSTable ${String(fileNumber)} in collection "${this.name}" (live tables: ${live})`,
        );
      }
      // L0 holds only flush outputs; deeper tables written before this open are unknown.
      const origin = this.tableOrigins.get(meta.id) ?? (meta.level === 0 ? 'flush' : 'unknown');
      return Promise.resolve(describeTable(meta, this.tables.get(meta), origin, opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Records compaction outputs as such; a move keeps whatever origin its files had. */
  private noteCompactionOutputs(e: CompactionEndEvent): void {
    for (const f of e.outputs) {
      if (!e.move) this.tableOrigins.set(f.id, 'compaction');
      else if (e.level === 0 && !this.tableOrigins.has(f.id)) this.tableOrigins.set(f.id, 'flush');
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
    const snapshot = this.lastSequence;
    const mem = this.mem;
    const imms = [...this.imms];
    const version = this.versions.current;
    this.snapshots.set(snapshot, (this.snapshots.get(snapshot) ?? 0) + 1);
    this.pinnedVersions.set(version, (this.pinnedVersions.get(version) ?? 0) + 1);
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
        const v = this.pinnedVersions.get(version)! - 1;
        if (v === 0) this.pinnedVersions.delete(version);
        else this.pinnedVersions.set(version, v);
        // Most scans end with nothing obsolete; a pass per scan would cost a promise chain each.
        if (this.obsoleteTables.size > 0) void this.deleteObsoleteTables();
      },
    };
  }

  /**
   * Deletes tables that left the current Version once no pinned Version
   * still lists them. Runs one pass at a time, so a caller that awaits it
   * (compact()) knows every deletion started before it has finished.
   */
  private deleteObsoleteTables(): Promise<void> {
    this.deleting = this.deleting.then(() => this.deleteObsoleteNow());
    return this.deleting;
  }

  private async deleteObsoleteNow(): Promise<void> {
    if (this.obsoleteTables.size === 0) return;
    const inUse = new Set<number>();
    for (const v of [this.versions.current, ...this.pinnedVersions.keys()]) for (const f of v.files()) inUse.add(f.id);
    for (const id of [...this.obsoleteTables]) {
      if (inUse.has(id)) continue;
      this.obsoleteTables.delete(id);
      this.tableOrigins.delete(id);
      await this.tables.evict(id).catch(() => {});
      await this.fs.remove(pathIn(this.directory, tableFileName(id))).catch(() => {});
    }
  }

  // ---- observation ----------------------------------------------------------

  /**
   * Emits to listeners without letting them break the engine: a throwing
   * listener must not abort a flush, an install or a commit half-way, so its
   * error becomes a process warning instead.
   */
  private emit(event: string, payload: unknown): void {
    try {
      this.events.emit(event, payload);
    } catch (err) {
      process.emitWarning(
        `a "${event}" listener of collection "${this.name}" threw: ${(err as Error)?.stack ?? String(err)}`,
        'StrataListenerWarning',
      );
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- until each event gets its payload type (issue 17, item 3)
  on(event: string, listener: (payload: any) => void): this {
    this.events.on(event, listener);
    return this;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- until each event gets its payload type (issue 17, item 3)
  off(event: string, listener: (payload: any) => void): this {
    this.events.off(event, listener);
    return this;
  }

  private describeLevels(): LevelStats[] {
    const scores = this.compactions.scores();
    return this.versions.current.levels.map((files, level) => ({
      level,
      fileCount: files.length,
      bytes: files.reduce((n, f) => n + f.size, 0),
      entries: files.reduce((n, f) => n + f.entries, 0),
      targetBytes: levelTargetBytes(level, this.options),
      score: scores[level],
      compactionBytesRead: this.compactions.levelBytesRead[level],
      compactionBytesWritten: this.compactions.levelBytesWritten[level],
      files: files.map((f) => ({
        id: f.id,
        bytes: f.size,
        entries: f.entries,
        tombstones: f.tombstones,
        minKey: f.minKey,
        maxKey: f.maxKey,
        minSequence: f.minSequence,
        maxSequence: f.maxSequence,
      })),
    }));
  }

  stats(): CollectionStats {
    const levels = this.describeLevels();
    const userBytes = this.commits.userBytesWritten;
    const c = this.compactions;
    return {
      name: this.name,
      lastSequence: this.lastSequence,
      memtable: {
        bytes: this.mem.approximateBytes,
        entries: this.mem.size,
        limitBytes: this.options.memtableBytes,
        tombstones: this.mem.tombstones,
        walNumber: this.mem.walNumber,
      },
      immutableMemtables: this.imms.map((m) => ({
        bytes: m.approximateBytes,
        entries: m.size,
        tombstones: m.tombstones,
        walNumber: m.walNumber,
      })),
      levels,
      level0: {
        files: levels[0].fileCount,
        compactionTrigger: this.options.level0CompactionTrigger,
        slowdownTrigger: this.options.level0SlowdownTrigger,
        stopTrigger: this.options.level0StopTrigger,
      },
      blockCache: { capacityBytes: this.tables.blocks.capacityBytes, usedBytes: this.tables.blocks.usedBytes },
      totals: {
        userBytesWritten: userBytes,
        walBytesWritten: this.commits.walBytesWritten,
        walWrites: this.commits.walWrites,
        walSyncs: this.commits.walSyncs,
        flushes: this.flushCount,
        bytesFlushed: this.bytesFlushed,
        compactions: c.compactions,
        bytesCompacted: c.bytesWritten,
        compactionBytesRead: c.levelBytesRead.reduce((n, b) => n + b, 0),
        writeAmplification: userBytes === 0 ? 0 : (this.bytesFlushed + c.bytesWritten) / userBytes,
      },
      liveBytes: levels.reduce((n, l) => n + l.bytes, 0),
      recovery: {
        tornWals: this.recovery.tornWals.map((t) => ({ ...t })),
        lostFiles: this.recovery.lostFiles.map((f) => ({ ...f })),
        ...(this.recovery.tornManifest && { tornManifest: { ...this.recovery.tornManifest } }),
        ...(this.recovery.gap === undefined ? {} : { gap: { ...this.recovery.gap } }),
      },
      stalls: { count: this.gate.stalls, totalMs: this.gate.totalStallMs, active: this.gate.stalled, current: this.gate.current },
      compaction: {
        running: c.running === undefined ? undefined : describeRunning(c.running),
        pendingBytes: c.pendingBytes(),
        errors: c.errors,
        lastError: c.lastError,
        workerPid: c.workerPid,
        workerStarts: c.workerStarts,
      },
      openScans: this.openScanCount,
      flush: { onThread: this.flushRunner !== undefined, threadStopped: this.flushThreadFailure },
      writeError: this.failure?.message,
    };
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
    await this.compactions.compactRange(bounds);
    if (this.failure) throw this.failure;
    // The space comes back now, not at some later install: replaced tables no scan or snapshot still reads are gone.
    await this.deleteObsoleteTables();
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
    await this.compactions.stop();
    await this.flushing?.catch(() => {});
    this.state = 'closed';
    this.notifyFlushWaiters();
    await this.tables.closeAll();
    for (const wal of this.walFiles.values()) await wal.close().catch(() => {});
    this.walFiles.clear();
    await this.versions.close().catch(() => {});
    await this.lock.release();
  }

  closedError(): StorageError {
    return new StorageError('CLOSED', `collection "${this.name}" is closed`);
  }
}

function describeRunning(r: RunningCompaction): RunningCompactionStats {
  return {
    ...r,
    inputs: r.inputs.map((i) => ({ ...i, files: [...i.files] })),
    inputTables: r.inputTables.map((t) => ({ ...t })),
    progress: r.inputBytes === 0 ? 1 : Math.min(1, r.bytesRead / r.inputBytes),
    elapsedMs: Date.now() - r.startedAt,
  };
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
