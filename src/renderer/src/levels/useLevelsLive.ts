import type { EngineEvent } from '../../../shared/model/events';
import type { CollectionStats } from '../../../shared/model/stats';
import { useEffect, useReducer, useState } from 'react';
import type { Client } from '../api/client';
import { useNotify } from '../ui/Toasts';
import { frameCoalescer } from './coalesce';
import { emptyHistory, historyReducer, type HistoryState } from './history';

/** Five updates a second: smooth enough for bars and counters, half the renders of the push rate. */
const UPDATE_INTERVAL_MS = 200;

export interface LevelsLive {
  stats: CollectionStats | null;
  history: HistoryState;
}

/**
 * The live state of one collection's tree: its stats (from the coalesced
 * engine pushes, the same subscription App and useCollections use) and its
 * history (lsm.history once, then steps and samples from the pushes). At
 * most one React update per 200 ms, in an animation frame, however fast
 * pushes arrive.
 */
export function useLevelsLive(client: Client, collection: string): LevelsLive {
  const notify = useNotify();
  const [stats, setStats] = useState<CollectionStats | null>(null);
  const [history, dispatch] = useReducer(historyReducer, emptyHistory);

  useEffect(() => {
    let alive = true;
    const coalescer = frameCoalescer<{ events: EngineEvent[]; stats: CollectionStats | null }>(
      (items) => {
        const events = items.flatMap((i) => i.events);
        let latest: CollectionStats | null = null;
        for (const i of items) if (i.stats) latest = i.stats;
        if (latest) setStats(latest);
        dispatch({ type: 'push', events, stats: latest, now: Date.now() });
      },
      { minIntervalMs: UPDATE_INTERVAL_MS },
    );
    const unsubscribe = client.subscribe((event) => {
      if (event.kind === 'engine' && event.collection === collection) coalescer.push({ events: event.events, stats: event.stats });
    });
    void (async () => {
      try {
        const [s, h] = await Promise.all([client['collections.stats']({ name: collection }), client['lsm.history']({ collection })]);
        if (!alive) return;
        setStats((prev) => prev ?? s);
        dispatch({ type: 'loaded', history: h });
      } catch (err) {
        if (alive) notify.error(err, 'read the tree of this collection');
      }
    })();
    return () => {
      alive = false;
      unsubscribe();
      coalescer.dispose();
    };
  }, [client, collection, notify]);

  return { stats, history };
}
