import type { Collection } from '@strata/engine';
import type { EngineEvent } from '../../shared/model/events';
import {
  appendCapped,
  changesTree,
  MAX_SAMPLES,
  MAX_STEPS,
  SAMPLE_MS,
  sampleOf,
  shapesOf,
  STEP_EVENTS,
  stepOf,
  type HistorySample,
  type HistoryStep,
  type LsmHistory,
} from '../../shared/model/history';
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
    this.detach = watchEngineEvents(collection, STEP_EVENTS, (event) => this.record(event));
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

  private stats(): CollectionStats | null {
    try {
      return statsToWire(this.collection.stats());
    } catch {
      // A closing collection has no stats: the step is kept without its tree.
      return null;
    }
  }

  private record(event: EngineEvent): void {
    const step = stepOf(event);
    if (!step) return;
    const stats = changesTree(step.kind) ? this.stats() : null;
    this.steps = appendCapped(this.steps, [{ ...step, seq: ++this.seq, levels: stats ? shapesOf(stats) : null }], MAX_STEPS);
  }

  private sample(): void {
    const stats = this.stats();
    if (stats) this.samples = appendCapped(this.samples, [sampleOf(stats, Date.now())], MAX_SAMPLES);
  }
}
