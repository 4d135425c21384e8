import type { RepairReport } from '../index.js';
import { formatBytes, formatTable } from './format.js';

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** A damaged-bytes list as "at offset 12 (40 bytes): reason; …", the first few by offset. */
function damage(ranges: readonly { offset: number; bytes: number; reason: string }[]): string {
  const shown = ranges.slice(0, 3).map((d) => `at offset ${count(d.offset)} (${plural(d.bytes, 'byte')}): ${d.reason}`);
  return [...shown, ...(ranges.length > 3 ? [`and ${ranges.length - 3} more`] : [])].join('; ');
}

/** REPAIR: what was kept, rewritten, merged, set aside and removed, then the new manifest's levels. */
export function formatRepairReport(r: RepairReport): string[] {
  const out: string[] = [];
  const m = r.manifest;
  out.push(
    `Repaired collection ${r.collection} in ${count(r.durationMs)} ms: ${m.file} lists ${plural(m.tables.length, 'table')} holding ${plural(m.entries, 'entry', 'entries')}, last sequence ${count(m.lastSequence)}`,
  );
  const p = r.previousManifest;
  const prev = p.file === undefined ? 'none found' : `${p.file} ${p.state}, ${plural(p.editsRead, 'edit')} read`;
  out.push(`Old manifest: ${prev}${p.detail ? ` (${p.detail})` : ''}`);
  if (p.missingTables.length > 0)
    out.push(`  it listed ${plural(p.missingTables.length, 'table')} no longer on disk: ${p.missingTables.join(', ')}`);
  if (r.options === 'defaults') out.push('Options: OPTIONS was damaged or missing, rewritten with the defaults');
  if (r.tables.length > 0) {
    out.push('', 'Tables:');
    for (const t of r.tables) {
      const into = t.writtenAs ? ` -> ${t.writtenAs}` : '';
      const hurt = t.damaged.length > 0 ? `; damaged ${damage(t.damaged)}` : '';
      out.push(`  ${t.file}  ${t.outcome}, ${plural(t.entries, 'entry', 'entries')}${into}${hurt}`);
    }
  }
  if (r.wals.length > 0) {
    out.push('', 'Write-ahead logs:');
    for (const w of r.wals) {
      const seqs = w.operationsKept === 0 ? '' : `, sequences ${count(w.minSequence)}-${count(w.maxSequence)}`;
      const into = w.writtenAs ? ` -> ${w.writtenAs}` : '';
      const dropped = w.dropped.length > 0 ? `; dropped ${damage(w.dropped)}` : '';
      out.push(
        `  ${w.file}  ${w.outcome}, ${plural(w.recordsKept, 'record')} kept (${plural(w.operationsKept, 'operation')}${seqs})${into}${dropped}`,
      );
    }
  }
  if (r.merges.length > 0) {
    out.push('', 'Merged, so that no older version can hide a newer one:');
    for (const g of r.merges) out.push(`  ${g.inputs.join(', ')} -> ${g.outputs.join(', ') || '(nothing left)'}`);
  }
  if (r.lostFiles.length > 0) {
    out.push('', `Set aside in ${r.collection}/lost/ (not deleted):`);
    for (const f of r.lostFiles) out.push(`  ${f.file} -> ${f.movedTo}: ${f.reason}`);
  }
  if (r.removedFiles.length > 0) {
    out.push('', 'Removed:');
    for (const f of r.removedFiles) out.push(`  ${f.file}: ${f.reason}`);
  }
  const levels = new Map<number, { files: number; entries: number; bytes: number }>();
  for (const t of m.tables) {
    const l = levels.get(t.level) ?? { files: 0, entries: 0, bytes: 0 };
    levels.set(t.level, { files: l.files + 1, entries: l.entries + t.entries, bytes: l.bytes + t.bytes });
  }
  out.push(
    '',
    ...formatTable(
      ['Level', 'Files', 'Entries', 'Bytes'],
      [...levels].sort(([a], [b]) => a - b).map(([level, l]) => [`L${level}`, count(l.files), count(l.entries), formatBytes(l.bytes)]),
    ),
  );
  return out;
}
