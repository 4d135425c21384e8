import type { ValueKind } from '../log/write-batch.js';
import type { Memtable } from '../memtable/memtable.js';
import { keyHash } from '../table/bloom.js';
import { compareKeys } from '../util/key-order.js';
import { Version } from '../version/version.js';
import type { TableCache } from './table-cache.js';

export interface VersionHit {
  kind: ValueKind;
  sequence: number;
  /** The value as a string (empty for a tombstone). */
  value: string;
}

/**
 * The newest version of `key` (UTF-8 bytes `target`) in memtables (oldest
 * first) and a Version's tables, with its sequence number: what a point
 * lookup finds, for callers that must compare versions rather than read
 * values (recovery's judgement of files the manifest does not list). The
 * read path's pointLookup stays free of this bookkeeping.
 */
export function newestVersion(
  memtables: readonly Memtable[],
  version: Version,
  tables: TableCache,
  key: string,
  target: Buffer,
): VersionHit | undefined {
  for (let i = memtables.length - 1; i >= 0; i--) {
    const v = memtables[i].get(key);
    if (v !== undefined) return { kind: v.kind, sequence: v.sequence, value: v.value };
  }
  const hash = keyHash(target);
  for (let level = 0; level < version.levels.length; level++) {
    const files = version.levels[level];
    const candidates = level === 0 ? files : [Version.findFile(files, key)];
    for (const file of candidates) {
      if (file === undefined || compareKeys(key, file.minKey) < 0 || compareKeys(key, file.maxKey) > 0) continue;
      const table = tables.get(file);
      if (!table.mayContain(hash)) continue;
      const hit = table.get(target);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}
