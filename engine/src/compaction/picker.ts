import type { KeyBounds } from '../db/compactor.js';
import { type CollectionOptions, levelTargetBytes } from '../options/options.js';
import { compareKeys } from '../util/key-order.js';
import type { TableSummary } from '../version/table-summary.js';
import type { Version } from '../version/version.js';

/** A compaction chosen by the parent, before output numbers are assigned. */
export interface PickedCompaction {
  reason: 'level0-files' | 'level-size' | 'manual';
  level: number;
  outputLevel: number;
  inputs: { level: number; files: TableSummary[] }[];
  /** For Li (i >= 1) picks: where the next pick of this level starts. */
  compactPointer?: { level: number; key: string };
  score: number;
}

/** LevelDB's scores: L0 by file count against its trigger, deeper levels by bytes against target. >= 1 means "compact". */
export function levelScores(version: Version, options: CollectionOptions): number[] {
  const last = version.levels.length - 1;
  return version.levels.map((files, level) => {
    if (level === last) return 0;
    if (level === 0) return files.length / options.level0CompactionTrigger;
    return sumBytes(files) / levelTargetBytes(level, options);
  });
}

export function sumBytes(files: readonly TableSummary[]): number {
  let n = 0;
  for (const f of files) n += f.bytes;
  return n;
}

/** The most urgent automatic compaction, or undefined if every score is below 1. */
export function pickCompaction(
  version: Version,
  options: CollectionOptions,
  pointers: Record<number, string>,
): PickedCompaction | undefined {
  const scores = levelScores(version, options);
  let level = -1;
  for (let i = 0; i < scores.length; i++) if (scores[i] >= 1 && (level < 0 || scores[i] > scores[level])) level = i;
  if (level < 0) return undefined;
  if (level === 0) {
    const l0 = version.levels[0];
    return withNextLevel(version, 0, [...l0], 'level0-files', scores[0]);
  }
  // Rotate through the key space: the first file after the last compaction's end key.
  const files = version.levels[level];
  const pointer = pointers[level];
  const file = (pointer !== undefined && files.find((f) => compareKeys(f.maxKey, pointer) > 0)) || files[0];
  const picked = withNextLevel(version, level, [file], 'level-size', scores[level]);
  picked.compactPointer = { level, key: file.maxKey };
  return picked;
}

/** A manual compaction of `level` into level+1, limited to files overlapping `bounds`; undefined if none overlap. */
export function pickManual(version: Version, level: number, bounds: KeyBounds): PickedCompaction | undefined {
  const files = version.levels[level].filter((f) => overlaps(f.minKey, f.maxKey, bounds));
  if (files.length === 0) return undefined;
  return withNextLevel(version, level, files, 'manual', 0);
}

/**
 * Completes a pick with the overlapping files of the next level. L0 inputs
 * are first widened to every L0 file overlapping them: an older L0 file left
 * behind with a key the output also holds would shadow the newer value.
 */
function withNextLevel(
  version: Version,
  level: number,
  files: TableSummary[],
  reason: PickedCompaction['reason'],
  score: number,
): PickedCompaction {
  let inputs = files;
  if (level === 0) {
    const chosen = new Set(inputs);
    for (let changed = true; changed;) {
      changed = false;
      const [lo, hi] = span(inputs);
      for (const f of version.levels[0]) {
        if (!chosen.has(f) && compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0) {
          chosen.add(f);
          changed = true;
        }
      }
      inputs = version.levels[0].filter((f) => chosen.has(f));
    }
  }
  const [lo, hi] = span(inputs);
  const next = version.levels[level + 1].filter((f) => compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0);
  return {
    reason,
    level,
    outputLevel: level + 1,
    inputs: [
      { level, files: inputs },
      { level: level + 1, files: next },
    ],
    score,
  };
}

export function span(files: readonly TableSummary[]): [string, string] {
  let lo = files[0].minKey;
  let hi = files[0].maxKey;
  for (const f of files) {
    if (compareKeys(f.minKey, lo) < 0) lo = f.minKey;
    if (compareKeys(f.maxKey, hi) > 0) hi = f.maxKey;
  }
  return [lo, hi];
}

export function overlaps(minKey: string, maxKey: string, bounds: KeyBounds): boolean {
  if (bounds.gte !== undefined && compareKeys(maxKey, bounds.gte) < 0) return false;
  if (bounds.lt !== undefined && compareKeys(minKey, bounds.lt) >= 0) return false;
  return true;
}
