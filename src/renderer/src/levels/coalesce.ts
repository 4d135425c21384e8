/**
 * Folds a burst of updates into one, applied in an animation frame and at
 * most once per `minIntervalMs`. Pushes arrive up to ten times a second
 * with a fresh stats snapshot each (and job progress far more often); the
 * view applies whatever arrived since the last update in one React render,
 * and a hidden window (no frames) never holds more than `maxPending` items.
 */
export interface Coalescer<T> {
  push(item: T): void;
  /** Applies what is pending now (tests, unmount). */
  flush(): void;
  dispose(): void;
}

export interface Scheduler {
  now(): number;
  /** Runs cb after delayMs, in an animation frame. */
  later(cb: () => void, delayMs: number): () => void;
}

export const frameScheduler: Scheduler = {
  now: () => performance.now(),
  later(cb, delayMs) {
    let frame = 0;
    const timer = setTimeout(() => (frame = requestAnimationFrame(cb)), delayMs);
    return () => {
      clearTimeout(timer);
      cancelAnimationFrame(frame);
    };
  },
};

export function frameCoalescer<T>(
  apply: (items: T[]) => void,
  { minIntervalMs = 0, maxPending = 64, scheduler = frameScheduler } = {},
): Coalescer<T> {
  let pending: T[] = [];
  let cancel: (() => void) | null = null;
  let lastApplied = -Infinity;
  let disposed = false;
  const flush = () => {
    cancel?.();
    cancel = null;
    if (pending.length === 0 || disposed) return;
    const items = pending;
    pending = [];
    lastApplied = scheduler.now();
    apply(items);
  };
  return {
    push(item) {
      if (disposed) return;
      pending.push(item);
      if (pending.length >= maxPending) flush();
      else if (cancel === null) cancel = scheduler.later(flush, Math.max(0, lastApplied + minIntervalMs - scheduler.now()));
    },
    flush,
    dispose() {
      cancel?.();
      cancel = null;
      pending = [];
      disposed = true;
    },
  };
}
