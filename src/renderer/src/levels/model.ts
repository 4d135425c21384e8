import { shapesOf } from '../../../shared/model/history';
import type { CollectionStats, RunningCompaction, TableShape } from '../../../shared/model/stats';

/** What the tree draws: either the live stats or a history step's snapshot. */
export interface LevelInfo {
  level: number;
  files: TableShape[];
  bytes: number;
  entries: number;
  /** Unknown for history snapshots. */
  targetBytes: number | null;
  score: number | null;
}

export interface TreeModel {
  levels: LevelInfo[];
  memtable: CollectionStats['memtable'] | null;
  immutables: CollectionStats['immutableMemtables'];
  running: RunningCompaction | null;
  /** A signature of the tables (ids per level): layout is recomputed only when it changes. */
  signature: string;
}

const signatureOf = (levels: readonly (readonly TableShape[])[]): string =>
  levels.map((files) => files.map((f) => f.id).join(',')).join('|');

export function liveModel(stats: CollectionStats): TreeModel {
  const shapes = shapesOf(stats);
  return {
    levels: stats.levels.map((l, i) => ({
      level: l.level,
      files: shapes[i]!,
      bytes: l.bytes,
      entries: l.entries,
      targetBytes: l.targetBytes,
      score: l.score,
    })),
    memtable: stats.memtable,
    immutables: stats.immutableMemtables,
    running: stats.compaction.running,
    signature: signatureOf(shapes),
  };
}

export function stepModel(levels: TableShape[][]): TreeModel {
  return {
    levels: levels.map((files, level) => ({
      level,
      files,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      entries: files.reduce((n, f) => n + f.entries, 0),
      targetBytes: null,
      score: null,
    })),
    memtable: null,
    immutables: [],
    running: null,
    signature: signatureOf(levels),
  };
}

/** Levels worth a row: everything down to the deepest non-empty level, plus the next one (where compaction will write), at least L0–L2. */
export function visibleLevels(levels: readonly LevelInfo[]): LevelInfo[] {
  let deepest = 0;
  for (const l of levels) if (l.files.length > 0) deepest = Math.max(deepest, l.level);
  return levels.slice(0, Math.min(levels.length, Math.max(3, deepest + 2)));
}
