import { useCallback, useEffect, useRef, useState } from 'react';
import type { Client } from '../api/client';
import type { CollectionStats } from '../../../shared/model/stats';
import type { CollectionSummary } from '../../../shared/ipc/types';
import { useNotify } from '../ui/Toasts';
import { recoveryNotice } from './recovery-notice';

export interface Collections {
  list: CollectionSummary[] | null;
  /** Latest engine stats per open collection, from push events. */
  stats: ReadonlyMap<string, CollectionStats>;
  refresh(): Promise<void>;
  /** Fetches stats once, for a collection just opened: push events only come when something changes. */
  primeStats(name: string): Promise<void>;
}

/** Disk sizes change on flush and compaction; re-listing more often than this buys nothing. */
const REFRESH_AFTER_ENGINE_EVENTS_MS = 1500;

export function approxKeysOf(s: CollectionStats): number {
  return s.memtable.entries + s.immutableMemtables.reduce((n, m) => n + m.entries, 0) + s.levels.reduce((n, l) => n + l.entries, 0);
}

export function useCollections(client: Client): Collections {
  const notify = useNotify();
  const [list, setList] = useState<CollectionSummary[] | null>(null);
  const [stats, setStats] = useState<ReadonlyMap<string, CollectionStats>>(new Map());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    // Answers can overtake each other; only the newest request may set the list.
    const ticket = ++latest.current;
    try {
      const next = await client['collections.list']({});
      if (ticket === latest.current) setList(next);
    } catch (err) {
      notify.error(err, 'list the collections');
    }
  }, [client, notify]);

  useEffect(() => {
    void refresh();
    const unsubscribe = client.subscribe((event) => {
      if (event.kind === 'collections-changed' || event.kind === 'folder-changed') {
        if (event.kind === 'folder-changed') setStats(new Map());
        void refresh();
      } else if (event.kind === 'engine') {
        const s = event.stats;
        if (s) setStats((prev) => new Map(prev).set(event.collection, s));
        if (event.events.length > 0 && timer.current === null) {
          timer.current = setTimeout(() => {
            timer.current = null;
            void refresh();
          }, REFRESH_AFTER_ENGINE_EVENTS_MS);
        }
      }
    });
    return () => {
      unsubscribe();
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [client, refresh]);

  const primeStats = useCallback(
    async (name: string) => {
      try {
        const s = await client['collections.stats']({ name });
        setStats((prev) => (prev.has(name) ? prev : new Map(prev).set(name, s)));
        const notice = recoveryNotice(name, s.recovery);
        if (notice) notify('warning', notice.title, notice.message);
      } catch {
        // Stats are decoration for the status bar; the open itself reports real errors.
      }
    },
    [client, notify],
  );

  return { list, stats, refresh, primeStats };
}
