import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { Client } from '../api/client';
import type { KeyFilter, KeyRow } from '../../../shared/ipc/types';
import { useNotify } from '../ui/Toasts';
import { initialPages, pagesReducer, type PageState, type Side } from './pages';

export const PAGE_ROWS = 500;
/** Rows before the jumped-to key, so it does not sit at the very top with nothing above it. */
const CONTEXT_ROWS = 100;

/** `land` selects and shows the first row (Home), rather than just showing the start (a new filter). */
export type Reset = { to: 'start'; land?: boolean } | { to: 'end' } | { to: 'key'; key: string };

export interface KeyPages {
  state: PageState;
  loadEdge(side: Side): void;
  reset(where: Reset): Promise<void>;
  removed(keys: ReadonlySet<string>): void;
  updated(row: KeyRow): void;
}

/**
 * Cursor paging over `keys.page` for one collection, filter and direction.
 * The window's display order is the scan order; its "start" edge is fetched
 * by scanning the other way from the first row and flipping the answer.
 */
export function useKeyPages(client: Client, collection: string, filter: KeyFilter, reverse: boolean): KeyPages {
  const notify = useNotify();
  const [state, dispatch] = useReducer(pagesReducer, initialPages);
  const stateRef = useRef(state);
  stateRef.current = state;
  const gen = useRef(0);
  // A dispatch is only visible after the next render; this guard stops a second request for the same edge in between.
  const inFlight = useRef<Side | null>(null);
  const filterKey = JSON.stringify(filter);
  const stableFilter = useMemo(() => JSON.parse(filterKey) as KeyFilter, [filterKey]);

  const page = useCallback(
    (scanReverse: boolean, cursor: { after?: string; from?: string }, limit = PAGE_ROWS) =>
      client['keys.page']({ collection, filter: stableFilter, reverse: scanReverse, ...cursor, limit }),
    [client, collection, stableFilter],
  );

  const reset = useCallback(
    async (where: Reset) => {
      const g = ++gen.current;
      inFlight.current = null;
      dispatch({ type: 'reset', gen: g });
      try {
        if (where.to === 'start') {
          const p = await page(reverse, {});
          // Always back to the top: a new filter or direction must not keep the old scroll position.
          dispatch({
            type: 'replaced',
            gen: g,
            rows: p.rows,
            startDone: true,
            endDone: p.done,
            target: p.rows.length ? 0 : null,
            select: where.land === true,
          });
        } else if (where.to === 'end') {
          const p = await page(!reverse, {});
          const rows = p.rows.slice().reverse();
          dispatch({
            type: 'replaced',
            gen: g,
            rows,
            startDone: p.done,
            endDone: true,
            target: rows.length ? rows.length - 1 : null,
            select: true,
          });
        } else {
          const [ahead, behind] = await Promise.all([
            page(reverse, { from: where.key }),
            page(!reverse, { after: where.key }, CONTEXT_ROWS),
          ]);
          const rows = behind.rows.slice().reverse().concat(ahead.rows);
          // The key itself, or where it would be: the first row at or past it, else the last row before it.
          const target = ahead.rows.length ? behind.rows.length : rows.length ? rows.length - 1 : null;
          dispatch({ type: 'replaced', gen: g, rows, startDone: behind.done, endDone: ahead.done, target, select: true });
        }
      } catch (err) {
        if (g !== gen.current) return;
        dispatch({ type: 'failed', gen: g, message: (err as Error).message });
        notify.error(err, 'load keys');
      }
    },
    [page, reverse, notify],
  );

  const fetchEdge = useCallback(
    async (side: Side) => {
      const s = stateRef.current;
      if (inFlight.current !== null || s.loading !== null) return;
      const g = gen.current;
      inFlight.current = side;
      dispatch({ type: 'loading', gen: g, side });
      try {
        if (side === 'end') {
          const last = s.rows.at(-1)?.key;
          const p = await page(reverse, last === undefined ? {} : { after: last });
          dispatch({ type: 'extended', gen: g, side, rows: p.rows, done: p.done });
        } else {
          const first = s.rows[0]?.key;
          const p = await page(!reverse, first === undefined ? {} : { after: first });
          dispatch({ type: 'extended', gen: g, side, rows: p.rows.slice().reverse(), done: p.done });
        }
      } catch (err) {
        dispatch({ type: 'failed', gen: g, message: (err as Error).message });
        if (g === gen.current) notify.error(err, 'load more keys');
      } finally {
        if (g === gen.current) inFlight.current = null;
      }
    },
    [page, reverse, notify],
  );
  // The grid asks and moves on; fetchEdge reports its own failures (a toast and the window's error state).
  const loadEdge = useCallback((side: Side) => void fetchEdge(side), [fetchEdge]);

  useEffect(() => {
    void reset({ to: 'start' });
  }, [reset]);

  const removed = useCallback((keys: ReadonlySet<string>) => dispatch({ type: 'removed', keys }), []);
  const updated = useCallback((row: KeyRow) => dispatch({ type: 'updated', row }), []);

  return { state, loadEdge, reset, removed, updated };
}
