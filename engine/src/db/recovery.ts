import { corruption, ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { RecoveryReport } from '../events/stats.js';
import type { Memtable } from '../memtable/memtable.js';
import { VersionSet } from '../version/version-set.js';
import { OPTIONS_FILE, parseFileName, pathIn, tableFileName } from '../version/file-names.js';
import { type CollectionOptions, resolveOptions } from '../options/options.js';
import { syncExistingFile } from './sync-file.js';
import { settleUnlistedFiles } from './unlisted-files.js';
import { replayWals } from './wal-replay.js';

export const LEVEL_COUNT = 7;

export interface RecoveredState {
  options: CollectionOptions;
  versions: VersionSet;
  /** Memtables rebuilt from WALs not yet flushed, oldest first; each still owns its WAL file. */
  recovered: Memtable[];
  lastSequence: number;
  /** WALs cut at a torn tail and files set aside in lost/ during this recovery (stats().recovery). */
  report: RecoveryReport;
}

export async function readOptionsFile(fs: FileSystem, dir: string): Promise<CollectionOptions> {
  const path = pathIn(dir, OPTIONS_FILE);
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw corruption(path, 'OPTIONS file is missing: not a Strata collection, or damaged');
    throw ioError('read', path, err);
  }
  try {
    return resolveOptions(JSON.parse(text));
  } catch (err) {
    const why = err instanceof StorageError ? err.message : 'not valid JSON';
    throw corruption(path, why);
  }
}

/**
 * Brings a collection directory back to a consistent state: replays the
 * manifest, replays the WALs the manifest does not cover into memtables up
 * to the first gap (wal-replay.ts: later WALs go to lost/), removes the
 * files no state uses that are provably obsolete and sets the others aside
 * in lost/ (unlisted-files.ts), and starts a fresh manifest. Nothing
 * acknowledged is dropped: WALs are only deleted after their memtable is in
 * a table recorded by the manifest.
 */
export async function recover(fs: FileSystem, dir: string): Promise<RecoveredState> {
  const options = await readOptionsFile(fs, dir);
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  if (!(await versions.recover()))
    throw corruption(pathIn(dir, 'CURRENT'), 'CURRENT is missing: the collection was never completely created');
  // Files are deleted below on the strength of CURRENT and its manifest: make sure a
  // power cut cannot take back what was read (a crashed process may have left it in the page cache only).
  await syncExistingFile(fs, pathIn(dir, versions.manifestFile), 'manifest');
  await fs.syncDir(dir).catch((err) => {
    throw ioError('fsync directory', dir, err);
  });
  const names = await fs.readdir(dir);
  const live = new Set<number>();
  for (const f of versions.current.files()) live.add(f.id);
  const present = new Set<number>();
  const wals: number[] = [];
  let highest = 0;
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed.type === 'wal' || parsed.type === 'table' || parsed.type === 'manifest') highest = Math.max(highest, parsed.number);
    if (parsed.type === 'table') present.add(parsed.number);
    if (parsed.type === 'wal' && parsed.number >= versions.logNumber) wals.push(parsed.number);
  }
  for (const id of live) {
    if (!present.has(id)) throw corruption(pathIn(dir, tableFileName(id)), 'the manifest lists this table but the file is missing');
  }
  versions.nextFileNumber = Math.max(versions.nextFileNumber, highest + 1);

  wals.sort((a, b) => a - b);
  const replay = await replayWals(fs, dir, wals, versions.lastSequence);
  let lastSequence = Math.max(replay.lastSequence, replay.highestSetAside);
  for (const f of versions.current.files()) lastSequence = Math.max(lastSequence, f.maxSequence);

  // Files no manifest state uses: removed only when provably obsolete, else set aside.
  // The WALs replay set aside after a gap are no longer in the folder.
  const movedByReplay = new Set(replay.lostFiles.map((f) => f.file));
  const unlisted = await settleUnlistedFiles({
    fs,
    dir,
    names: names.filter((n) => !movedByReplay.has(n)),
    versions,
    recovered: replay.memtables,
    tornWals: replay.tornWals,
  });
  lastSequence = Math.max(lastSequence, unlisted.highestSequence);
  versions.lastSequence = lastSequence;
  await versions.writeSnapshotManifest();
  const report: RecoveryReport = { tornWals: replay.tornWals, lostFiles: [...replay.lostFiles, ...unlisted.lostFiles] };
  if (versions.manifestTear !== undefined) report.tornManifest = versions.manifestTear;
  if (replay.gap !== undefined) report.gap = replay.gap;
  return { options, versions, recovered: replay.memtables, lastSequence, report };
}
