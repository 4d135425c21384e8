import type { RepairReport } from '../../../shared/model/repair';

type Table = RepairReport['tables'][number];
type Wal = RepairReport['wals'][number];

const damage = (ranges: readonly { offset: number; bytes: number; reason: string }[]) => {
  const first = ranges[0];
  if (first === undefined) return '';
  const more = ranges.length > 1 ? ` (and ${ranges.length - 1} more)` : '';
  return `damaged at offset ${first.offset.toLocaleString('en-US')}: ${first.reason}${more}`;
};

/** The Details cell for a table in the repair report. */
export function tableNote(t: Table): string {
  switch (t.outcome) {
    case 'kept':
      return 'verified whole, listed as it is';
    case 'salvaged':
      return `${damage(t.damaged)}; intact blocks rewritten into ${t.writtenAs}, the file moved to lost/`;
    case 'lost':
      return `${damage(t.damaged)}; nothing readable, moved to lost/`;
    case 'obsolete':
      return 'compacted away earlier (the old manifest says so); moved to lost/, not used';
  }
}

/** The Details cell for a write-ahead log in the repair report. */
export function walNote(w: Wal): string {
  const ops = `${w.operationsKept.toLocaleString('en-US')} write(s)`;
  const dropped = w.dropped.length > 0 ? `; ${damage(w.dropped)}, moved to lost/` : '';
  switch (w.outcome) {
    case 'converted':
      return `${ops} written into ${w.writtenAs}${dropped}`;
    case 'empty':
      return w.dropped.length > 0 ? `no intact record; ${damage(w.dropped)}, moved to lost/` : 'empty';
    case 'obsolete':
      return `already flushed (below the old manifest's log number); moved to lost/, not replayed`;
  }
}
