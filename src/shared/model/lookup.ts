// "Where is this key?" (lsm.explainGet) as the app receives it: the path a
// get took through memtables, levels, filters and blocks. Plain data,
// absent fields null: see recovery.ts for the wire rule.

/** A memtable consulted by the lookup. */
export interface MemtableProbe {
  step: 'memtable';
  /** The active (mutable) memtable, or one waiting for flush. */
  memtable: 'active' | 'immutable';
  /** Position among the immutable memtables, newest first (0 for the active one). */
  index: number;
  walNumber: number;
  entries: number;
  outcome: 'miss' | 'value' | 'tombstone';
  /** Sequence of the version found; null on a miss. */
  sequence: number | null;
}

/** How a level was searched: L0 tables all in turn (they overlap), deeper levels by binary search for the one file that may hold the key. */
export interface LevelProbe {
  step: 'level';
  level: number;
  files: number;
  outcome: 'empty' | 'every-file' | 'file' | 'no-file';
  /** For 'file': the table the binary search chose. */
  id: number | null;
}

export interface BlockRead {
  /** Position of the data block in the table. */
  index: number;
  offset: number;
  /** Bytes, without the block trailer. */
  bytes: number;
  source: 'cache' | 'disk';
}

/** A table the lookup considered. */
export interface TableProbe {
  step: 'table';
  level: number;
  id: number;
  minKey: string;
  maxKey: string;
  outcome: 'skipped-key-range' | 'skipped-bloom' | 'value' | 'tombstone' | 'not-in-table';
  /** Once the key range admits the key: what the filter said, or that filters are off. */
  bloom: 'may-contain' | 'absent' | 'not-used' | null;
  /** The data block searched; null when none was (the key sorts past the table's last block, or it was skipped). */
  block: BlockRead | null;
  sequence: number | null;
}

export type LookupStep = MemtableProbe | LevelProbe | TableProbe;

export interface GetExplanation {
  key: string;
  result: 'value' | 'deleted' | 'absent';
  /** What get returns (a preview of it: main sends the first characters of a long value). */
  value: string | null;
  /** Sequence of the version that decided the result (a value or a tombstone). */
  sequence: number | null;
  /** Where that version was found; level and table id for a table only. */
  foundIn: { source: 'memtable' | 'immutable-memtable' | 'table'; level: number | null; id: number | null } | null;
  /** The collection's last sequence when the lookup ran. */
  lastSequence: number;
  steps: LookupStep[];
  counters: {
    memtablesChecked: number;
    /** Tables whose key range was compared with the key. */
    tablesConsidered: number;
    keyRangeSkips: number;
    bloomSkips: number;
    blocksRead: number;
    blockCacheHits: number;
  };
}
