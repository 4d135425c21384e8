/**
 * Folds a burst of updates into one per animation frame. Pushes arrive up
 * to ten times a second with a fresh stats snapshot each; the view applies
 * whatever arrived since the last frame in one React update, and a hidden
 * window (no frames) never builds up more than `maxPending` items.
 */
export interface Coalescer<T> {
  push(item: T): void
  /** Applies what is pending now (tests, unmount). */
  flush(): void
  dispose(): void
}

export function frameCoalescer<T>(
  apply: (items: T[]) => void,
  schedule: (cb: () => void) => number = (cb) => requestAnimationFrame(cb),
  cancel: (handle: number) => void = (h) => cancelAnimationFrame(h),
  maxPending = 64
): Coalescer<T> {
  let pending: T[] = []
  let handle: number | null = null
  let disposed = false
  const flush = () => {
    if (handle !== null) cancel(handle)
    handle = null
    if (pending.length === 0 || disposed) return
    const items = pending
    pending = []
    apply(items)
  }
  return {
    push(item) {
      if (disposed) return
      pending.push(item)
      if (pending.length >= maxPending) flush()
      else if (handle === null) handle = schedule(flush)
    },
    flush,
    dispose() {
      if (handle !== null) cancel(handle)
      handle = null
      pending = []
      disposed = true
    }
  }
}
