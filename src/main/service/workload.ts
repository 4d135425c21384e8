import type { Collection } from '@strata/engine';
import type { WorkloadPattern } from '../../shared/model/workload';
import type { JobContext } from './jobs';

export interface WorkloadSpec {
  count: number;
  /** Operations per second; 0 writes as fast as the engine accepts. */
  rate: number;
  pattern: WorkloadPattern;
  valueBytes: number;
  keyPrefix: string;
}

/** Operations per write batch: large enough to be cheap, small enough that a stop takes effect at once. */
const BATCH = 500;
const TICK_MS = 50;

/** A seeded PRNG (mulberry32) so a workload is repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the Levels view's workload generator writes: N operations at a chosen
 * rate, shaped to show a behaviour of the tree.
 *   sequential    ascending keys: L0 tables do not overlap, so compactions become moves
 *   random        keys spread over a 10×N space: overlapping L0 tables, real merges
 *   overwrite     a working set of N/10 keys rewritten: compaction drops old versions
 *   delete-heavy  half puts, half deletes of recent keys: tombstones and their cleanup
 */
export async function runWorkload(c: Collection, spec: WorkloadSpec, { signal, progress }: JobContext): Promise<string> {
  const random = prng(0x5eed);
  const width = String(Math.max(spec.count * 10, 10)).length;
  const keyOf = (n: number) => spec.keyPrefix + String(n).padStart(width, '0');
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(spec.valueBytes / 36) + 1);
  const valueOf = (i: number) => (String(i) + ':' + filler).slice(0, spec.valueBytes);
  const recent: number[] = [];

  const opAt = (i: number): { type: 'put' | 'delete'; key: string; value?: string } => {
    switch (spec.pattern) {
      case 'sequential':
        return { type: 'put', key: keyOf(i), value: valueOf(i) };
      case 'random':
        return { type: 'put', key: keyOf(Math.floor(random() * spec.count * 10)), value: valueOf(i) };
      case 'overwrite':
        return { type: 'put', key: keyOf(Math.floor(random() * Math.max(1, Math.floor(spec.count / 10)))), value: valueOf(i) };
      case 'delete-heavy': {
        if (recent.length > 0 && random() < 0.5) {
          const at = Math.floor(random() * recent.length);
          const n = recent[at]!;
          recent[at] = recent[recent.length - 1]!;
          recent.pop();
          return { type: 'delete', key: keyOf(n) };
        }
        const n = Math.floor(random() * spec.count * 10);
        if (recent.length < 100_000) recent.push(n);
        return { type: 'put', key: keyOf(n), value: valueOf(i) };
      }
    }
  };

  const started = performance.now();
  let done = 0;
  while (done < spec.count && !signal.aborted) {
    let size = Math.min(BATCH, spec.count - done);
    if (spec.rate > 0) {
      // Pace against the clock, not per batch, so a slow batch is caught up rather than lost.
      const due = Math.floor(((performance.now() - started) / 1000) * spec.rate) - done;
      if (due <= 0) {
        await new Promise((r) => setTimeout(r, TICK_MS));
        continue;
      }
      size = Math.min(size, due);
    }
    const ops = [];
    for (let i = 0; i < size; i++) {
      const op = opAt(done + i);
      ops.push(op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value! } : { type: 'delete' as const, key: op.key });
    }
    await c.batch(ops);
    done += size;
    progress(done, `${done.toLocaleString('en-US')} of ${spec.count.toLocaleString('en-US')} operations`);
    // Yield between batches: the main process also serves the UI.
    await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en-US');
  return `${signal.aborted ? 'stopped after' : 'wrote'} ${done.toLocaleString('en-US')} operations in ${seconds.toFixed(1)} s (${rate}/s)`;
}
