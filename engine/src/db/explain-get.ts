import { ValueKind } from '../log/write-batch.js';
import type { PointHit } from '../table/block-reader.js';
import { keyHash } from '../table/bloom.js';
import type { TableReader } from '../table/table-reader.js';
import { compareKeys } from '../util/key-order.js';
import { writeUtf8 } from '../util/utf8.js';
import type { TableSummary } from '../version/table-summary.js';
import { Version } from '../version/version.js';
import type { ReadState } from './read-path.js';

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
  /** Sequence of the version found. */
  sequence?: number;
}

/** How a level was searched: L0 tables all in turn (they overlap), deeper levels by binary search for the one file that may hold the key. */
export interface LevelProbe {
  step: 'level';
  level: number;
  files: number;
  outcome: 'empty' | 'every-file' | 'file' | 'no-file';
  /** For 'file': the id (file number) of the table the binary search chose. */
  id?: number;
}

export interface BlockRead {
  /** Position of the data block in the table. */
  index: number;
  offset: number;
  /** Its size, without the block trailer. */
  bytes: number;
  source: 'cache' | 'disk';
}

/** A table the lookup considered. */
export interface TableProbe {
  step: 'table';
  level: number;
  /** The table's id (file number). */
  id: number;
  minKey: string;
  maxKey: string;
  outcome: 'skipped-key-range' | 'skipped-bloom' | 'value' | 'tombstone' | 'not-in-table';
  /** Once the key range admits the key: what the filter said, or that filters are off. */
  bloom?: 'may-contain' | 'absent' | 'not-used';
  /** The data block searched; missing when the key sorts past the table's last block. */
  block?: BlockRead;
  sequence?: number;
}

export type LookupStep = MemtableProbe | LevelProbe | TableProbe;

export interface GetExplanation {
  key: string;
  result: 'value' | 'deleted' | 'absent';
  /** What get returns. */
  value: string | undefined;
  /** Sequence of the version that decided the result (a value or a tombstone). */
  sequence: number | undefined;
  /** Where that version was found. */
  foundIn: { source: 'memtable' | 'immutable-memtable' | 'table'; level?: number; id?: number } | undefined;
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

/**
 * pointLookup (read-path.ts) with a trace: the same sources in the same
 * order, the same filter and block reads (blocks are read through the table
 * reader and fill the cache exactly as a get does), stopping at the first
 * version found. Kept beside, not inside, the read path so the hot path
 * carries no tracing cost.
 */
export function explainLookup(state: ReadState, key: string, keyBytes: number, lastSequence: number): GetExplanation {
  const out: GetExplanation = {
    key,
    result: 'absent',
    value: undefined,
    sequence: undefined,
    foundIn: undefined,
    lastSequence,
    steps: [],
    counters: { memtablesChecked: 0, tablesConsidered: 0, keyRangeSkips: 0, bloomSkips: 0, blocksRead: 0, blockCacheHits: 0 },
  };
  const found = (kind: ValueKind, value: string, sequence: number, foundIn: GetExplanation['foundIn']): GetExplanation => {
    out.result = kind === ValueKind.Put ? 'value' : 'deleted';
    out.value = kind === ValueKind.Put ? value : undefined;
    out.sequence = sequence;
    out.foundIn = foundIn;
    return out;
  };

  const memtables = [state.mem, ...[...state.imms].reverse()];
  for (let i = 0; i < memtables.length; i++) {
    const m = memtables[i];
    const v = m.get(key);
    out.counters.memtablesChecked++;
    const probe: MemtableProbe = {
      step: 'memtable',
      memtable: i === 0 ? 'active' : 'immutable',
      index: i === 0 ? 0 : i - 1,
      walNumber: m.walNumber,
      entries: m.size,
      outcome: v === undefined ? 'miss' : v.kind === ValueKind.Put ? 'value' : 'tombstone',
    };
    out.steps.push(probe);
    if (v !== undefined) {
      probe.sequence = v.sequence;
      return found(v.kind, v.value, v.sequence, { source: i === 0 ? 'memtable' : 'immutable-memtable' });
    }
  }

  const target = Buffer.allocUnsafe(keyBytes);
  writeUtf8(target, key, 0, keyBytes);
  const hash = keyHash(target);
  const levels = state.version.levels;
  for (let level = 0; level < levels.length; level++) {
    const files = levels[level];
    let candidates: readonly TableSummary[];
    if (files.length === 0) {
      out.steps.push({ step: 'level', level, files: 0, outcome: 'empty' });
      continue;
    }
    if (level === 0) {
      out.steps.push({ step: 'level', level, files: files.length, outcome: 'every-file' });
      candidates = files;
    } else {
      const file = Version.findFile(files, key);
      out.steps.push({
        step: 'level',
        level,
        files: files.length,
        outcome: file ? 'file' : 'no-file',
        ...(file ? { id: file.id } : {}),
      });
      candidates = file ? [file] : [];
    }
    for (const file of candidates) {
      const hit = probeTable(state, level, file, key, target, hash, out);
      if (hit !== undefined) return found(hit.kind, hit.value, hit.sequence, { source: 'table', level, id: file.id });
    }
  }
  return out;
}

function probeTable(
  state: ReadState,
  level: number,
  file: TableSummary,
  key: string,
  target: Buffer,
  hash: number,
  out: GetExplanation,
): PointHit | undefined {
  const probe: TableProbe = {
    step: 'table',
    level,
    id: file.id,
    minKey: file.minKey,
    maxKey: file.maxKey,
    outcome: 'not-in-table',
  };
  out.steps.push(probe);
  out.counters.tablesConsidered++;
  if (compareKeys(key, file.minKey) < 0 || compareKeys(key, file.maxKey) > 0) {
    probe.outcome = 'skipped-key-range';
    out.counters.keyRangeSkips++;
    return undefined;
  }
  const table = state.tables.get(file);
  if (state.useBloom) {
    if (!table.mayContain(hash)) {
      probe.bloom = 'absent';
      probe.outcome = 'skipped-bloom';
      out.counters.bloomSkips++;
      return undefined;
    }
    probe.bloom = 'may-contain';
  } else {
    probe.bloom = 'not-used';
  }
  const hit = searchBlock(table, target, probe, out);
  if (hit !== undefined) {
    probe.outcome = hit.kind === ValueKind.Put ? 'value' : 'tombstone';
    probe.sequence = hit.sequence;
  }
  return hit;
}

/** TableReader.get, step by step: the one block whose range may hold the key, read as get reads it. */
function searchBlock(table: TableReader, target: Buffer, probe: TableProbe, out: GetExplanation): PointHit | undefined {
  const block = table.blockFor(target);
  if (block === table.blockCount) return undefined;
  const handle = table.blockHandle(block);
  const cached = table.isBlockCached(block);
  probe.block = { index: block, offset: handle.offset, bytes: handle.size, source: cached ? 'cache' : 'disk' };
  out.counters.blocksRead++;
  if (cached) out.counters.blockCacheHits++;
  return table.searchBlock(block, target);
}
