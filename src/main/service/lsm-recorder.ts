import type { Collection, CollectionEventName, CollectionEvents, CollectionStats } from '@strata/engine';
import type { HistorySample, HistoryStep, LsmHistory, TableShape } from '../../shared/ipc/types';

/** Enough history to scroll back through a long load without growing without bound. */
const MAX_STEPS = 1000;
const MAX_SAMPLES = 900;
const SAMPLE_MS = 1000;

/**
 * Keeps a collection's recent LSM history while it is open: every flush,
 * compaction, move, failure and stall with a snapshot of the tree right
 * after it (so the view can show the tree "as it was"), plus a once-a-second
 * sample for throughput, write-amplification and per-level charts.
 */
export class LsmRecorder {
  private readonly steps: HistoryStep[] = [];
  private readonly samples: HistorySample[] = [];
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(private readonly collection: Collection) {
    const on = <E extends CollectionEventName>(event: E, handler: (payload: CollectionEvents[E]) => void) => {
      collection.on(event, handler);
      return () => collection.off(event, handler);
    };
    const offs = [
      on('flush-end', (p) => this.step('flush', p, true)),
      on('compaction-end', (p) => this.step(p.move ? 'move' : 'compaction', p, true)),
      on('compaction-error', (p) => this.step('compaction-error', p, false)),
      on('write-stall', (p) => {
        if (p.phase === 'end') this.step('stall', p, false);
      }),
    ];
    this.detach = () => offs.forEach((off) => off());
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  history(): LsmHistory {
    return { steps: [...this.steps], samples: [...this.samples] };
  }

  dispose(): void {
    clearInterval(this.timer);
    this.detach();
  }

  private stats(): CollectionStats | undefined {
    try {
      return this.collection.stats();
    } catch {
      return undefined;
    }
  }

  private step(kind: HistoryStep['kind'], detail: object, changesTree: boolean): void {
    const stats = changesTree ? this.stats() : undefined;
    push(this.steps, MAX_STEPS, { seq: ++this.seq, at: Date.now(), kind, detail: { ...detail }, levels: stats ? shapesOf(stats) : null });
  }

  private sample(): void {
    const s = this.stats();
    if (!s) return;
    push(this.samples, MAX_SAMPLES, {
      at: Date.now(),
      userBytesWritten: s.totals.userBytesWritten,
      writeAmplification: s.totals.writeAmplification,
      levelBytes: s.levels.map((l) => l.bytes),
    });
  }
}

export function shapesOf(stats: CollectionStats): TableShape[][] {
  return stats.levels.map((l) =>
    l.files.map((f) => ({
      id: f.id,
      level: l.level,
      bytes: f.bytes,
      entries: f.entries,
      tombstones: f.tombstones,
      minKey: f.minKey,
      maxKey: f.maxKey,
    })),
  );
}

function push<T>(list: T[], max: number, item: T): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
