import { ValueKind } from '../log/write-batch.js';
import type { Memtable } from '../memtable/memtable.js';
import { keyHash } from '../table/bloom.js';
import { compareKeys } from '../util/key-order.js';
import { writeUtf8 } from '../util/utf8.js';
import { Version } from '../version/version.js';
import type { TableCache } from './table-cache.js';

/** What a read consults: the memtables and one Version's tables. */
export interface ReadState {
  mem: Memtable;
  /** Oldest first. */
  imms: readonly Memtable[];
  version: Version;
  tables: TableCache;
  useBloom: boolean;
}

/**
 * A point lookup, newest source first so the first hit wins: the memtable,
 * the immutable memtables newest first, L0 tables newest first, then one
 * table per deeper level. Tables are skipped by key range, then by bloom
 * filter; the key is encoded and hashed only once a table might hold it.
 */
export function pointLookup(state: ReadState, key: string, keyBytes: number): string | undefined {
  let v = state.mem.get(key);
  if (v !== undefined) return v.kind === ValueKind.Put ? v.value : undefined;
  for (let i = state.imms.length - 1; i >= 0; i--) {
    v = state.imms[i].get(key);
    if (v !== undefined) return v.kind === ValueKind.Put ? v.value : undefined;
  }
  const levels = state.version.levels;
  let target: Buffer | undefined;
  let hash = 0;
  for (let level = 0; level < levels.length; level++) {
    const files = levels[level];
    if (files.length === 0) continue;
    const candidates = level === 0 ? files : [Version.findFile(files, key)];
    for (const file of candidates) {
      if (file === undefined || compareKeys(key, file.minKey) < 0 || compareKeys(key, file.maxKey) > 0) continue;
      if (target === undefined) {
        target = Buffer.allocUnsafe(keyBytes);
        writeUtf8(target, key, 0, keyBytes);
        hash = keyHash(target);
      }
      const table = state.tables.get(file);
      if (state.useBloom && !table.mayContain(hash)) continue;
      const hit = table.get(target);
      if (hit !== undefined) return hit.kind === ValueKind.Put ? hit.value : undefined;
    }
  }
  return undefined;
}
