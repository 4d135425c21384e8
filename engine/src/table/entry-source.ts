import type { ValueKind } from '../log/write-batch.js';

/**
 * A positioned cursor over sorted entries, moving in the scan's direction.
 * Memtables, SSTables and whole levels all implement it, and the merging
 * iterator combines them. Everything here is synchronous: blocks are read
 * with pread, so a scan does no per-entry awaiting.
 */
export interface EntrySource {
  readonly valid: boolean;
  readonly key: string;
  /** The key in a form whose native string order (`<`) is key order: see sortableKey. */
  readonly sortKey: string;
  readonly sequence: number;
  readonly kind: ValueKind;
  value(): string;
  next(): void;
  /** The scan ended: give back what can be reused (read windows). The source is not read again. */
  release?(): void;
}
