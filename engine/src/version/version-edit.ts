/**
 * A version edit: one manifest record, applied atomically. The payload of
 * each manifest log record (log-format.ts) is this object as UTF-8 JSON;
 * JSON keeps the manifest readable with standard tools, and edits are rare.
 */
import { corruption } from '../errors.js';
import type { FileMeta } from './file-meta.js';

export interface VersionEdit {
  /** Sent in the first record of each manifest: replace everything with this state. */
  snapshot?: boolean;
  added?: FileMeta[];
  deleted?: { level: number; id: number }[];
  nextFileNumber?: number;
  lastSequence?: number;
  /** WAL files numbered below this hold nothing that is not already in a table. */
  logNumber?: number;
  /** Per level, the key after which the next compaction of that level starts. */
  compactPointers?: Record<number, string>;
}

export function encodeEdit(edit: VersionEdit): Buffer {
  return Buffer.from(JSON.stringify(edit), 'utf8');
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
  const e = edit as VersionEdit;
  for (const f of e.added ?? []) {
    if (typeof f.id !== 'number' || typeof f.level !== 'number' || typeof f.minKey !== 'string' || typeof f.maxKey !== 'string') {
      throw corruption(fileName, `manifest record ${offsetHint} names a file without id, level or key range`);
    }
  }
  return e;
}
