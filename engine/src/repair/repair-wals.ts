/**
 * Repair's pass over one write-ahead log: every record whose checksums hold,
 * wherever it lies (scanLog reads past damage), becomes part of a new L0
 * table; the log itself is removed once the new manifest lists that table
 * if nothing in it was dropped, else set aside in lost/. A log below the old
 * manifest's log number was flushed already: it is set aside unreplayed, so
 * that writes compacted away since (a tombstone dropped at the bottom level
 * with the value it deleted) cannot come back from it.
 */
import type { FileSystem } from '../fs/file-system.js';
import { readWhole } from '../fs/read-whole.js';
import { scanLog } from '../log/log-scan.js';
import { decodeBatch } from '../log/write-batch.js';
import { Memtable } from '../memtable/memtable.js';
import { writeLevel0Table } from '../db/flush.js';
import type { TableBuilderOptions } from '../table/table-builder.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import { RECORD_HEADER_BYTES } from '../log/log-format.js';
import type { Candidate } from './arrange.js';
import type { DamagedBytes, RepairedWal } from './repair-report.js';

export interface WalRepair {
  outcome: RepairedWal;
  candidate: Candidate | undefined;
  /** Why the log goes to lost/; undefined if it is removed (all of it is in the new table, or it was empty). */
  setAsideBecause: string | undefined;
}

export async function repairWal(
  fs: FileSystem,
  dir: string,
  name: string,
  number: number,
  oldLogNumber: number,
  options: TableBuilderOptions,
  newFileNumber: () => number,
  pause: () => Promise<void>,
): Promise<WalRepair> {
  const path = pathIn(dir, name);
  const data = await readWhole(fs, path);
  const scan = await scanLog(data, pause);
  const dropped: DamagedBytes[] = scan.skipped.map((s) => ({ ...s, reason: 'no intact record here (damaged, or a torn tail)' }));
  const memtable = new Memtable(number);
  let records = 0;
  let operations = 0;
  for (const r of scan.records) {
    let batch;
    try {
      batch = decodeBatch(r.payload, path);
    } catch (err) {
      dropped.push({ offset: r.offset, bytes: RECORD_HEADER_BYTES + r.payload.length, reason: (err as Error).message });
      continue;
    }
    records++;
    let seq = batch.firstSequence;
    for (const op of batch.ops) memtable.add(seq++, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, false);
    operations += batch.ops.length;
    await pause();
  }
  dropped.sort((a, b) => a.offset - b.offset);
  const seqs =
    operations === 0 ? { minSequence: 0, maxSequence: 0 } : { minSequence: memtable.minSequence, maxSequence: memtable.maxSequence };
  const base = { file: name, recordsKept: records, operationsKept: operations, dropped, ...seqs };
  if (number < oldLogNumber) {
    return {
      outcome: { ...base, outcome: 'obsolete' },
      candidate: undefined,
      setAsideBecause: `write-ahead log below the old manifest's log number ${oldLogNumber}: already flushed into tables, so not replayed (replaying it could bring back keys deleted since)`,
    };
  }
  const damage =
    dropped.length === 0 ? undefined : `${dropped.length} damaged range(s), the first at offset ${dropped[0].offset}: ${dropped[0].reason}`;
  if (memtable.size === 0) {
    return {
      outcome: { ...base, outcome: 'empty' },
      candidate: undefined,
      setAsideBecause: damage && `write-ahead log with no intact record (${damage})`,
    };
  }
  const id = newFileNumber();
  const meta = await writeLevel0Table(fs, dir, memtable, id, options);
  return {
    outcome: { ...base, outcome: 'converted', writtenAs: tableFileName(id) },
    candidate: { meta, origin: 'wal', oldLevel: undefined },
    setAsideBecause:
      damage &&
      `damaged write-ahead log (${damage}); its ${records.toLocaleString('en-US')} intact record(s) were written into ${tableFileName(id)}`,
  };
}
