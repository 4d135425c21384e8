import type { CollectionStats } from '../index.js';

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Left-aligns the first column and right-aligns the others. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** STATS: a table of levels, then memtable, write totals and compaction state. */
export function formatStats(s: CollectionStats): string[] {
  const levels = formatTable(
    ['Level', 'Files', 'Bytes', 'Target', 'Score', 'Entries'],
    s.levels.map((l) => [
      `L${l.level}`,
      count(l.fileCount),
      formatBytes(l.bytes),
      formatBytes(l.targetBytes),
      l.score.toFixed(2),
      count(l.entries),
    ]),
  );
  const files = s.levels.reduce((n, l) => n + l.fileCount, 0);
  const t = s.totals;
  const waiting = s.immutableMemtables.length;
  const running = s.compaction.running;
  const compaction =
    running === undefined
      ? 'idle'
      : `running L${running.level} -> L${running.outputLevel} (${running.reason}), ${formatBytes(running.bytesWritten)} of ~${formatBytes(running.inputBytes)} written`;
  const rows: [string, string][] = [
    [
      'Memtable',
      `${formatBytes(s.memtable.bytes)} of ${formatBytes(s.memtable.limitBytes)}, ${count(s.memtable.entries)} entries${waiting === 0 ? '' : `; ${waiting} full memtable(s) waiting to flush`}`,
    ],
    [
      'Written (since open)',
      `${formatBytes(t.userBytesWritten)} by you, ${formatBytes(t.bytesFlushed)} by ${count(t.flushes)} flush(es), ${formatBytes(t.bytesCompacted)} by ${count(t.compactions)} compaction(s)`,
    ],
    ['Write amplification', t.userBytesWritten === 0 ? 'n/a (nothing written since open)' : `${t.writeAmplification.toFixed(2)}x`],
    [
      'Compaction',
      `${compaction}; ${formatBytes(s.compaction.pendingBytes)} pending${s.compaction.errors === 0 ? '' : `; ${s.compaction.errors} error(s), last: ${s.compaction.lastError}`}`,
    ],
    ['Write stalls', `${count(s.stalls.count)} (${count(Math.round(s.stalls.totalMs))} ms)${s.stalls.active ? ', stalled now' : ''}`],
  ];
  if (s.writeError !== undefined) rows.push(['Writes refused', s.writeError]);
  for (const t of s.recovery.tornWals) {
    rows.push([
      'Torn WAL at open',
      `${t.path}: cut at byte ${count(t.cutAt)} of ${count(t.fileBytes)}, ${count(t.keptRecords)} record(s) kept`,
    ]);
  }
  const m = s.recovery.tornManifest;
  if (m !== undefined)
    rows.push(['Torn manifest at open', `${m.path}: an unfinished last edit dropped at byte ${count(m.cutAt)} of ${count(m.fileBytes)}`]);
  const gap = s.recovery.gap;
  if (gap !== undefined)
    rows.push([
      'Replay stopped at open',
      `at sequence ${count(gap.lastSequence)} (point-in-time recovery): ${gap.reason}; later logs set aside`,
    ]);
  for (const f of s.recovery.lostFiles) rows.push(['Set aside at open', `${f.file} -> ${f.movedTo}: ${f.reason}`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [
    `Collection ${s.name}: ${count(files)} table file(s), ${formatBytes(s.liveBytes)}, last sequence ${count(s.lastSequence)}`,
    '',
    ...levels,
    '',
    ...rows.map(([k, v]) => `${k.padEnd(width)}${v}`),
  ];
}
