import { corruption, ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { RecoveryReport } from './stats.js';
import type { Memtable } from '../memtable/memtable.js';
import { VersionSet } from '../version/version-set.js';
import { OPTIONS_FILE, parseFileName, pathIn, tableFileName, walFileName } from '../version/file-names.js';
import { type CollectionOptions, resolveOptions } from './options.js';
import { syncExistingFile } from './sync-file.js';
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corruption(path, 'OPTIONS file is missing: not a Strata collection, or damaged');
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
 * to the first gap (wal-replay.ts), removes files that no manifest state
 * refers to, and starts a fresh manifest. Nothing acknowledged is dropped:
 * WALs are only deleted after their memtable is in a table recorded by the
 * manifest, and WALs after a gap are moved to lost/.
 */
export async function recover(fs: FileSystem, dir: string): Promise<RecoveredState> {
  const options = await readOptionsFile(fs, dir);
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  if (!(await versions.recover())) throw corruption(pathIn(dir, 'CURRENT'), 'CURRENT is missing: the collection was never completely created');
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
  let lastSequence = replay.lastSequence;
  for (const f of versions.current.files()) lastSequence = Math.max(lastSequence, f.maxSequence);
  versions.lastSequence = lastSequence;

  // Remove what no state refers to: tables from unfinished flushes, WALs already
  // in tables, old manifests and half-written temp files.
  const currentManifest = versions.manifestFile;
  for (const name of names) {
    const parsed = parseFileName(name);
    const obsolete =
      (parsed.type === 'table' && !live.has(parsed.number)) ||
      (parsed.type === 'wal' && parsed.number < versions.logNumber) ||
      (parsed.type === 'manifest' && name !== currentManifest) ||
      parsed.type === 'temp';
    if (obsolete) await fs.remove(pathIn(dir, name));
  }
  await versions.writeSnapshotManifest();
  const report: RecoveryReport = { tornWals: replay.tornWals, lostFiles: replay.lostFiles };
  if (replay.gap !== undefined) report.gap = replay.gap;
  return { options, versions, recovered: replay.memtables, lastSequence, report };
}
