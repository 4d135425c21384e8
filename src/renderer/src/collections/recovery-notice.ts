import type { RecoveryReport } from '../../../shared/model/recovery';

export interface RecoveryNotice {
  title: string;
  message: string;
}

/** Files named one by one in the notice; the rest are counted (STATS in lsm-cli lists them all). */
const NAMED_FILES = 3;

/**
 * What the toast says when a collection opens after recovery had to cut or
 * set anything aside; null when the open was clean. Every cut and every file
 * moved to lost/ is mentioned: none of it may pass in silence.
 */
export function recoveryNotice(name: string, r: RecoveryReport): RecoveryNotice | null {
  const parts: string[] = [];
  if (r.tornWals.length > 0) {
    const kept = r.tornWals.reduce((n, t) => n + t.keptRecords, 0);
    parts.push(
      `${r.tornWals.length} write-ahead log(s) ended in a torn write and were cut there (${kept.toLocaleString('en-US')} record(s) kept). Only writes never confirmed as synced can be missing.`,
    );
  }
  if (r.tornManifest) parts.push('The manifest ended in an unfinished edit, which was dropped: it had never taken effect.');
  if (r.gap) {
    parts.push(
      `Writes were lost before ${r.gap.wal} (a power cut took an unsynced tail), so it was restored as of sequence ${r.gap.lastSequence.toLocaleString('en-US')}, with no hole; the logs after the gap hold only writes never confirmed as synced.`,
    );
  }
  const lost = r.lostFiles;
  if (lost.length > 0) {
    const named = lost.slice(0, NAMED_FILES).map((f) => `${f.file}: ${f.reason}.`);
    const more = lost.length > NAMED_FILES ? [`And ${lost.length - NAMED_FILES} more.`] : [];
    parts.push(
      `${lost.length} file(s) could not be used and were moved to the lost/ folder inside the collection's folder, not deleted.`,
      ...named,
      ...more,
    );
  }
  if (parts.length === 0) return null;
  const title = lost.length > 0 ? `"${name}" opened with files set aside` : `"${name}" recovered after a crash`;
  return { title, message: parts.join(' ') };
}
