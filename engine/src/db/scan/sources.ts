import { compareKeys } from '../../util/key-order.js';
import type { KeyRange } from '../../util/key-range.js';
import type { TableSummary } from '../../version/table-summary.js';
import type { ReadState } from '../read-path.js';
import type { EntrySource } from '../../table/entry-source.js';
import { LevelSource } from '../../table/level-source.js';
import { MemtableSource } from '../../memtable/memtable-source.js';
import { TableSource } from '../../table/table-source.js';

/**
 * The sources a scan merges, positioned at the range's start: every memtable
 * (filtered to the snapshot), each L0 table whose key range meets the range,
 * and one concatenating source per deeper level.
 */
export function scanSources(state: ReadState, snapshot: number, range: KeyRange): EntrySource[] {
  const sources: EntrySource[] = [new MemtableSource(state.mem, snapshot, range)];
  for (let i = state.imms.length - 1; i >= 0; i--) sources.push(new MemtableSource(state.imms[i], snapshot, range));
  const start = range.reverse ? range.upper : range.lower;
  const inclusive = range.reverse ? range.upperInclusive : range.lowerInclusive;
  const startBytes = start === undefined ? undefined : Buffer.from(start, 'utf8');
  const open = (meta: TableSummary) => state.tables.get(meta);
  state.version.levels.forEach((files, level) => {
    if (files.length === 0) return;
    if (level > 0) {
      sources.push(new LevelSource(files, open, range.reverse, start, inclusive, startBytes));
      return;
    }
    for (const f of files) {
      if (range.lower !== undefined && compareKeys(f.maxKey, range.lower) < 0) continue;
      if (range.upper !== undefined && compareKeys(f.minKey, range.upper) > 0) continue;
      sources.push(new TableSource(open(f), range.reverse).seek(start, inclusive, startBytes));
    }
  });
  return sources;
}
