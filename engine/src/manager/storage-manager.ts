import { ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { mkdirDurable } from '../fs/durable-mkdir.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { Collection } from '../db/collection.js';
import { CURRENT_FILE, LOCK_FILE, OPTIONS_FILE, parseFileName, pathIn } from '../version/file-names.js';
import { CollectionLock } from '../db/lock.js';
import { type CollectionOptions, DEFAULT_OPTIONS, pickOptions, resolveOptions } from '../options/options.js';
import { LEVEL_COUNT } from '../db/recovery.js';
import { VersionSet } from '../version/version-set.js';
import { describeClosedCollection } from '../db/describe-closed.js';
import { caseVariantOf, checkCollectionName } from './collection-name.js';
import { stagingDirName, sweepStagingDirs } from './staging-dirs.js';
import { CompactionScheduler } from '../compaction/compaction-scheduler.js';
import { type CompactionLauncher, forkLauncher } from '../compaction/launcher.js';
import { type FlushRunner, flushOnThread } from '../db/flush-thread.js';
import { describe } from '../util/describe.js';
import { repairCollectionFiles, type RepairOptions } from '../repair/repair.js';
import type { RepairReport } from '../repair/repair-report.js';

/** What a collection holds, read without opening it (no lock, no WAL replay). */
export interface CollectionSummary {
  name: string;
  /** Open in this manager; a collection open elsewhere still reads as closed here. */
  open: boolean;
  /** Entries in tables, memtables and unflushed WALs: overwrites and tombstones make it approximate. */
  approximateEntries: number;
  tableBytes: number;
  tableFiles: number;
}

export interface StorageManagerOptions extends Partial<CollectionOptions> {
  /** Directory holding one subdirectory per collection (created on first use). */
  baseDataPath: string;
  /** The file-system seam; tests pass a fault-injecting one. */
  fileSystem?: FileSystem;
  /** Starts compaction worker processes; the default forks a Node child process. The Electron app passes one built on utilityProcess.fork. */
  compactionLauncher?: CompactionLauncher;
  /**
   * Whether memtables are flushed on the flush thread (a worker thread that
   * writes through node:fs) rather than on the calling thread. Defaults to
   * true, unless a fileSystem is given: the thread cannot use it.
   */
  flushOnThread?: boolean;
}

/**
 * Owns a data directory of collections, in the shape of the original's
 * StorageManager. Collection option fields given here are the defaults for
 * collections it creates; each collection persists its own options.
 */
export class StorageManager {
  readonly baseDataPath: string;
  private readonly fs: FileSystem;
  private readonly defaults: CollectionOptions;
  private readonly launcher: CompactionLauncher;
  private readonly flushRunner: FlushRunner | undefined;
  private readonly open = new Map<string, Promise<Collection>>();
  private active: Collection | undefined;
  private swept: Promise<void> | undefined;

  constructor(options: StorageManagerOptions) {
    if (typeof options !== 'object' || options === null || typeof options.baseDataPath !== 'string' || options.baseDataPath === '') {
      throw new StorageError('INVALID_ARGUMENT', 'StorageManager needs { baseDataPath: string }');
    }
    this.baseDataPath = options.baseDataPath;
    this.fs = options.fileSystem ?? new NodeFileSystem();
    this.launcher = options.compactionLauncher ?? forkLauncher;
    if (options.flushOnThread !== undefined && typeof options.flushOnThread !== 'boolean') {
      throw new StorageError('INVALID_ARGUMENT', `flushOnThread must be a boolean, got ${describe(options.flushOnThread)}`);
    }
    if (options.flushOnThread === true && options.fileSystem !== undefined) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        'flushOnThread cannot be used with a custom fileSystem: the flush thread writes through node:fs',
      );
    }
    this.flushRunner = (options.flushOnThread ?? options.fileSystem === undefined) ? flushOnThread : undefined;
    this.defaults = resolveOptions(pickOptions(options as unknown as Record<string, unknown>), DEFAULT_OPTIONS);
  }

  /**
   * Runs once, before this manager first touches the data folder: removes the
   * staging directories that creates and drops of dead processes left behind
   * (see staging-dirs.ts). A failure to remove one is reported as a process
   * warning and does not stop the manager: the leftover only takes space, and
   * the next manager tries again.
   */
  private ready(): Promise<void> {
    this.swept ??= sweepStagingDirs(this.fs, this.baseDataPath).then(
      () => undefined,
      (err) => {
        process.emitWarning(
          `could not remove leftover staging directories in ${this.baseDataPath}: ${(err as Error).message}`,
          'StrataWarning',
        );
      },
    );
    return this.swept;
  }

  /** Names of the collections on disk, sorted. */
  async listCollections(): Promise<string[]> {
    await this.ready();
    let names: string[];
    try {
      names = await this.fs.readdir(this.baseDataPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError('list', this.baseDataPath, err);
    }
    const out: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      try {
        checkCollectionName(name);
      } catch {
        continue;
      }
      if (await this.fs.exists(pathIn(this.dir(name), OPTIONS_FILE))) out.push(name);
    }
    return out.sort();
  }

  /**
   * Creates an empty collection. It is built in a hidden directory and renamed
   * into place, so a crash never leaves a half-created collection behind.
   */
  async createCollection(name: string, options?: Partial<CollectionOptions>): Promise<void> {
    checkCollectionName(name);
    const resolved = resolveOptions(options, this.defaults);
    if (await this.exists(name)) throw new StorageError('COLLECTION_EXISTS', `collection "${name}" already exists`);
    const variant = caseVariantOf(name, await this.listCollections());
    if (variant !== undefined) {
      throw new StorageError(
        'COLLECTION_EXISTS',
        `collection "${name}" differs from the existing collection "${variant}" only in case; on Windows and macOS they would be one folder`,
      );
    }
    const temp = pathIn(this.baseDataPath, stagingDirName('creating', name));
    let renamed = false;
    try {
      await mkdirDurable(this.fs, this.baseDataPath);
      await this.fs.mkdir(temp);
      await this.fs.writeFileAtomic(pathIn(temp, OPTIONS_FILE), Buffer.from(`${JSON.stringify(resolved, null, 2)}\n`));
      const versions = new VersionSet(this.fs, temp, LEVEL_COUNT);
      await versions.writeSnapshotManifest();
      await versions.close();
      await this.fs.syncDir(temp);
      if (await this.exists(name)) throw new StorageError('COLLECTION_EXISTS', `collection "${name}" already exists`);
      await this.fs.rename(temp, this.dir(name));
      renamed = true;
      await this.fs.syncDir(this.baseDataPath);
    } catch (err) {
      // A failed create leaves nothing: move a collection already renamed into place back out first.
      // If the rename back fails, the collection stays, whole (it was complete before it was renamed into place);
      if (renamed) await this.fs.rename(this.dir(name), temp).catch(() => {});
      // a staging directory left behind is removed by the next manager's sweep (staging-dirs.ts).
      await this.fs.removeTree(temp).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new StorageError('COLLECTION_EXISTS', `collection "${name}" already exists`);
      throw ioError('create collection', this.dir(name), err);
    }
  }

  /** Opens the collection if needed and makes it the active one. */
  async useCollection(name: string): Promise<Collection> {
    const c = await this.getCollection(name);
    this.active = c;
    return c;
  }

  getActiveCollection(): Collection | undefined {
    return this.active?.isOpen ? this.active : undefined;
  }

  /** Opens the collection if needed, without changing the active one. */
  async getCollection(name: string): Promise<Collection> {
    checkCollectionName(name);
    const opening = this.open.get(name);
    if (opening !== undefined) {
      const c = await opening;
      if (c.isOpen) return c;
    }
    const promise = (async () => {
      await this.ready();
      if (!(await this.exists(name))) throw await this.notFoundWithHint(name);
      return Collection.open(this.fs, this.dir(name), name, (host) => new CompactionScheduler(host, this.launcher), this.flushRunner);
    })();
    this.open.set(name, promise);
    try {
      return await promise;
    } catch (err) {
      if (this.open.get(name) === promise) this.open.delete(name);
      throw err;
    }
  }

  /** Closes an open collection; a collection that exists but is not open is left as it is. */
  async closeCollection(name: string): Promise<void> {
    checkCollectionName(name);
    const opening = this.open.get(name);
    if (opening === undefined) {
      if (!(await this.exists(name))) throw this.notFound(name);
      return;
    }
    this.open.delete(name);
    // An open that failed was reported to its caller; here it only means there is nothing to close.
    const c = await opening.catch(() => undefined);
    if (c === undefined) return;
    if (this.active === c) this.active = undefined;
    await c.close();
  }

  /**
   * Closes the collection and deletes its directory. It takes the lock first,
   * so a collection open in another process is never deleted under it.
   */
  async dropCollection(name: string): Promise<void> {
    checkCollectionName(name);
    await this.ready();
    if (this.open.has(name)) await this.closeCollection(name);
    if (!(await this.exists(name))) throw await this.notFoundWithHint(name);
    const dir = this.dir(name);
    const lock = await CollectionLock.acquire(this.fs, pathIn(dir, LOCK_FILE), name);
    const graveyard = pathIn(this.baseDataPath, stagingDirName('dropping', name));
    try {
      await this.fs.rename(dir, graveyard);
      await this.fs.syncDir(this.baseDataPath);
    } catch (err) {
      // The drop's error is what the caller needs; a lock left behind is this process's, freed when it exits.
      await lock.release().catch(() => {});
      throw ioError('drop collection', dir, err);
    }
    await this.fs.removeTree(graveyard);
  }

  /**
   * Rebuilds a collection that no longer opens (see repair/repair.ts and
   * doc/recovery.md): keeps every intact table and every intact WAL record,
   * rebuilds the manifest from the tables, and moves what it cannot use into
   * the collection's lost/ folder. It takes the collection's lock, so it is
   * refused while the collection is open here (close it first) or in
   * another process (COLLECTION_LOCKED). A collection whose OPTIONS file is
   * gone is still repaired if its folder holds a CURRENT, a manifest, a
   * table or a WAL.
   */
  async repairCollection(name: string, opts: RepairOptions = {}): Promise<RepairReport> {
    checkCollectionName(name);
    const opening = this.open.get(name);
    // An open that failed was reported to its caller; here it only means the collection is not open.
    if (opening !== undefined && (await opening.catch(() => undefined))?.isOpen) {
      throw new StorageError('INVALID_ARGUMENT', `collection "${name}" is open; close it before repairing it`);
    }
    const dir = this.dir(name);
    if (!(await this.exists(name)) && !(await this.looksLikeCollection(dir))) throw this.notFound(name);
    const lock = await CollectionLock.acquire(this.fs, pathIn(dir, LOCK_FILE), name);
    try {
      return await repairCollectionFiles(this.fs, dir, name, opts);
    } finally {
      await lock.release();
    }
  }

  /**
   * Summarizes a collection for a listing. An open collection answers from
   * its stats; a closed one from its manifest and WAL record counts, read-only,
   * so listing never takes a lock or writes anything.
   */
  async describeCollection(name: string): Promise<CollectionSummary> {
    checkCollectionName(name);
    const opening = this.open.get(name);
    // An open that failed was reported to its caller; here it only means the collection is not open.
    const c = opening === undefined ? undefined : await opening.catch(() => undefined);
    if (c?.isOpen) {
      const s = c.stats();
      const memEntries = s.memtable.entries + s.immutableMemtables.reduce((n, m) => n + m.entries, 0);
      const tables = s.levels.reduce(
        (t, l) => ({ entries: t.entries + l.entries, bytes: t.bytes + l.bytes, files: t.files + l.fileCount }),
        { entries: 0, bytes: 0, files: 0 },
      );
      return { name, open: true, approximateEntries: memEntries + tables.entries, tableBytes: tables.bytes, tableFiles: tables.files };
    }
    if (!(await this.exists(name))) throw this.notFound(name);
    const closed = await describeClosedCollection(this.fs, this.dir(name));
    return {
      name,
      open: false,
      approximateEntries: closed.tableEntries + closed.walEntries,
      tableBytes: closed.tableBytes,
      tableFiles: closed.tableFiles,
    };
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    this.active = undefined;
    // An open that failed was reported to its caller; only the ones that opened are closed.
    const results = await Promise.allSettled(all.map(async (p) => (await p.catch(() => undefined))?.close()));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
  }

  private dir(name: string): string {
    return pathIn(this.baseDataPath, name);
  }

  private exists(name: string): Promise<boolean> {
    return this.fs.exists(pathIn(this.dir(name), OPTIONS_FILE));
  }

  /** A folder holding engine files, even without its OPTIONS file (what repair can still work on). */
  private async looksLikeCollection(dir: string): Promise<boolean> {
    let names: string[];
    try {
      names = await this.fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw ioError('list', dir, err);
    }
    return names.some((n) => ['wal', 'table', 'manifest'].includes(parseFileName(n).type) || n === CURRENT_FILE);
  }

  private notFound(name: string): StorageError {
    return new StorageError('COLLECTION_NOT_FOUND', `collection "${name}" does not exist in ${this.baseDataPath}`);
  }

  /** COLLECTION_NOT_FOUND, naming the collection meant when only the case differs. */
  private async notFoundWithHint(name: string): Promise<StorageError> {
    // The hint is a courtesy: if the folder cannot be listed, the plain not-found error still says what is wrong.
    const variant = caseVariantOf(name, await this.listCollections().catch(() => []));
    if (variant === undefined) return this.notFound(name);
    return new StorageError(
      'COLLECTION_NOT_FOUND',
      `collection "${name}" does not exist in ${this.baseDataPath}; names are case-sensitive: did you mean "${variant}"?`,
    );
  }
}
