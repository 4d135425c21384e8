import type { Collection } from '@strata/engine';
import type { EngineEvent } from '../../shared/model/events';
import * as history from '../../shared/model/history';
import type { HistorySample, HistoryStep, LsmHistory } from '../../shared/model/history';
import type { CollectionStats } from '../../shared/model/stats';
import { watchEngineEvents } from './to-wire/events';
import { statsToWire } from './to-wire/stats';

/**
 * Keeps a collection's recent LSM history while it is open: every flush,
 * compaction, move, failure and stall with a snapshot of the tree right
 * after it (so the view can show the tree "as it was"), plus a once-a-second
 * sample for throughput, write-amplification and per-level charts. What a
 * step and a sample are is the shared history model's (shared/model/history.ts).
 */
export class LsmRecorder {
  private steps: HistoryStep[] = [];
  private samples: HistorySample[] = [];
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(private readonly collection: Collection) {
    this.detach = watchEngineEvents(collection, history.STEP_EVENTS, (event) => this.record(event));
    this.sample();
    this.timer = setInterval(() => this.sample(), history.SAMPLE_MS);
    this.timer.unref();
  }

  history(): LsmHistory {
    return { steps: [...this.steps], samples: [...this.samples] };
  }

  dispose(): void {
    clearInterval(this.timer);
    this.detach();
  }

  private stats(): CollectionStats | null {
    try {
      return statsToWire(this.collection.stats());
    } catch {
      // A closing collection has no stats: the step is kept without its tree.
      return null;
    }
  }

  private record(event: EngineEvent): void {
    const step = history.stepOf(event);
    if (!step) return;
    const stats = history.changesTree(step.kind) ? this.stats() : null;
    this.steps = history.appendCapped(
      this.steps,
      [{ ...step, seq: ++this.seq, levels: stats ? history.shapesOf(stats) : null }],
      history.MAX_STEPS,
    );
  }

  private sample(): void {
    const stats = this.stats();
    if (stats) this.samples = history.appendCapped(this.samples, [history.sampleOf(stats, Date.now())], history.MAX_SAMPLES);
  }
}
