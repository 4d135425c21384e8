import type { FileSystem } from '../fs/file-system.js';
import { readLog } from '../log/log-format.js';
import { decodeBatch } from '../log/write-batch.js';
import { parseFileName, pathIn, walFileName } from '../version/file-names.js';
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
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  await versions.recover();
  const summary: ClosedCollectionSummary = { tableEntries: 0, tableBytes: 0, tableFiles: 0, walEntries: 0 };
  for (const f of versions.current.files()) {
    summary.tableEntries += f.entries;
    summary.tableBytes += f.size;
    summary.tableFiles++;
  }
  for (const name of await fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed.type !== 'wal' || parsed.number < versions.logNumber) continue;
    const path = pathIn(dir, walFileName(parsed.number));
    const log = readLog(await fs.readFile(path), path);
    for (const payload of log.records) summary.walEntries += decodeBatch(payload, path).ops.length;
  }
  return summary;
}
