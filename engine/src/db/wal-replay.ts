/**
 * Point-in-time WAL replay at open, as RocksDB's kPointInTimeRecovery does
 * it: the collection comes back as of one moment, every write up to some
 * sequence number and none after, never with a hole.
 *
 * The logs the manifest does not cover are read oldest first, and their
 * batches must continue each other's sequence numbers: the first from where
 * the tables end (the manifest's lastSequence), each next one from where
 * the last ended. A log that ends early (a torn tail, or a batch that does
 * not continue the sequence) is replayed up to there. Replay stops at the
 * first gap: a log whose first batch does not continue from where replay
 * got to. Writes in between were lost (an unsynced tail of an older log,
 * cut at a power failure), so that log and every later one are not
 * replayed; they hold only writes that were never acknowledged as durable,
 * since a sync write first syncs every older live log (CommitQueue). They
 * are moved to lost/ and reported, never deleted.
 *
 * A torn tail is no gap by itself: an earlier recovery may have cut that
 * log there and gone on writing in a new log from the cut, and then the
 * sequence continues exactly and nothing is missing. Empty logs (a session
 * that wrote nothing) are skipped.
 *
 * The manifest's lastSequence is where the tables end, or, after a
 * recovery, where the logs it replayed end (those logs stay live, fsynced,
 * until they are flushed); so the first log may start at or before
 * lastSequence + 1, never after it. A recovery may also have raised it above
 * the sequences of files it set aside (unlisted-files.ts, and the logs after
 * a gap here), so that new writes never reuse them: the new writes then
 * start past a jump. Such a jump is no gap. Every sequence up to the
 * manifest's lastSequence was accounted for when that manifest was written
 * (in tables, in logs replayed and fsynced then, or set aside), and a later
 * power cut cannot take back fsynced bytes; so a log whose first write
 * starts past `next` but no further than lastSequence + 1 follows on
 * without a hole.
 *
 * Every log replayed is fsynced before the open goes on: after a process
 * crash its bytes may still be only in the page cache, and a sync write in
 * the new log must not outlive them.
 */
import { syncExistingFile } from './sync-file.js';
import type { FileSystem } from '../fs/file-system.js';
import { readWhole } from '../fs/read-whole.js';
import { readLog, RECORD_HEADER_BYTES } from '../log/log-format.js';
import { batchIntactBefore, decodeBatch } from '../log/write-batch.js';
import { Memtable } from '../memtable/memtable.js';
import { pathIn, walFileName } from '../version/file-names.js';
import { setAside } from './lost-files.js';
import { highestSequenceIn } from './wal-sequences.js';
import { timeSlicer } from '../util/time-slice.js';
import type { LostFile, RecoveryGap, TornWal } from '../events/stats.js';

export interface WalReplay {
  /** One per log replayed, oldest first; each still owns its log file. */
  memtables: Memtable[];
  /** The last sequence replayed; `tablesEnd` if none was. */
  lastSequence: number;
  tornWals: TornWal[];
  lostFiles: LostFile[];
  gap: RecoveryGap | undefined;
  /** The highest sequence in the logs set aside after a gap (0 if none): new writes must start above it. */
  highestSetAside: number;
}

/** Replays the logs `numbers` (ascending) of `dir` on top of tables that end at sequence `tablesEnd`. */
export async function replayWals(fs: FileSystem, dir: string, numbers: readonly number[], tablesEnd: number): Promise<WalReplay> {
  const memtables: Memtable[] = [];
  const tornWals: TornWal[] = [];
  let next = tablesEnd + 1;
  let lastSequence = tablesEnd;
  /** Until a batch is replayed, the first may start at or before `next` (see the module comment). */
  let strict = false;
  let gapAt = -1;
  let gapReason = '';
  for (let i = 0; i < numbers.length && gapAt < 0; i++) {
    const path = pathIn(dir, walFileName(numbers[i]));
    const data = await readWhole(fs, path);
    const log = readLog(data, path, batchIntactBefore);
    const memtable = new Memtable(numbers[i]);
    let kept = 0;
    for (const payload of log.records) {
      const batch = decodeBatch(payload, path);
      // A log may also start past `next` but within what the manifest vouches for (see the module comment).
      const vouched = kept === 0 && batch.firstSequence > next && batch.firstSequence <= tablesEnd + 1;
      if (strict ? batch.firstSequence !== next && !vouched : batch.firstSequence > next) {
        if (kept === 0) {
          gapAt = i;
          gapReason = `its first write has sequence ${batch.firstSequence}, but the writes before it end at ${next - 1}`;
        } else {
          // Not written by this engine (sequences run on within a log); kept up to here, like a torn tail.
          tornWals.push({
            path,
            keptRecords: kept,
            cutAt: payload.byteOffset - data.byteOffset - RECORD_HEADER_BYTES,
            fileBytes: data.length,
          });
        }
        break;
      }
      let seq = batch.firstSequence;
      for (const op of batch.ops) memtable.add(seq++, op.kind, op.key, op.keyBytes, op.value, op.valueBytes, false);
      next = seq;
      lastSequence = Math.max(lastSequence, seq - 1);
      strict = true;
      kept++;
    }
    if (gapAt >= 0) break;
    if (log.tornTail && kept === log.records.length)
      tornWals.push({ path, keptRecords: kept, cutAt: log.validEnd, fileBytes: data.length });
    if (data.length > 0) await syncExistingFile(fs, path, 'replayed write-ahead log');
    memtables.push(memtable);
  }
  const lostFiles: LostFile[] = [];
  let gap: RecoveryGap | undefined;
  let highestSetAside = 0;
  if (gapAt >= 0) {
    const first = walFileName(numbers[gapAt]);
    gap = { lastSequence: next - 1, wal: first, reason: `${first}: ${gapReason}` };
    const slice = timeSlicer();
    for (let i = gapAt; i < numbers.length; i++) {
      const name = walFileName(numbers[i]);
      const path = pathIn(dir, name);
      const data = await readWhole(fs, path);
      highestSetAside = Math.max(highestSetAside, await highestSequenceIn(data, path, slice));
      const why =
        i === gapAt
          ? `not replayed: ${gapReason}, so recovery stopped at sequence ${next - 1} (point-in-time recovery)`
          : `not replayed: it comes after ${first}, where recovery stopped at a gap (point-in-time recovery)`;
      lostFiles.push(await setAside(fs, dir, name, why));
    }
  }
  return { memtables, lastSequence, tornWals, lostFiles, gap, highestSetAside };
}
