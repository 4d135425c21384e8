import { corruption, ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { readLog } from '../log/log-format.js';
import { batchIntactBefore, decodeBatch } from '../log/write-batch.js';
import type { LostFile, RecoveryReport, TornWal } from './stats.js';
import { Memtable } from '../memtable/memtable.js';
import { VersionSet } from '../version/version-set.js';
import { OPTIONS_FILE, parseFileName, pathIn, tableFileName, walFileName } from '../version/file-names.js';
import { type CollectionOptions, resolveOptions } from './options.js';
import { settleUnlistedFiles } from './unlisted-files.js';

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
 * manifest, replays every WAL the manifest does not cover into memtables,
 * removes the files no state uses that are provably obsolete and sets the
 * others aside in lost/, and starts a fresh manifest. Nothing acknowledged
 * is dropped: WALs are only deleted after their memtable is in a table
 * recorded by the manifest.
 */
export async function recover(fs: FileSystem, dir: string): Promise<RecoveredState> {
  const options = await readOptionsFile(fs, dir);
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  if (!(await versions.recover())) throw corruption(pathIn(dir, 'CURRENT'), 'CURRENT is missing: the collection was never completely created');
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
  let lastSequence = versions.lastSequence;
  const recovered: Memtable[] = [];
  const tornWals: TornWal[] = [];
  const lostFiles: LostFile[] = [];
  for (const number of wals) {
    const path = pathIn(dir, walFileName(number));
    let data: Buffer;
    try {
      data = await fs.readFile(path);
    } catch (err) {
      throw ioError('read', path, err);
    }
    const log = readLog(data, path, batchIntactBefore);
    if (log.tornTail) tornWals.push({ path, keptRecords: log.records.length, cutAt: log.validEnd, fileBytes: data.length });
    const memtable = new Memtable(number);
    for (const payload of log.records) {
      const batch = decodeBatch(payload, path);
      let seq = batch.firstSequence;
      for (const op of batch.ops) {
        memtable.add(seq, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, false);
        seq++;
      }
      lastSequence = Math.max(lastSequence, seq - 1);
    }
    recovered.push(memtable);
  }
  for (const f of versions.current.files()) lastSequence = Math.max(lastSequence, f.maxSequence);
  versions.lastSequence = lastSequence;

  // Files no manifest state uses: removed only when provably obsolete, else set aside (unlisted-files.ts).
  const unlisted = await settleUnlistedFiles({ fs, dir, names, versions, recovered, tornWals });
  lostFiles.push(...unlisted.lostFiles);
  lastSequence = Math.max(lastSequence, unlisted.highestSequence);
  versions.lastSequence = lastSequence;
  await versions.writeSnapshotManifest();
  return { options, versions, recovered, lastSequence, report: { tornWals, lostFiles, tornManifest: versions.manifestTear } };
}
