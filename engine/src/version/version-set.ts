import { corruption, ioError, StorageError } from '../errors.js';
import type { AppendableFile, FileSystem } from '../fs/file-system.js';
import { CURRENT_FILE, manifestFileName, pathIn } from './file-names.js';
import { encodeRecord, readManifestLog } from '../log/log-format.js';
import type { TableSummary } from './table-summary.js';
import { Version, VersionInvariantError } from './version.js';
import { decodeEdit, encodeEdit, type VersionEdit } from './version-edit.js';

const MANIFEST_ROLL_BYTES = 4 * 1024 * 1024;

/**
 * Whether each new Version is checked in full (Version.check, a pass over
 * every table) before its edit is logged. The engine's tests turn it on
 * (scripts/run-tests.mjs sets STRATA_CHECK_INVARIANTS=1); in production a
 * manifest's state is checked when it is replayed at open, and each edit's
 * deletions as it is applied.
 */
const CHECK_EVERY_EDIT = process.env.STRATA_CHECK_INVARIANTS === '1';

/**
 * The current Version plus the counters the manifest persists, and the one
 * place where the file set changes: logAndApply() appends an edit to the
 * manifest, fsyncs it, and only then installs the new Version. A crash at any
 * moment leaves either the old edit list or the new one (a torn last record
 * is dropped at recovery), never a mix.
 */
