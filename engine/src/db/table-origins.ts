import type { CompactionEndEvent } from '../events/events.js';
import type { TableSummary } from '../version/table-summary.js';
import type { TableOrigin } from './inspect-table.js';

/**
 * Which process wrote each table this session, for inspectTable: neither the
 * manifest nor the table records it, so only what this session saw is known.
 */
export class TableOrigins {
  private readonly origins = new Map<number, TableOrigin>();

  flushed(id: number): void {
    this.origins.set(id, 'flush');
  }

  /** Records compaction outputs as such; a move keeps whatever origin its files had. */
  compacted(e: CompactionEndEvent): void {
    for (const f of e.outputs) {
      if (!e.move) this.origins.set(f.id, 'compaction');
      else if (e.level === 0 && !this.origins.has(f.id)) this.origins.set(f.id, 'flush');
    }
  }

  /** The table was deleted. */
  forget(id: number): void {
    this.origins.delete(id);
  }

  /** L0 holds only flush outputs; deeper tables written before this open are unknown. */
  of(table: TableSummary): TableOrigin {
    return this.origins.get(table.id) ?? (table.level === 0 ? 'flush' : 'unknown');
  }
}
