import { randomUUID } from 'node:crypto'
import type { JobKind, JobProgress } from '../../shared/ipc/types'

export interface JobContext {
  readonly signal: AbortSignal
  /** Records progress; the hub throttles what reaches the renderer. */
  progress(done: number, message?: string): void
}

/** How often a running job's progress is pushed. */
const PROGRESS_MS = 100

/**
 * Long bulk operations run as jobs: they report progress through push events
 * and stop between batches when cancelled, so the UI never waits on a call
 * that could take minutes and the user can always change their mind.
 */
export class Jobs {
  private readonly running = new Map<string, { job: JobProgress; abort: AbortController }>()

  constructor(private readonly publish: (job: JobProgress) => void) {}

  start(
    kind: JobKind,
    collection: string,
    total: number | null,
    run: (ctx: JobContext) => Promise<string>
  ): JobProgress {
    const job: JobProgress = {
      id: randomUUID(),
      kind,
      collection,
      state: 'running',
      done: 0,
      total,
      message: '',
      startedAt: Date.now(),
      finishedAt: null
    }
    const abort = new AbortController()
    this.running.set(job.id, { job, abort })
    let lastPush = 0
    const ctx: JobContext = {
      signal: abort.signal,
      progress: (done, message) => {
        job.done = done
        if (message !== undefined) job.message = message
        const now = Date.now()
        if (now - lastPush >= PROGRESS_MS) {
          lastPush = now
          this.publish({ ...job })
        }
      }
    }
    void run(ctx).then(
      (message) => this.finish(job, abort.signal.aborted ? 'cancelled' : 'done', message),
      (err: unknown) => this.finish(job, 'failed', err instanceof Error ? err.message : String(err))
    )
    this.publish({ ...job })
    return { ...job }
  }

  cancel(id: string): boolean {
    const entry = this.running.get(id)
    if (!entry) return false
    entry.abort.abort()
    return true
  }

  /** Cancels every job of a collection, e.g. before it closes or is dropped, and waits for none: jobs stop at their next batch. */
  cancelFor(collection: string): void {
    for (const { job, abort } of this.running.values()) if (job.collection === collection) abort.abort()
  }

  cancelAll(): void {
    for (const { abort } of this.running.values()) abort.abort()
  }

  private finish(job: JobProgress, state: JobProgress['state'], message: string): void {
    job.state = state
    job.message = message
    job.finishedAt = Date.now()
    this.running.delete(job.id)
    this.publish({ ...job })
  }
}