export class VersionSet {
  current: Version;
  nextFileNumber = 2;
  lastSequence = 0;
  logNumber = 0;
  compactPointers: Record<number, string> = {};
  private manifest: AppendableFile | undefined;
  private manifestNumber = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private listeners: ((v: Version) => void)[] = [];
  /** Set by recover(): tables a replayed edit deleted and did not re-add elsewhere (a move), so gone from the state for good. */
  readonly deletedTables = new Set<number>();
  /** Set by recover(): the last sequence the manifest recorded, before recovery adds the WALs' writes. */
  manifestLastSequence = 0;
  /** Set by recover() when the manifest ended in an append a crash cut short. */
  manifestTear: { path: string; cutAt: number; fileBytes: number } | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    levelCount: number,
  ) {
    this.current = Version.empty(levelCount);
  }

  newFileNumber(): number {
    return this.nextFileNumber++;
  }

  onInstall(listener: (v: Version) => void): void {
    this.listeners.push(listener);
  }

  /** Reads CURRENT and replays its manifest. Returns false if the collection has no CURRENT yet. */
  async recover(): Promise<boolean> {
    const currentPath = pathIn(this.dir, CURRENT_FILE);
    let current: string;
    try {
      current = (await this.fs.readFile(currentPath)).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw ioError('read', currentPath, err);
    }
    const name = current.trim();
    const m = /^MANIFEST-(\d+)$/.exec(name);
    if (!m || !current.endsWith('\n')) throw corruption(currentPath, `does not name a manifest (${JSON.stringify(current.slice(0, 40))})`);
    this.manifestNumber = Number(m[1]);
    const manifestPath = pathIn(this.dir, name);
    let data: Buffer;
    try {
      data = await this.fs.readFile(manifestPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corruption(manifestPath, 'CURRENT names a manifest that does not exist');
      throw ioError('read', manifestPath, err);
    }
    const { records, tornTail, validEnd } = readManifestLog(data, manifestPath);
    if (records.length === 0) throw corruption(manifestPath, 'manifest holds no complete record');
    if (tornTail) this.manifestTear = { path: manifestPath, cutAt: validEnd, fileBytes: data.length };
    let version = Version.empty(this.current.levels.length);
    records.forEach((payload, i) => {
      const edit = decodeEdit(payload, manifestPath, i);
      if (edit.snapshot) version = Version.empty(this.current.levels.length);
      version = invariant(
        () => version.apply(edit.deleted ?? [], edit.added ?? []),
        (problem) => corruption(manifestPath, `record ${i} ${problem}`),
      );
      for (const id of deletedIds(edit)) this.deletedTables.add(id);
      this.absorbCounters(edit);
    });
    this.current = version;
    this.nextFileNumber = Math.max(this.nextFileNumber, this.manifestNumber + 1);
    invariant(
      () => version.check(this.nextFileNumber),
      (problem) => corruption(manifestPath, `the state it records is inconsistent: ${problem}`),
    );
    this.manifestLastSequence = this.lastSequence;
    return true;
  }

  /** Starts a fresh manifest holding the whole current state, then points CURRENT at it. */
  async writeSnapshotManifest(): Promise<void> {
    const number = this.newFileNumber();
    const path = pathIn(this.dir, manifestFileName(number));
    if (CHECK_EVERY_EDIT) this.checkBeforeLogging(this.current, path);
    const old = this.manifest;
    const oldNumber = this.manifestNumber;
    let file: AppendableFile | undefined;
    let currentMayNameIt = false;
    try {
      file = this.fs.create(path);
      const record = encodeRecord(encodeEdit(this.snapshotEdit()));
      this.lastSnapshotBytes = record.length;
      file.append(record);
      await file.sync();
      // The new manifest's name must be durable before CURRENT can name it (LevelDB does the same).
      await this.fs.syncDir(this.dir);
      currentMayNameIt = true;
      await this.fs.writeFileAtomic(pathIn(this.dir, CURRENT_FILE), Buffer.from(`${manifestFileName(number)}\n`));
    } catch (err) {
      // The write error is thrown below; the new manifest is removed, or kept for recovery.
      await file?.close().catch(() => {});
      // Once CURRENT may name the new manifest (writeFileAtomic can fail after its rename), keep it:
      // recovery keeps whichever manifest CURRENT names and removes the other.
      if (!currentMayNameIt) await this.fs.remove(path).catch(() => {});
      throw ioError('write manifest', path, err);
    }
    this.manifest = file;
    this.manifestNumber = number;
    // The old manifest was synced with its last edit, and CURRENT names the new one: closing it loses nothing,
    await old?.close().catch(() => {});
    // and if it cannot be removed, the next open removes it (unlisted-files.ts: an older manifest is obsolete).
    if (oldNumber > 0) await this.fs.remove(pathIn(this.dir, manifestFileName(oldNumber))).catch(() => {});
  }

  get manifestFile(): string {
    return manifestFileName(this.manifestNumber);
  }

  /**
   * Durably records `edit` and installs the resulting Version. Edits are
   * serialized: each waits for the previous one.
   */
  logAndApply(edit: VersionEdit): Promise<Version> {
    const run = this.queue.then(() => this.applyNow(edit));
    // The caller of logAndApply gets the error; the queue only orders the edits.
    this.queue = run.catch(() => {});
    return run;
  }

  private async applyNow(edit: VersionEdit): Promise<Version> {
    if (this.manifest === undefined) throw new StorageError('CLOSED', 'manifest is not open');
    if (this.broken) throw this.broken;
    const full: VersionEdit = {
      ...edit,
      nextFileNumber: this.nextFileNumber,
      lastSequence: Math.max(this.lastSequence, edit.lastSequence ?? 0),
    };
    const manifestPath = pathIn(this.dir, this.manifestFile);
    const next = invariant(
      () => this.current.apply(edit.deleted ?? [], edit.added ?? []),
      (problem) => refused(manifestPath, `it ${problem}`),
    );
    if (CHECK_EVERY_EDIT) this.checkBeforeLogging(next, manifestPath);
    const before = this.manifest.size;
    try {
      this.manifest.append(encodeRecord(encodeEdit(full)));
      await this.manifest.sync();
    } catch (err) {
      // Undo the partial record so the manifest stays a clean log; if even that fails,
      // the record is still either complete or a torn tail that recovery drops.
      try {
        this.manifest.truncate(before);
      } catch {
        /* recovery handles the torn tail */
      }
      throw ioError('append to manifest', manifestPath, err);
    }
    this.absorbCounters(full);
    this.current = next;
    for (const l of this.listeners) l(next);
    // The edit is durable and installed; rolling to a fresh manifest is housekeeping.
    // If the roll fails, CURRENT may name either manifest, and both hold the state up
    // to this edit, so the only safe course is to take no further edits.
    if (this.manifest.size > Math.max(MANIFEST_ROLL_BYTES, 2 * this.lastSnapshotBytes)) {
      try {
        await this.writeSnapshotManifest();
      } catch (err) {
        this.broken = ioError('roll the manifest', pathIn(this.dir, this.manifestFile), err);
      }
    }
    return next;
  }

  /** Set when the manifest's state is uncertain; every later edit is refused with it. */
  private broken: StorageError | undefined;
  private lastSnapshotBytes = 0;

  private checkBeforeLogging(version: Version, manifestPath: string): void {
    invariant(
      () => version.check(this.nextFileNumber),
      (problem) => refused(manifestPath, `the state it makes is inconsistent: ${problem}`),
    );
  }

  private absorbCounters(edit: VersionEdit): void {
    if (edit.nextFileNumber !== undefined) this.nextFileNumber = Math.max(this.nextFileNumber, edit.nextFileNumber);
    if (edit.lastSequence !== undefined) this.lastSequence = Math.max(this.lastSequence, edit.lastSequence);
    if (edit.logNumber !== undefined) this.logNumber = Math.max(this.logNumber, edit.logNumber);
    if (edit.compactPointers) Object.assign(this.compactPointers, edit.compactPointers);
  }

  private snapshotEdit(): VersionEdit {
    const added: TableSummary[] = [...this.current.files()];
    return {
      snapshot: true,
      added,
      nextFileNumber: this.nextFileNumber,
      lastSequence: this.lastSequence,
      logNumber: this.logNumber,
      compactPointers: this.compactPointers,
    };
  }

  async close(): Promise<void> {
    await this.queue;
    const m = this.manifest;
    this.manifest = undefined;
    await m?.close();
  }
}

/** The tables an edit removes from the state: deleted and not re-added at another level (as a trivial move does). */
export function deletedIds(edit: VersionEdit): number[] {
  const readded = new Set((edit.added ?? []).map((f) => f.id));
  return (edit.deleted ?? []).map((d) => d.id).filter((id) => !readded.has(id));
}

/** Runs `step`; a VersionInvariantError it throws becomes the StorageError `as` makes of its message. */
function invariant<T>(step: () => T, as: (problem: string) => StorageError): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof VersionInvariantError) throw as(err.message);
    throw err;
  }
}

/** An edit the engine itself made would leave an inconsistent state: it is not logged, and the collection stops taking writes. */
function refused(manifestPath: string, why: string): StorageError {
  return new StorageError('CORRUPTION', `refused to log a version edit to ${manifestPath}: ${why}`);
}
