import { compareKeys } from '../util/key-order.js';
import type { TableSummary } from './table-summary.js';
import { firstEndingAtOrAfter } from '../util/key-span.js';

/**
 * An immutable set of live SSTables, one array per level. L0 tables may
 * overlap and are kept newest first (highest sequence first); deeper levels
 * are kept sorted by key and never overlap. Readers and scans hold a Version
 * so that the files they use stay on disk until they are done.
 */
export class Version {
  constructor(readonly levels: readonly (readonly TableSummary[])[]) {}

  static empty(levelCount: number): Version {
    return new Version(Array.from({ length: levelCount }, () => []));
  }

  /** Applies deletions and additions, returning a new Version. */
  apply(deleted: readonly { level: number; id: number }[], added: readonly TableSummary[]): Version {
    const gone = new Set(deleted.map((d) => `${d.level}:${d.id}`));
    const levels = this.levels.map((files, level) => files.filter((f) => !gone.has(`${level}:${f.id}`)));
    for (const f of added) {
      while (levels.length <= f.level) levels.push([]);
      levels[f.level].push(f);
    }
    levels[0].sort((a, b) => b.maxSequence - a.maxSequence || b.id - a.id);
    for (let level = 1; level < levels.length; level++) levels[level].sort((a, b) => compareKeys(a.minKey, b.minKey));
    return new Version(levels);
  }

  *files(): Generator<TableSummary> {
    for (const level of this.levels) yield* level;
  }

  get fileCount(): number {
    let n = 0;
    for (const level of this.levels) n += level.length;
    return n;
  }

  /** In a sorted, non-overlapping level: the only file that may hold `key`. */
  static findFile(files: readonly TableSummary[], key: string): TableSummary | undefined {
    const file = files[firstEndingAtOrAfter(files, key)];
    return file !== undefined && compareKeys(file.minKey, key) <= 0 ? file : undefined;
  }
}
