import type { FileSystem } from '../fs/file-system.js';
import { readLog } from '../log/log-format.js';
import { batchIntactBefore, decodeBatch } from '../log/write-batch.js';
import { CURRENT_FILE, parseFileName, pathIn, walFileName } from '../version/file-names.js';
import { VersionSet } from '../version/version-set.js';
import { LEVEL_COUNT } from './recovery.js';

export interface ClosedCollectionSummary {
  tableEntries: number;
  tableBytes: number;
  tableFiles: number;
  /** Operations in WALs not yet flushed: what the next open will replay into the memtable. */
  walEntries: number;
}

/**
 * Reads what a collection holds without opening it: its manifest, and the
 * record counts of the WALs the manifest does not cover. It takes no lock and
 * writes nothing, so it works while another process has the collection open
 * (the answer is then a moment old, and a WAL being written may end torn:
 * its complete records are counted).
 */
export async function describeClosedCollection(fs: FileSystem, dir: string): Promise<ClosedCollectionSummary> {
  // An opener in another process may flush the WAL we listed and delete it, or
  // install a new manifest, between our reads. Those races show as a file that
  // vanished or a CURRENT that moved; each retry starts from a fresh CURRENT.
  for (let attempt = 1; ; attempt++) {
    const before = await readCurrent(fs, dir);
    try {
      return await describeOnce(fs, dir);
    } catch (err) {
      const moved = isNotFound(err) || (await readCurrent(fs, dir)) !== before;
      if (!moved || attempt === MAX_ATTEMPTS) throw err;
    }
  }
}

const MAX_ATTEMPTS = 5;

async function readCurrent(fs: FileSystem, dir: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(pathIn(dir, CURRENT_FILE))).toString('utf8');
  } catch {
    // No CURRENT (or none readable): the summary says what can be said without opening, which is nothing of its tables.
    return undefined;
  }
}

const isNotFound = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

async function describeOnce(fs: FileSystem, dir: string): Promise<ClosedCollectionSummary> {
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  await versions.recover();
  const summary: ClosedCollectionSummary = { tableEntries: 0, tableBytes: 0, tableFiles: 0, walEntries: 0 };
  for (const f of versions.current.files()) {
    summary.tableEntries += f.entries;
    summary.tableBytes += f.bytes;
    summary.tableFiles++;
  }
  for (const name of await fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed.type !== 'wal' || parsed.number < versions.logNumber) continue;
    const path = pathIn(dir, walFileName(parsed.number));
    const log = readLog(await fs.readFile(path), path, batchIntactBefore);
    for (const payload of log.records) summary.walEntries += decodeBatch(payload, path).ops.length;
  }
  return summary;
}
