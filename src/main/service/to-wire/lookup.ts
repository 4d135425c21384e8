import type * as Engine from '@strata/engine';
import type { GetExplanation, LookupStep } from '../../../shared/model/lookup';
import type { TableInspection } from '../../../shared/model/table-inspection';
import { tableToWire } from './stats';

function stepToWire(s: Engine.LookupStep): LookupStep {
  switch (s.step) {
    case 'memtable':
      return {
        step: 'memtable',
        memtable: s.memtable,
        index: s.index,
        walNumber: s.walNumber,
        entries: s.entries,
        outcome: s.outcome,
        sequence: s.sequence ?? null,
      };
    case 'level':
      return { step: 'level', level: s.level, files: s.files, outcome: s.outcome, id: s.id ?? null };
    case 'table':
      return {
        step: 'table',
        level: s.level,
        id: s.id,
        minKey: s.minKey,
        maxKey: s.maxKey,
        outcome: s.outcome,
        bloom: s.bloom ?? null,
        block: s.block ? { index: s.block.index, offset: s.block.offset, bytes: s.block.bytes, source: s.block.source } : null,
        sequence: s.sequence ?? null,
      };
  }
}

/** The trace of a get; a value longer than `maxValueChars` is cut to its first characters (the trace is about where it was found). */
export function explanationToWire(e: Engine.GetExplanation, maxValueChars: number): GetExplanation {
  const c = e.counters;
  return {
    key: e.key,
    result: e.result,
    value: e.value === undefined ? null : e.value.slice(0, maxValueChars),
    sequence: e.sequence ?? null,
    foundIn: e.foundIn ? { source: e.foundIn.source, level: e.foundIn.level ?? null, id: e.foundIn.id ?? null } : null,
    lastSequence: e.lastSequence,
    steps: e.steps.map(stepToWire),
    counters: {
      memtablesChecked: c.memtablesChecked,
      tablesConsidered: c.tablesConsidered,
      keyRangeSkips: c.keyRangeSkips,
      bloomSkips: c.bloomSkips,
      blocksRead: c.blocksRead,
      blockCacheHits: c.blockCacheHits,
    },
  };
}

export function inspectionToWire(t: Engine.TableInspection): TableInspection {
  return {
    ...tableToWire(t.id, t.level, t),
    formatVersion: t.formatVersion,
    dataBlocks: t.dataBlocks,
    dataBytes: t.dataBytes,
    storedDataBytes: t.storedDataBytes,
    indexBytes: t.indexBytes,
    filterBytes: t.filterBytes,
    bloomBitsPerKey: t.bloomBitsPerKey,
    compression: t.compression,
    createdBy: t.createdBy,
    firstEntries: t.firstEntries.map((e) => ({
      key: e.key,
      sequence: e.sequence,
      tombstone: e.tombstone,
      valueBytes: e.valueBytes,
      valuePreview: e.valuePreview,
      truncated: e.truncated,
    })),
  };
}
