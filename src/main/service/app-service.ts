import { resolve } from 'node:path';
import {
  type Collection,
  type CompactionLauncher,
  type RepairProgress,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  StorageError,
  StorageManager,
  checkCollectionName,
  caseVariantOf,
} from '@strata/engine';
import { LIMITS, type ArgsOf, type ResultOf, type StrataApi } from '../../shared/ipc/contract';
import type { AppInfo, AppMode, CollectionSummary, KeyFilter, KeyRow, PushEvent } from '../../shared/ipc/types';
import { diskUsage } from './disk-usage';
import { EventHub } from './event-hub';
import { FolderAccess } from './folder-access';
import { Jobs } from './jobs';
import { scanOptions } from './key-range';
import { LsmRecorder } from './lsm-recorder';
import { explanationToWire, inspectionToWire } from './to-wire/lookup';
import { repairToWire } from './to-wire/repair';
import { statsToWire } from './to-wire/stats';
import { RecentFolders } from './recent-folders';
import { Transfers } from './transfers';
import { runWorkload } from './workload';

export interface AppServiceOptions {
  mode: AppMode;
  version: string;
  dataDir: string;
  /** Where recent folders are remembered; undefined keeps them in memory only. */
  recentFile?: string;
  /** Web mode's --root: folder.open refuses anything outside it, and dataDir must be inside it. */
  root?: string;
  /** The Electron app passes a launcher built on utilityProcess.fork; web mode uses the engine's Node fork. */
  compactionLauncher?: CompactionLauncher;
  /** Electron's native folder picker; absent in web mode. */
  chooseFolder?: () => Promise<string | undefined>;
  /** Electron's native file dialogs for import and export; absent in web mode (browser upload and download instead). */
  chooseImportFile?: () => Promise<string | undefined>;
  chooseExportFile?: (suggestedName: string) => Promise<string | undefined>;
}

/** What a repair job says it is doing. */
const PHASES: Record<RepairProgress['phase'], string> = {
  reading: 'Reading tables and logs',
  merging: 'Ordering tables',
  writing: 'Writing the new manifest',
};

/** Keys deleted per atomic batch by bulk deletes: small enough to stop promptly when cancelled. */
const DELETE_BATCH = 1000;

/**
 * Everything the UI can do, as plain Node over the engine's public API. It
 * knows nothing of Electron or WebSockets: main's IPC handlers and the web
 * server both dispatch the contract's operations to this one object.
 */
export class AppService implements StrataApi {
  private manager: StorageManager;
  private dataDir: string;
  private readonly open = new Map<string, Collection>();
  private readonly recorders = new Map<string, LsmRecorder>();
  private readonly hub = new EventHub();
  private readonly jobs = new Jobs((job) => this.hub.publish({ kind: 'job', job }));
  private readonly recent: RecentFolders;
  private readonly folders: FolderAccess;
  readonly transfers = new Transfers(this.jobs);

