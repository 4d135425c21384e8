import type { TableShape } from '../../../shared/model/stats';
import type { KeyScale } from './scale';

/** One SSTable placed in its level's row: fractions of the row, so the renderer only multiplies by pixels. */
export interface PlacedTable {
  table: TableShape;
  x0: number;
  x1: number;
  /** Sub-row within the level; only L0 has more than one (its tables overlap). */
  lane: number;
  /** Height as a fraction of the lane: the square root of the table's size against the largest table's, so small tables stay legible. */
  height: number;
  /** Share of the table's entries that are tombstones, 0..1. */
  tombstoneShare: number;
}

export interface PlacedLevel {
  level: number;
  lanes: number;
  tables: PlacedTable[];
}

/** The smallest table stays visible and clickable. */
export const MIN_HEIGHT = 0.18;

/**
 * Lanes for overlapping tables, newest first (the engine lists L0 newest
 * first): each table takes the first lane where it overlaps nothing, so
 * lane 0 (drawn on top) holds the newest tables and a stack of N lanes
 * means a read may have to search N tables for one key.
 */
export function assignLanes(spans: readonly [number, number][]): { lanes: number[]; count: number } {
  const laneEnds: [number, number][][] = [];
  const lanes = spans.map(([x0, x1]) => {
    let lane = laneEnds.findIndex((taken) => taken.every(([t0, t1]) => x1 <= t0 || x0 >= t1));
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push([]);
    }
    laneEnds[lane]!.push([x0, x1]);
    return lane;
  });
  return { lanes, count: Math.max(laneEnds.length, 1) };
}

export function layoutLevels(levels: readonly (readonly TableShape[])[], scale: KeyScale): PlacedLevel[] {
  let maxBytes = 1;
  for (const files of levels) for (const f of files) maxBytes = Math.max(maxBytes, f.bytes);
  return levels.map((files, level) => {
    const spans = files.map((f) => scale.span(f.minKey, f.maxKey));
    const { lanes, count } = level === 0 ? assignLanes(spans) : { lanes: spans.map(() => 0), count: 1 };
    return {
      level,
      lanes: count,
      tables: files.map((table, i) => ({
        table,
        x0: spans[i]![0],
        x1: spans[i]![1],
        lane: lanes[i]!,
        height: Math.max(MIN_HEIGHT, Math.sqrt(table.bytes / maxBytes)),
        tombstoneShare: table.entries > 0 ? Math.min(1, table.tombstones / table.entries) : 0,
      })),
    };
  });
}

/** Whether any two tables of a level overlap (never true below L0 in a healthy tree). */
export function overlapping(files: readonly TableShape[]): boolean {
  const sorted = [...files].sort((a, b) => (a.minKey < b.minKey ? -1 : a.minKey > b.minKey ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.minKey <= sorted[i - 1]!.maxKey) return true;
  return false;
}

export interface RowGeometry {
  level: number;
  y: number;
  height: number;
  laneHeight: number;
}

/** Vertical layout: L0 grows a lane per stacked table (shrinking lanes past `maxL0Height`), deeper levels one lane each. */
export function rowGeometry(
  placed: readonly PlacedLevel[],
  laneHeight = 30,
  gap = 14,
  maxL0Height = 150,
  pad = 6,
): { rows: RowGeometry[]; height: number } {
  let y = 0;
  const rows = placed.map((p) => {
    const inner = Math.min(p.lanes * laneHeight, Math.max(laneHeight, maxL0Height));
    const row = { level: p.level, y, height: inner + 2 * pad, laneHeight: inner / p.lanes };
    y += row.height + gap;
    return row;
  });
  return { rows, height: Math.max(0, y - gap) };
}
