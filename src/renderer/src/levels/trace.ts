import type { GetExplanation, LookupStep, TableProbe } from '../../../shared/model/lookup';

export type ProbeOutcome = TableProbe['outcome'];

/** How each table the lookup touched is marked on the tree, by file number. */
export function probedTables(e: GetExplanation): Map<number, ProbeOutcome> {
  const m = new Map<number, ProbeOutcome>();
  for (const s of e.steps) if (s.step === 'table') m.set(s.id, s.outcome);
  return m;
}

/** What the lookup cost: the read amplification of this one get. */
export function readCost(e: GetExplanation): string {
  const c = e.counters;
  const searched = c.tablesConsidered - c.keyRangeSkips - c.bloomSkips;
  const parts = [
    `${c.memtablesChecked} memtable${c.memtablesChecked === 1 ? '' : 's'}`,
    `${c.tablesConsidered} table${c.tablesConsidered === 1 ? '' : 's'} considered`,
    `${c.keyRangeSkips} skipped by key range`,
    `${c.bloomSkips} by bloom filter`,
    `${searched} searched`,
    `${c.blocksRead} block${c.blocksRead === 1 ? '' : 's'} read (${c.blockCacheHits} from cache)`,
  ];
  return parts.join(' · ');
}

export function resultText(e: GetExplanation): string {
  const where = e.foundIn
    ? e.foundIn.source === 'table'
      ? `in table #${e.foundIn.id} on L${e.foundIn.level}`
      : e.foundIn.source === 'memtable'
        ? 'in the memtable'
        : 'in a memtable waiting for flush'
    : '';
  if (e.result === 'value') return `Found ${where} (sequence ${e.sequence})`;
  if (e.result === 'deleted') return `Deleted: a tombstone ${where} (sequence ${e.sequence}) hides older versions`;
  return 'Absent: no memtable or table holds this key';
}

/** One line per step, in the order the get took them. */
export function stepText(s: LookupStep): string {
  switch (s.step) {
    case 'memtable':
      return `${s.memtable === 'active' ? 'Memtable' : `Immutable memtable ${s.index + 1}`} (${s.entries.toLocaleString('en-US')} entries): ${
        s.outcome === 'miss' ? 'not here' : s.outcome === 'value' ? 'found the value' : 'found a tombstone'
      }`;
    case 'level':
      return s.outcome === 'empty'
        ? `L${s.level}: empty`
        : s.outcome === 'every-file'
          ? `L${s.level}: ${s.files} overlapping tables, each checked newest first`
          : s.outcome === 'file'
            ? `L${s.level}: binary search over ${s.files} tables picks #${s.id}`
            : `L${s.level}: no table's range holds the key`;
    case 'table': {
      const block = s.block ? ` · block ${s.block.index} (${s.block.bytes} B at ${s.block.offset}) from ${s.block.source}` : '';
      const what =
        s.outcome === 'skipped-key-range'
          ? 'skipped: key outside its range'
          : s.outcome === 'skipped-bloom'
            ? 'skipped: bloom filter says absent'
            : s.outcome === 'value'
              ? 'found the value'
              : s.outcome === 'tombstone'
                ? 'found a tombstone'
                : s.bloom === 'may-contain'
                  ? 'searched: bloom said maybe, not there (false positive)'
                  : 'searched: not there';
      return `  table #${s.id}: ${what}${block}`;
    }
  }
}
