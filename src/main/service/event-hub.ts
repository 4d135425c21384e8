import type { Collection } from '@strata/engine';
import type { PushEvent } from '../../shared/ipc/types';
import type { EngineEvent } from '../../shared/model/events';
import type { CollectionStats } from '../../shared/model/stats';
import { ENGINE_EVENT_TYPES, watchEngineEvents } from './to-wire/events';
import { statsToWire } from './to-wire/stats';

/** At most one push per collection per interval: ~10 updates/s however busy the engine is. */
export const COALESCE_MS = 100;
/** Progress events replace each other; others queue up to this many per interval. */
const MAX_QUEUED = 500;

type Listener = (event: PushEvent) => void;

interface Watched {
  collection: Collection;
  detach: () => void;
  pending: EngineEvent[];
  dirty: boolean;
  timer: NodeJS.Timeout | undefined;
  lastSent: number;
}

/**
 * Fans engine events out to every connected renderer, coalesced. During a
 * million-key load a collection emits thousands of events per second; the
 * renderer gets one message per interval holding the events since the last
 * one and a fresh stats snapshot.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly watched = new Map<string, Watched>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: PushEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken connection must not starve the others.
      }
    }
  }

  watch(name: string, collection: Collection): void {
    if (this.watched.get(name)?.collection === collection) return;
    this.unwatch(name);
    const w: Watched = { collection, detach: () => {}, pending: [], dirty: false, timer: undefined, lastSent: 0 };
    w.detach = watchEngineEvents(collection, ENGINE_EVENT_TYPES, (event) => this.record(name, w, event));
    this.watched.set(name, w);
  }

  unwatch(name: string): void {
    const w = this.watched.get(name);
    if (!w) return;
    w.detach();
    if (w.timer) clearTimeout(w.timer);
    this.watched.delete(name);
  }

  /** Pushes a stats snapshot soon, e.g. after the app itself wrote or deleted keys. */
  touch(name: string): void {
    const w = this.watched.get(name);
    if (w) this.schedule(name, w);
  }

  close(): void {
    for (const name of [...this.watched.keys()]) this.unwatch(name);
    this.listeners.clear();
  }

  private record(name: string, w: Watched, event: EngineEvent): void {
    const last = w.pending.at(-1);
    if (event.type === 'compaction-progress' && last?.type === event.type) w.pending[w.pending.length - 1] = event;
    else if (w.pending.length < MAX_QUEUED) w.pending.push(event);
    this.schedule(name, w);
  }

  private schedule(name: string, w: Watched): void {
    w.dirty = true;
    if (w.timer) return;
    const wait = Math.max(0, w.lastSent + COALESCE_MS - Date.now());
    w.timer = setTimeout(() => this.send(name, w), wait);
    w.timer.unref();
  }

  private send(name: string, w: Watched): void {
    w.timer = undefined;
    if (!w.dirty || this.watched.get(name) !== w) return;
    w.dirty = false;
    w.lastSent = Date.now();
    const events = w.pending;
    w.pending = [];
    let stats: CollectionStats | null = null;
    try {
      stats = statsToWire(w.collection.stats());
    } catch {
      // A closing collection has no stats; the events still go out.
    }
    this.publish({ kind: 'engine', collection: name, events, stats });
  }
}
