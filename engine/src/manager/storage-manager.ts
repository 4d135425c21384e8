import { randomBytes } from 'node:crypto';
import { ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { mkdirDurable } from '../fs/durable-mkdir.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { Collection } from '../db/collection.js';
import { LOCK_FILE, OPTIONS_FILE, pathIn } from '../version/file-names.js';
import { CollectionLock } from '../db/lock.js';
import { type CollectionOptions, DEFAULT_OPTIONS, pickOptions, resolveOptions } from '../db/options.js';
import { LEVEL_COUNT } from '../db/recovery.js';
import { VersionSet } from '../version/version-set.js';
import { describeClosedCollection } from '../db/describe-closed.js';
import { checkCollectionName } from './collection-name.js';
import { type CompactionLauncher, forkLauncher } from '../compaction/launcher.js';
import { type FlushRunner, flushOnThread } from '../db/flush-thread.js';
import { describe } from '../util/describe.js';

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
      throw new StorageError('INVALID_ARGUMENT', 'flushOnThread cannot be used with a custom fileSystem: the flush thread writes through node:fs');
    }
    this.flushRunner = (options.flushOnThread ?? options.fileSystem === undefined) ? flushOnThread : undefined;
    this.defaults = resolveOptions(pickOptions(options as unknown as Record<string, unknown>), DEFAULT_OPTIONS);
  }

  /** Names of the collections on disk, sorted. */
  async listCollections(): Promise<string[]> {
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
    const temp = pathIn(this.baseDataPath, `.creating-${name}-${randomBytes(4).toString('hex')}`);
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
      if (renamed) await this.fs.rename(this.dir(name), temp).catch(() => {});
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
      if (!(await this.exists(name))) throw this.notFound(name);
      return Collection.open(this.fs, this.dir(name), name, this.launcher, this.flushRunner);
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
    if (this.open.has(name)) await this.closeCollection(name);
    if (!(await this.exists(name))) throw this.notFound(name);
    const dir = this.dir(name);
    const lock = await CollectionLock.acquire(this.fs, pathIn(dir, LOCK_FILE), name);
    const graveyard = pathIn(this.baseDataPath, `.dropping-${name}-${randomBytes(4).toString('hex')}`);
    try {
      await this.fs.rename(dir, graveyard);
      await this.fs.syncDir(this.baseDataPath);
    } catch (err) {
      await lock.release().catch(() => {});
      throw ioError('drop collection', dir, err);
    }
    await this.fs.removeTree(graveyard);
  }

  /**
   * Summarizes a collection for a listing. An open collection answers from
   * its stats; a closed one from its manifest and WAL record counts, read-only,
   * so listing never takes a lock or writes anything.
   */
  async describeCollection(name: string): Promise<CollectionSummary> {
    checkCollectionName(name);
    const opening = this.open.get(name);
    const c = opening === undefined ? undefined : await opening.catch(() => undefined);
    if (c?.isOpen) {
      const s = c.stats();
      const memEntries = s.memtable.entries + s.immutableMemtables.reduce((n, m) => n + m.entries, 0);
      const tables = s.levels.reduce((t, l) => ({ entries: t.entries + l.entries, bytes: t.bytes + l.bytes, files: t.files + l.fileCount }), { entries: 0, bytes: 0, files: 0 });
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

  private notFound(name: string): StorageError {
    return new StorageError('COLLECTION_NOT_FOUND', `collection "${name}" does not exist in ${this.baseDataPath}`);
  }
}
