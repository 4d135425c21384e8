import { randomUUID } from 'node:crypto';
import type { JobKind, JobProgress } from '../../shared/ipc/types';

export interface JobContext {
  readonly signal: AbortSignal;
  /** Records progress; the hub throttles what reaches the renderer. */
  progress(done: number, message?: string, extra?: JobExtra): void;
}

/** Fields a job may fill in besides its count (import/export record counts, a total found on the way, a repair's report). */
export type JobExtra = Partial<Pick<JobProgress, 'records' | 'skipped' | 'badRecords' | 'total' | 'repair'>>;

/** What a job's function resolves with: its closing message, and any last extra fields. */
export type JobOutcome = string | { message: string; extra?: JobExtra };

/** How often a running job's progress is pushed. */
const PROGRESS_MS = 100;

/**
 * Long bulk operations run as jobs: they report progress through push events
 * and stop between batches when cancelled, so the UI never waits on a call
 * that could take minutes and the user can always change their mind.
 */
export class Jobs {
  private readonly running = new Map<string, { job: JobProgress; abort: AbortController; ended: Promise<JobProgress> }>();

  constructor(private readonly publish: (job: JobProgress) => void) {}

  start(
    kind: JobKind,
    collection: string,
    total: number | null,
    unit: JobProgress['unit'],
    run: (ctx: JobContext) => Promise<JobOutcome>,
    extra: JobExtra = {},
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
      finishedAt: null,
      unit,
      ...extra,
    };
    const abort = new AbortController();
    let ended!: (job: JobProgress) => void;
    this.running.set(job.id, { job, abort, ended: new Promise((resolve) => (ended = resolve)) });
    let lastPush = 0;
    const ctx: JobContext = {
      signal: abort.signal,
      progress: (done, message, more) => {
        job.done = done;
        if (message !== undefined) job.message = message;
        if (more) Object.assign(job, more);
        const now = Date.now();
        if (now - lastPush >= PROGRESS_MS) {
          lastPush = now;
          this.publish({ ...job });
        }
      },
    };
    void run(ctx).then(
      (outcome) => {
        const { message, extra: last } = typeof outcome === 'string' ? { message: outcome, extra: undefined } : outcome;
        if (last) Object.assign(job, last);
        this.finish(job, abort.signal.aborted ? 'cancelled' : 'done', message);
        ended({ ...job });
      },
      (err: unknown) => {
        const last = (err as { jobExtra?: JobExtra }).jobExtra;
        if (last) Object.assign(job, last);
        this.finish(job, abort.signal.aborted ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
        ended({ ...job });
      },
    );
    this.publish({ ...job });
    return { ...job };
  }

  cancel(id: string): boolean {
    const entry = this.running.get(id);
    if (!entry) return false;
    entry.abort.abort();
    return true;
  }

  /** Cancels every job of a collection, e.g. before it closes or is dropped, and waits for none: jobs stop at their next batch. */
  cancelFor(collection: string): void {
    for (const { job, abort } of this.running.values()) if (job.collection === collection) abort.abort();
  }

  /** The live progress object of a running job (for the web server's upload and download routes). */
  lookup(id: string): { job: JobProgress; signal: AbortSignal; ended: Promise<JobProgress> } | undefined {
    const entry = this.running.get(id);
    return entry && { job: entry.job, signal: entry.abort.signal, ended: entry.ended };
  }

  cancelAll(): void {
    for (const { abort } of this.running.values()) abort.abort();
  }

  private finish(job: JobProgress, state: JobProgress['state'], message: string): void {
    job.state = state;
    job.message = message;
    job.finishedAt = Date.now();
    this.running.delete(job.id);
    this.publish({ ...job });
  }
}
