import { join } from 'node:path';

/**
 * Files inside one collection directory:
 *   OPTIONS          persisted collection options (JSON)
 *   LOCK             pid of the process holding the collection open
 *   LOCK.*           the lock's own scratch: LOCK.break while a stale lock is
 *                    taken over, temp files of its exclusive creates (db/lock.ts
 *                    owns them: an opener may be linking one in right now)
 *   CURRENT          name of the live manifest, replaced atomically
 *   MANIFEST-000007  log of version edits
 *   000012.log       write-ahead log of one memtable
 *   000013.sst       an SSTable
 *   *.tmp            leftovers of an interrupted atomic write (removed at open)
 */
export const OPTIONS_FILE = 'OPTIONS';
export const LOCK_FILE = 'LOCK';
export const CURRENT_FILE = 'CURRENT';

const pad = (n: number) => String(n).padStart(6, '0');

export const walFileName = (n: number) => `${pad(n)}.log`;
export const tableFileName = (n: number) => `${pad(n)}.sst`;
export const manifestFileName = (n: number) => `MANIFEST-${pad(n)}`;

export type ParsedFileName =
  { type: 'wal' | 'table' | 'manifest'; number: number } | { type: 'temp' | 'fixed' | 'lock-scratch' | 'unknown' };

export function parseFileName(name: string): ParsedFileName {
  let m = /^(\d+)\.log$/.exec(name);
  if (m) return { type: 'wal', number: Number(m[1]) };
  m = /^(\d+)\.sst$/.exec(name);
  if (m) return { type: 'table', number: Number(m[1]) };
  m = /^MANIFEST-(\d+)$/.exec(name);
  if (m) return { type: 'manifest', number: Number(m[1]) };
  if (name.startsWith(`${LOCK_FILE}.`)) return { type: 'lock-scratch' };
  if (name.endsWith('.tmp')) return { type: 'temp' };
  if (name === OPTIONS_FILE || name === LOCK_FILE || name === CURRENT_FILE) return { type: 'fixed' };
  return { type: 'unknown' };
}

export const pathIn = (dir: string, name: string) => join(dir, name);
