/**
 * Repair's pass over one SSTable: keep it as it is if every part verifies,
 * else rewrite the entries of its intact blocks into a new table and set the
 * damaged file aside; a table the old manifest recorded as deleted is set
 * aside unread (see previous-manifest.ts for why).
 */
import { ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { readWhole } from '../fs/read-whole.js';
import { TableBuilder, type TableBuilderOptions } from '../table/table-builder.js';
import { TableSalvage } from '../table/table-salvage.js';
import { type TableSummary, summaryOf } from '../version/table-summary.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import type { Candidate } from './arrange.js';
import type { DamagedBytes, RepairedTable } from './repair-report.js';

export interface TableRepair {
  outcome: RepairedTable;
  /** The table to list, if any: the file itself (kept) or the one written from its intact blocks. */
  candidate: Candidate | undefined;
  /** Why the file goes to lost/ once the new manifest is in place; undefined if it is listed as it is. */
  setAsideBecause: string | undefined;
  /** Highest sequence number read from it, listed or not. */
  maxSequence: number;
}

export async function repairTable(
  fs: FileSystem,
  dir: string,
  name: string,
  id: number,
  oldLevel: number | undefined,
  deleted: boolean,
  options: TableBuilderOptions,
  newFileNumber: () => number,
  pause: () => Promise<void>,
): Promise<TableRepair> {
  const path = pathIn(dir, name);
  const data = await readWhole(fs, path);
  const check = new TableSalvage(data, path, false);
  for (const _ of check.blocks()) await pause();
  const damaged: DamagedBytes[] = check.damaged.map((d) => ({ ...d }));
  const maxSequence = check.blockCount === 0 ? 0 : check.maxSequence;
  if (deleted) {
    return {
      outcome: { file: name, outcome: 'obsolete', entries: check.entryCount, damaged },
      candidate: undefined,
      setAsideBecause:
        'the old manifest records that a compaction replaced this table: it is not used, so it cannot bring back keys deleted since (its versions live on in newer tables)',
      maxSequence,
    };
  }
  if (check.intact) {
    const p = check.properties!;
    const meta: TableSummary = {
      id,
      level: 0,
      bytes: data.length,
      entries: p.entries,
      tombstones: p.tombstones,
      minKey: p.minKey,
      maxKey: p.maxKey,
      minSequence: p.minSequence,
      maxSequence: p.maxSequence,
    };
    return {
      outcome: { file: name, outcome: 'kept', entries: p.entries, damaged },
      candidate: { meta, origin: 'kept', oldLevel },
      setAsideBecause: undefined,
      maxSequence,
    };
  }
  const where =
    damaged.length === 0
      ? 'its properties do not match its contents'
      : `${damaged.length} damaged range(s), the first at offset ${damaged[0].offset}: ${damaged[0].reason}`;
  if (check.entryCount === 0) {
    return {
      outcome: { file: name, outcome: 'lost', entries: 0, damaged },
      candidate: undefined,
      setAsideBecause: `damaged table (${where}) with no intact data block`,
      maxSequence,
    };
  }
  const newId = newFileNumber();
  const meta = await rewrite(fs, dir, data, path, newId, options, pause);
  return {
    outcome: { file: name, outcome: 'salvaged', entries: meta.entries, damaged, writtenAs: tableFileName(newId) },
    candidate: { meta, origin: 'salvaged', oldLevel },
    setAsideBecause: `damaged table (${where}); its ${meta.entries.toLocaleString('en-US')} intact entries were rewritten into ${tableFileName(newId)}`,
    maxSequence,
  };
}

/** Writes the entries of every intact block of `data` into table `id` (fsynced; the caller fsyncs the directory). */
async function rewrite(
  fs: FileSystem,
  dir: string,
  data: Buffer,
  path: string,
  id: number,
  options: TableBuilderOptions,
  pause: () => Promise<void>,
): Promise<TableSummary> {
  const out = pathIn(dir, tableFileName(id));
  let builder: TableBuilder;
  try {
    builder = new TableBuilder(fs.create(out), options);
  } catch (err) {
    throw ioError('create SSTable', out, err);
  }
  try {
    for (const block of new TableSalvage(data, path).blocks()) {
      if (block !== undefined) for (const e of block.entries) builder.add(e.key, e.key.length, e.sequence, e.kind, e.value, e.value.length);
      await pause();
    }
    return summaryOf(id, 0, await builder.finish());
  } catch (err) {
    await builder.abandon();
    // Repair fails with the write error; a leftover is an unlisted table that the next open or repair judges on its own.
    await fs.remove(out).catch(() => {});
    throw ioError('write SSTable', out, err);
  }
}
