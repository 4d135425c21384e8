import { compareKeys } from '../util/key-order.js';
import { firstEndingAtOrAfter } from '../util/key-span.js';
import type { TableSummary } from './table-summary.js';

/** An edit or a state that breaks what every Version holds; the message says what. Callers turn it into CORRUPTION. */
export class VersionInvariantError extends Error {}

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

  /**
   * Applies deletions and additions, returning a new Version. A deletion of a
   * table that is not at that level throws VersionInvariantError: the edit was
   * made against some other state.
   */
  apply(deleted: readonly { level: number; id: number }[], added: readonly TableSummary[]): Version {
    const gone = new Set(deleted.map((d) => `${d.level}:${d.id}`));
    let removed = 0;
    const levels = this.levels.map((files, level) =>
      files.filter((f) => {
        const listed = gone.has(`${level}:${f.id}`);
        if (listed) removed++;
        return !listed;
      }),
    );
    if (removed !== gone.size) {
      const absent = deleted.find((d) => !(this.levels[d.level] ?? []).some((f) => f.id === d.id))!;
      throw new VersionInvariantError(`deletes table ${absent.id} from L${absent.level}, which does not hold it`);
    }
    for (const f of added) {
      while (levels.length <= f.level) levels.push([]);
      levels[f.level].push(f);
    }
    levels[0].sort((a, b) => b.maxSequence - a.maxSequence || b.id - a.id);
    for (let level = 1; level < levels.length; level++) levels[level].sort((a, b) => compareKeys(a.minKey, b.minKey));
    return new Version(levels);
  }

  /**
   * What every Version holds, checked, as Pebble checks its levels' ordering
   * "for defense in depth": each table sits at the level it names and its key
   * range is ordered; L0 is newest first; each deeper level is sorted by key
   * and no two of its tables overlap; no table is listed twice; every file
   * number is below `nextFileNumber`. Throws VersionInvariantError naming the
   * first violation.
   */
  check(nextFileNumber: number): void {
    const seen = new Map<number, number>();
    this.levels.forEach((files, level) => {
      files.forEach((f, i) => {
        const table = `L${level} table ${f.id}`;
        if (f.level !== level) fail(`${table} says it belongs to L${f.level}`);
        if (compareKeys(f.minKey, f.maxKey) > 0) fail(`${table} has its smallest key ${q(f.minKey)} after its largest ${q(f.maxKey)}`);
        if (!(f.id < nextFileNumber)) fail(`${table} is not below the next file number ${nextFileNumber}`);
        const other = seen.get(f.id);
        if (other !== undefined) fail(`table ${f.id} is listed twice, in L${other} and in L${level}`);
        seen.set(f.id, level);
        if (i === 0) return;
        const prev = files[i - 1];
        if (level === 0) {
          if (prev.maxSequence < f.maxSequence || (prev.maxSequence === f.maxSequence && prev.id < f.id))
            fail(
              `L0 is not newest first: table ${prev.id} (sequences to ${prev.maxSequence}) comes before table ${f.id} (to ${f.maxSequence})`,
            );
        } else if (compareKeys(prev.maxKey, f.minKey) >= 0) {
          fail(`L${level} tables ${prev.id} ${span(prev)} and ${f.id} ${span(f)} overlap or are out of key order`);
        }
      });
    });
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

function fail(problem: string): never {
  throw new VersionInvariantError(problem);
}

const q = (key: string) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
const span = (f: TableSummary) => `[${q(f.minKey)}, ${q(f.maxKey)}]`;
