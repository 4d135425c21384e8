import type { KeyRow } from '../../../shared/ipc/types';

/**
 * The key browser holds one contiguous window of the keyspace, in display
 * order, and grows it at either edge as the user scrolls. It never holds the
 * whole collection: past MAX_ROWS the far edge is dropped again, so memory and
 * the table's row model stay bounded however far the user scrolls.
 */
export const MAX_ROWS = 20_000;

export type Side = 'start' | 'end';

export interface PageState {
  /** Bumped by every reset: answers for an older generation are ignored. */
  gen: number;
  /** Counts layout-relevant changes; shift and target carry the value they were made at. */
  seq: number;
  rows: readonly KeyRow[];
  /** The window begins at the first key the filter matches (in display order). */
  startDone: boolean;
  endDone: boolean;
  loading: Side | 'reset' | null;
  /** Rows added (+) or dropped (−) before the previous first row, so the grid can keep what the user looks at still. */
  shift: { seq: number; rows: number };
  /** A row to bring into view once rendered (after a reset), by index; `select` when the user asked to land on it (jump, Home, End). */
  target: { seq: number; index: number; select: boolean } | null;
  error: string | null;
}

export type PageAction =
  | { type: 'reset'; gen: number }
  | { type: 'loading'; gen: number; side: Side }
  | { type: 'replaced'; gen: number; rows: readonly KeyRow[]; startDone: boolean; endDone: boolean; target: number | null; select: boolean }
  | { type: 'extended'; gen: number; side: Side; rows: readonly KeyRow[]; done: boolean }
  | { type: 'failed'; gen: number; message: string }
  | { type: 'removed'; keys: ReadonlySet<string> }
  | { type: 'updated'; row: KeyRow };

export const initialPages: PageState = {
  gen: 0,
  seq: 0,
  rows: [],
  startDone: false,
  endDone: false,
  loading: 'reset',
  shift: { seq: 0, rows: 0 },
  target: null,
  error: null,
};

export function pagesReducer(state: PageState, action: PageAction): PageState {
  if ('gen' in action && action.type !== 'reset' && action.gen !== state.gen) return state;
  switch (action.type) {
    case 'reset':
      return { ...initialPages, gen: action.gen, seq: state.seq, shift: state.shift };
    case 'loading':
      return { ...state, loading: action.side, error: null };
    case 'failed':
      return { ...state, loading: null, error: action.message };
    case 'replaced':
      return {
        ...state,
        rows: action.rows,
        startDone: action.startDone,
        endDone: action.endDone,
        loading: null,
        error: null,
        seq: state.seq + 1,
        target: action.target === null ? null : { seq: state.seq + 1, index: action.target, select: action.select },
      };
    case 'extended':
      return extend(state, action.side, action.rows, action.done);
    case 'removed': {
      const rows = state.rows.filter((r) => !action.keys.has(r.key));
      return rows.length === state.rows.length ? state : { ...state, rows };
    }
    case 'updated': {
      const i = state.rows.findIndex((r) => r.key === action.row.key);
      if (i < 0) return state;
      const rows = state.rows.slice();
      rows[i] = action.row;
      return { ...state, rows };
    }
  }
}

function extend(state: PageState, side: Side, added: readonly KeyRow[], done: boolean): PageState {
  if (side === 'end') {
    let rows = state.rows.concat(added);
    let startDone = state.startDone;
    let dropped = 0;
    if (rows.length > MAX_ROWS) {
      dropped = rows.length - MAX_ROWS;
      rows = rows.slice(dropped);
      startDone = false;
    }
    return {
      ...state,
      rows,
      startDone,
      endDone: done,
      loading: null,
      seq: dropped ? state.seq + 1 : state.seq,
      shift: dropped ? { seq: state.seq + 1, rows: -dropped } : state.shift,
    };
  }
  let rows = added.concat(state.rows);
  let endDone = state.endDone;
  if (rows.length > MAX_ROWS) {
    rows = rows.slice(0, MAX_ROWS);
    endDone = false;
  }
  return {
    ...state,
    rows,
    endDone,
    startDone: done,
    loading: null,
    seq: added.length ? state.seq + 1 : state.seq,
    shift: added.length ? { seq: state.seq + 1, rows: added.length } : state.shift,
  };
}

/** Whether the visible range is close enough to an unfinished edge to fetch the next page there. */
export function edgeToLoad(state: PageState, firstVisible: number, lastVisible: number, margin: number): Side | null {
  if (state.loading !== null || state.error !== null) return null;
  if (!state.endDone && lastVisible >= state.rows.length - margin) return 'end';
  if (!state.startDone && firstVisible <= margin) return 'start';
  return null;
}