  constructor(private readonly options: AppServiceOptions) {
    this.dataDir = resolve(options.dataDir);
    this.manager = this.createManager();
    this.recent = new RecentFolders(options.recentFile);
    this.folders = new FolderAccess({ mode: options.mode, root: options.root, recent: () => this.recent.list() });
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  /** Checks the starting folder against the root (a clear error when outside) and remembers it. */
  async start(): Promise<void> {
    await this.folders.start();
    const dir = await this.folders.checkStart(this.dataDir);
    if (dir !== this.dataDir) {
      // Under a root the folder is opened by its real path, the one that was checked.
      await this.manager.closeAll();
      this.dataDir = dir;
      this.manager = this.createManager();
    }
    await this.recent.remember(this.dataDir);
  }

  async shutdown(): Promise<void> {
    for (const name of [...this.open.keys()]) this.forget(name);
    this.jobs.cancelAll();
    this.hub.close();
    await this.manager.closeAll();
  }

  // --- app and folder ---------------------------------------------------

  async 'app.info'(): Promise<AppInfo> {
    return {
      mode: this.options.mode,
      version: this.options.version,
      dataDir: this.dataDir,
      recentDirs: await this.recentDirs(),
      nativeDialogs: this.options.chooseFolder !== undefined,
      limits: {
        maxKeyBytes: MAX_KEY_BYTES,
        maxValueBytes: MAX_VALUE_BYTES,
        previewChars: LIMITS.previewChars,
        fullValueChars: LIMITS.fullValueChars,
      },
    };
  }

  async 'folder.choose'(): Promise<AppInfo | null> {
    if (!this.options.chooseFolder)
      throw new StorageError(
        'INVALID_ARGUMENT',
        'a native folder dialog is only available in the desktop app; type the folder path instead',
      );
    const chosen = await this.options.chooseFolder();
    if (chosen === undefined) return null;
    this.folders.allowChosen(chosen);
    return this['folder.open']({ path: chosen });
  }

  async 'folder.open'({ path }: ArgsOf<'folder.open'>): Promise<AppInfo> {
    const dir = await this.folders.check(path, this.dataDir);
    if (dir === this.dataDir) return this['app.info']();
    const next = new StorageManager({ baseDataPath: dir, compactionLauncher: this.options.compactionLauncher });
    await next.listCollections(); // fails here, before anything is closed, if the folder cannot be read
    for (const name of [...this.open.keys()]) this.forget(name);
    await this.manager.closeAll();
    this.manager = next;
    this.dataDir = dir;
    await this.recent.remember(dir);
    this.hub.publish({ kind: 'folder-changed', dataDir: dir });
    return this['app.info']();
  }

  // --- collections ------------------------------------------------------

  async 'collections.list'(): Promise<CollectionSummary[]> {
    const names = await this.manager.listCollections();
    return Promise.all(names.map((name) => this.summary(name)));
  }

  async 'collections.checkName'({ name }: ArgsOf<'collections.checkName'>): Promise<string | null> {
    try {
      checkCollectionName(name);
    } catch (err) {
      return (err as Error).message;
    }
    const existing = await this.manager.listCollections();
    if (existing.includes(name)) return `collection "${name}" already exists`;
    const variant = caseVariantOf(name, existing);
    return variant === undefined
      ? null
      : `"${name}" differs from the existing collection "${variant}" only in case; on Windows and macOS they would be one folder`;
  }

  async 'collections.create'({ name }: ArgsOf<'collections.create'>): Promise<CollectionSummary> {
    await this.manager.createCollection(name);
    this.hub.publish({ kind: 'collections-changed' });
    return this.summary(name);
  }

  async 'collections.open'({ name }: ArgsOf<'collections.open'>): Promise<CollectionSummary> {
    await this.collection(name);
    this.hub.publish({ kind: 'collections-changed' });
    return this.summary(name);
  }

  async 'collections.close'({ name }: ArgsOf<'collections.close'>): Promise<void> {
    this.forget(name);
    await this.manager.closeCollection(name);
    this.hub.publish({ kind: 'collections-changed' });
  }

  async 'collections.drop'({ name, confirm }: ArgsOf<'collections.drop'>): Promise<void> {
    if (confirm !== name)
      throw new StorageError('INVALID_ARGUMENT', `to drop "${name}", type its name exactly to confirm (got "${confirm}")`);
    this.forget(name);
    await this.manager.dropCollection(name);
    this.hub.publish({ kind: 'collections-changed' });
  }

  async 'collections.stats'({ name }: ArgsOf<'collections.stats'>): Promise<ResultOf<'collections.stats'>> {
    return statsToWire((await this.collection(name)).stats());
  }

  async 'collections.repair'({ name }: ArgsOf<'collections.repair'>): Promise<ResultOf<'collections.repair'>> {
    // Offered when an open failed; one that is open after all is refused by the manager, with why.
    return this.jobs.start('repair', name, null, 'bytes', async ({ progress }) => {
      const report = await this.manager.repairCollection(name, {
        onProgress: (p) => progress(p.doneBytes, `${PHASES[p.phase]}…`, { total: p.totalBytes }),
      });
      this.hub.publish({ kind: 'collections-changed' });
      const lost = report.lostFiles.length;
      const message = `repaired: ${report.manifest.tables.length} table(s), ${report.manifest.entries.toLocaleString('en-US')} entries${lost === 0 ? '' : `, ${lost} file(s) moved to lost/`}`;
      return { message, extra: { repair: repairToWire(report) } };
    });
  }

  // --- keys -------------------------------------------------------------

  async 'keys.page'({ collection, filter, reverse, after, from, limit }: ArgsOf<'keys.page'>): Promise<ResultOf<'keys.page'>> {
    const c = await this.collection(collection);
    const rows: KeyRow[] = [];
    // One more than asked for tells whether this page reached the end.
    for await (const [key, value] of c.scan(scanOptions(filter, { reverse, after, from }, limit + 1))) {
      if (rows.length === limit) return { rows, done: false };
      rows.push(row(key, value));
    }
    return { rows, done: true };
  }

  async 'keys.get'({ collection, key, full }: ArgsOf<'keys.get'>): Promise<ResultOf<'keys.get'>> {
    const value = await (await this.collection(collection)).get(key);
    if (value === undefined) return null;
    const truncated = !full && value.length > LIMITS.fullValueChars;
    return { key, value: truncated ? value.slice(0, LIMITS.fullValueChars) : value, valueBytes: Buffer.byteLength(value), truncated };
  }

  async 'keys.put'({ collection, key, value }: ArgsOf<'keys.put'>): Promise<void> {
    // Edits from the browser are acknowledged only once on disk: a user who saw "saved" expects it to survive a crash.
    await (await this.collection(collection)).put(key, value, { sync: true });
    this.hub.touch(collection);
  }

  async 'keys.delete'({ collection, keys }: ArgsOf<'keys.delete'>): Promise<{ deleted: number }> {
    await (
      await this.collection(collection)
    ).batch(
      keys.map((key) => ({ type: 'delete' as const, key })),
      { sync: true },
    );
    this.hub.touch(collection);
    return { deleted: keys.length };
  }

  async 'keys.count'({ collection, filter, max }: ArgsOf<'keys.count'>): Promise<ResultOf<'keys.count'>> {
    const c = await this.collection(collection);
    let count = 0;
    for await (const _ of c.scan(scanOptions(filter, { reverse: false }, max + 1))) {
      if (count === max) return { count, complete: false };
      count++;
    }
    return { count, complete: true };
  }

  // --- jobs -------------------------------------------------------------

  async 'jobs.deleteMatching'({ collection, filter, expected }: ArgsOf<'jobs.deleteMatching'>): Promise<ResultOf<'jobs.deleteMatching'>> {
    const c = await this.collection(collection);
    return this.jobs.start('delete-matching', collection, expected ?? null, 'keys', async ({ signal, progress }) => {
      let deleted = 0;
      let after: string | undefined;
      while (!signal.aborted) {
        const keys = await collectKeys(c, filter, after, DELETE_BATCH);
        if (keys.length === 0) break;
        // Each batch is atomic and synced: a cancel or crash leaves whole batches deleted, never half of one.
        await c.batch(
          keys.map((key) => ({ type: 'delete' as const, key })),
          { sync: true },
        );
        deleted += keys.length;
        after = keys.at(-1);
        progress(deleted, `deleted ${deleted.toLocaleString('en-US')} keys`);
        this.hub.touch(collection);
      }
      const what = `${deleted.toLocaleString('en-US')} key${deleted === 1 ? '' : 's'}`;
      return signal.aborted ? `cancelled after deleting ${what}` : `deleted ${what}`;
    });
  }

  async 'jobs.cancel'({ id }: ArgsOf<'jobs.cancel'>): Promise<void> {
    if (!this.jobs.cancel(id)) throw new StorageError('INVALID_ARGUMENT', `no running job with id "${id}" (it may have finished already)`);
  }

  async 'jobs.workload'({ collection, ...spec }: ArgsOf<'jobs.workload'>): Promise<ResultOf<'jobs.workload'>> {
    const c = await this.collection(collection);
    return this.jobs.start('workload', collection, spec.count, 'operations', (ctx) => runWorkload(c, spec, ctx));
  }

  // --- the LSM tree -------------------------------------------------------

  async 'lsm.flush'({ collection }: ArgsOf<'lsm.flush'>): Promise<void> {
    await (await this.collection(collection)).flush();
  }

  async 'lsm.compact'({ collection, range }: ArgsOf<'lsm.compact'>): Promise<void> {
    await (await this.collection(collection)).compact(range);
  }

  async 'lsm.history'({ collection }: ArgsOf<'lsm.history'>): Promise<ResultOf<'lsm.history'>> {
    await this.collection(collection);
    return this.recorders.get(collection)!.history();
  }

  async 'lsm.explainGet'({ collection, key }: ArgsOf<'lsm.explainGet'>): Promise<ResultOf<'lsm.explainGet'>> {
    // The value may be huge; the trace is about where it was found, so it carries a preview.
    return explanationToWire(await (await this.collection(collection)).explainGet(key), LIMITS.previewChars);
  }

  async 'lsm.inspectTable'({ collection, fileNumber, firstEntries }: ArgsOf<'lsm.inspectTable'>): Promise<ResultOf<'lsm.inspectTable'>> {
    const c = await this.collection(collection);
    return inspectionToWire(await c.inspectTable(fileNumber, { firstEntries: firstEntries ?? 20, valuePreviewChars: 80 }));
  }

  // --- import and export --------------------------------------------------

  async 'transfer.chooseImportFile'(): Promise<ResultOf<'transfer.chooseImportFile'>> {
    const path = await this.needDialog(this.options.chooseImportFile)();
    if (path === undefined) return null;
    this.transfers.allowPath(path);
    return this.transfers.previewFile(path);
  }

  async 'transfer.previewSample'({
    sample,
    fileName,
    sizeBytes,
    format,
  }: ArgsOf<'transfer.previewSample'>): Promise<ResultOf<'transfer.previewSample'>> {
    return this.transfers.previewSample(sample, fileName, sizeBytes, format);
  }

  async 'transfer.previewFile'({ path, format }: ArgsOf<'transfer.previewFile'>): Promise<ResultOf<'transfer.previewFile'>> {
    return this.transfers.previewFile(path, format);
  }

  async 'transfer.importFile'({
    collection,
    path,
    format,
    onError,
  }: ArgsOf<'transfer.importFile'>): Promise<ResultOf<'transfer.importFile'>> {
    return this.transfers.importFile(collection, await this.collection(collection), path, format, onError);
  }

  async 'transfer.beginUpload'({
    collection,
    fileName,
    sizeBytes,
    format,
    onError,
  }: ArgsOf<'transfer.beginUpload'>): Promise<ResultOf<'transfer.beginUpload'>> {
    return this.transfers.beginUpload(collection, await this.collection(collection), fileName, sizeBytes, format, onError);
  }

  async 'transfer.exportFile'({ collection, filter, format }: ArgsOf<'transfer.exportFile'>): Promise<ResultOf<'transfer.exportFile'>> {
    const c = await this.collection(collection);
    const path = await this.needDialog(this.options.chooseExportFile)(`${collection}.${format === 'json' ? 'json' : format}`);
    return path === undefined ? null : this.transfers.exportFile(collection, c, filter, format, path);
  }

  async 'transfer.beginDownload'({
    collection,
    filter,
    format,
  }: ArgsOf<'transfer.beginDownload'>): Promise<ResultOf<'transfer.beginDownload'>> {
    return this.transfers.beginDownload(collection, await this.collection(collection), filter, format);
  }

  // --- helpers ------------------------------------------------------------

  /** Recent folders that may still be opened (under a root, those inside it). */
  private async recentDirs(): Promise<string[]> {
    const dirs = await this.recent.list();
    const allowed = await Promise.all(dirs.map((dir) => this.folders.allows(dir)));
    return dirs.filter((_, i) => allowed[i]);
  }

  private needDialog<A extends unknown[]>(
    dialog: ((...args: A) => Promise<string | undefined>) | undefined,
  ): (...args: A) => Promise<string | undefined> {
    if (!dialog)
      throw new StorageError(
        'INVALID_ARGUMENT',
        'native file dialogs exist only in the desktop app; in web mode the browser uploads and downloads the file',
      );
    return dialog;
  }

  /** Stops everything the app attached to a collection before it closes, is dropped, or its folder changes. */
  private forget(name: string): void {
    this.jobs.cancelFor(name);
    this.hub.unwatch(name);
    this.recorders.get(name)?.dispose();
    this.recorders.delete(name);
    this.open.delete(name);
  }

  private createManager(): StorageManager {
    return new StorageManager({ baseDataPath: this.dataDir, compactionLauncher: this.options.compactionLauncher });
  }

  /** Opens on first use: the browser may ask for keys of a collection the user just clicked. */
  private async collection(name: string): Promise<Collection> {
    const known = this.open.get(name);
    if (known?.isOpen) return known;
    const c = await this.manager.getCollection(name);
    this.open.set(name, c);
    this.hub.watch(name, c);
    this.recorders.get(name)?.dispose();
    this.recorders.set(name, new LsmRecorder(c));
    return c;
  }

  private async summary(name: string): Promise<CollectionSummary> {
    const disk = await diskUsage(`${this.dataDir}/${name}`);
    const described = await this.manager.describeCollection(name).catch(() => undefined);
    const open = this.open.get(name)?.isOpen === true;
    return { name, open, approxKeys: described?.approximateEntries ?? null, diskBytes: disk.bytes, files: disk.files };
  }
}

function row(key: string, value: string): KeyRow {
  return {
    key,
    preview: value.length > LIMITS.previewChars ? value.slice(0, LIMITS.previewChars) : value,
    valueBytes: Buffer.byteLength(value),
  };
}

async function collectKeys(c: Collection, filter: KeyFilter, after: string | undefined, limit: number): Promise<string[]> {
  const keys: string[] = [];
  for await (const [key] of c.scan(scanOptions(filter, { reverse: false, after }, limit))) keys.push(key);
  return keys;
}
