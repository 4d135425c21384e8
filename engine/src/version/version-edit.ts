/**
 * A version edit: one manifest record, applied atomically. The payload of
 * each manifest log record (log-format.ts) is this object as UTF-8 JSON;
 * JSON keeps the manifest readable with standard tools, and edits are rare.
 * Each added table is recorded as
 *   {"id", "level", "size", "entries", "tombstones", "minKey", "maxKey", "minSequence", "maxSequence"}
 * where "size" is the table's bytes: the manifest keeps the field name it
 * was first written with, so manifests of every version read alike.
 */
import { corruption } from '../errors.js';
import type { TableSummary } from './table-summary.js';

export interface VersionEdit {
  /** Sent in the first record of each manifest: replace everything with this state. */
  snapshot?: boolean;
  added?: TableSummary[];
  deleted?: { level: number; id: number }[];
  nextFileNumber?: number;
  lastSequence?: number;
  /** WAL files numbered below this hold nothing that is not already in a table. */
  logNumber?: number;
  /** Per level, the key after which the next compaction of that level starts. */
  compactPointers?: Record<number, string>;
}

/** A table as the manifest records it: its bytes under the name "size". */
type RecordedTable = Omit<TableSummary, 'bytes'> & { size: number };

export function encodeEdit(edit: VersionEdit): Buffer {
  const recorded = edit.added === undefined ? edit : { ...edit, added: edit.added.map(recordedTable) };
  return Buffer.from(JSON.stringify(recorded), 'utf8');
}

function recordedTable(t: TableSummary): RecordedTable {
  const { id, level, bytes, entries, tombstones, minKey, maxKey, minSequence, maxSequence } = t;
  return { id, level, size: bytes, entries, tombstones, minKey, maxKey, minSequence, maxSequence };
}

function summaryOfRecorded(t: RecordedTable): TableSummary {
  const { id, level, size, entries, tombstones, minKey, maxKey, minSequence, maxSequence } = t;
  return { id, level, bytes: size, entries, tombstones, minKey, maxKey, minSequence, maxSequence };
}

export function decodeEdit(payload: Buffer, fileName: string, offsetHint: number): VersionEdit {
  let edit: unknown;
  try {
    edit = JSON.parse(payload.toString('utf8'));
  } catch {
    throw corruption(fileName, `manifest record ${offsetHint} is not valid JSON`);
  }
  if (typeof edit !== 'object' || edit === null || Array.isArray(edit)) {
    throw corruption(fileName, `manifest record ${offsetHint} is not an edit object`);
  }
  const e = edit as Omit<VersionEdit, 'added'> & { added?: RecordedTable[] };
  if (e.added === undefined) return e as VersionEdit;
  for (const f of e.added) {
    if (typeof f.id !== 'number' || typeof f.level !== 'number' || typeof f.minKey !== 'string' || typeof f.maxKey !== 'string') {
      throw corruption(fileName, `manifest record ${offsetHint} names a file without id, level or key range`);
    }
  }
  return { ...e, added: e.added.map(summaryOfRecorded) };
}
