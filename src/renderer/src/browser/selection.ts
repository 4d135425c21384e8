import type { KeyRow } from '../../../shared/ipc/types';

/**
 * Selection by key, not by index: the window of rows shifts as pages load
 * and drop, and a selection must survive that.
 */
export interface Selection {
  keys: ReadonlySet<string>;
  /** Where a shift-click or shift-arrow range starts. */
  anchor: string | null;
  /** The row keyboard navigation moves from (the "focused" row). */
  cursor: string | null;
}

export const emptySelection: Selection = { keys: new Set(), anchor: null, cursor: null };

export interface ClickModifiers {
  shift: boolean;
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  toggle: boolean;
}

export function selectOnly(key: string): Selection {
  return { keys: new Set([key]), anchor: key, cursor: key };
}

export function clickRow(sel: Selection, rows: readonly KeyRow[], index: number, mods: ClickModifiers): Selection {
  const key = rows[index]?.key;
  if (key === undefined) return sel;
  if (mods.shift && sel.anchor !== null) {
    const range = rangeKeys(rows, sel.anchor, index);
    if (range) {
      const keys = mods.toggle ? new Set([...sel.keys, ...range]) : new Set(range);
      return { keys, anchor: sel.anchor, cursor: key };
    }
  }
  if (mods.toggle) {
    const keys = new Set(sel.keys);
    if (keys.has(key)) keys.delete(key);
    else keys.add(key);
    return { keys, anchor: key, cursor: key };
  }
  return selectOnly(key);
}

/** Arrow keys, PageUp/Down, Home/End within the loaded window; with shift the range from the anchor grows. */
export function moveCursor(sel: Selection, rows: readonly KeyRow[], to: number, extend: boolean): Selection {
  if (rows.length === 0) return sel;
  const index = Math.max(0, Math.min(rows.length - 1, to));
  const key = rows[index]!.key;
  if (extend && sel.anchor !== null) {
    const range = rangeKeys(rows, sel.anchor, index);
    if (range) return { keys: new Set(range), anchor: sel.anchor, cursor: key };
  }
  return selectOnly(key);
}

export function cursorIndex(sel: Selection, rows: readonly KeyRow[]): number {
  return sel.cursor === null ? -1 : rows.findIndex((r) => r.key === sel.cursor);
}

/** Keys between the anchor and a row, inclusive; null when the anchor has scrolled out of the loaded window. */
function rangeKeys(rows: readonly KeyRow[], anchor: string, index: number): string[] | null {
  const from = rows.findIndex((r) => r.key === anchor);
  if (from < 0) return null;
  const [lo, hi] = from <= index ? [from, index] : [index, from];
  return rows.slice(lo, hi + 1).map((r) => r.key);
}

export function withoutKeys(sel: Selection, gone: ReadonlySet<string>): Selection {
  const keys = new Set([...sel.keys].filter((k) => !gone.has(k)));
  return {
    keys,
    anchor: sel.anchor !== null && gone.has(sel.anchor) ? null : sel.anchor,
    cursor: sel.cursor !== null && gone.has(sel.cursor) ? null : sel.cursor,
  };
}
