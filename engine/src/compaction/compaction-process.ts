import { StorageError } from '../errors.js';
import type { CompactionLauncher, CompactionWorker } from './launcher.js';
import type { CompactionJob, CompactionResult, FromWorker } from './protocol.js';
import type { MergeProgress } from './merge.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

interface Running {
  id: number;
  resolve: (r: CompactionResult) => void;
  reject: (e: unknown) => void;
  onProgress: (p: MergeProgress) => void;
}

/**
 * The parent's handle on one compaction worker process: starts it on first
 * use, sends it one job at a time, and turns an unexpected exit into a
 * rejected job. Restarting (with backoff) is the scheduler's decision.
 */
export class CompactionProcess {
  private worker: CompactionWorker | undefined;
  private ready: Promise<void> | undefined;
  private running: Running | undefined;
  private exited: Promise<void> | undefined;
  starts = 0;

  constructor(private readonly launcher: CompactionLauncher) {}

  get pid(): number | undefined {
    return this.worker?.pid;
  }

  async run(job: CompactionJob, onProgress: (p: MergeProgress) => void): Promise<CompactionResult> {
    if (this.running) throw new Error('a compaction is already running in this worker');
    const worker = this.ensureWorker();
    // The idle worker does not keep the event loop alive (see CompactionWorker.keepAlive);
    // a job in flight must, or `await compact()` could end the program mid-merge.
    const hold = setInterval(() => {}, 60_000);
    const result = new Promise<CompactionResult>((resolve, reject) => {
      this.running = { id: job.id, resolve, reject, onProgress };
    });
    void result.then(
      () => clearInterval(hold),
      () => clearInterval(hold),
    );
    try {
      await this.ready;
    } catch (err) {
      this.settle((r) => r.reject(err));
    }
    if ((this.running as Running | undefined)?.id === job.id) worker.send({ type: 'compact', job });
    return result;
  }

  /** Starts the worker now if it is not running, so a later job does not wait for the spawn. */
  warmUp(): void {
    this.ensureWorker();
  }

  /** Ends the worker; a running job is rejected (cancelled), its partial outputs are the caller's to remove. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = this.exited;
    // An unreferenced worker's exit does not keep the event loop alive, so hold it
    // open with a timer until the exit is seen (bounded, in case it never is).
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
    worker.kill();
    await Promise.race([exited, giveUp]);
    clearTimeout(timer);
  }

  private ensureWorker(): CompactionWorker {
    if (this.worker !== undefined) return this.worker;
    const worker = this.launcher();
    this.worker = worker;
    this.starts++;
    worker.keepAlive?.(false);
    let markReady!: () => void;
    let failReady!: (e: unknown) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // run() awaits it and reports a failure; this only marks it handled until then.
    this.ready.catch(() => {});
    const readyTimeout = setTimeout(() => {
      failReady(
        new StorageError('IO_ERROR', `compaction worker (pid ${worker.pid ?? '?'}) did not start within ${READY_TIMEOUT_MS / 1000} s`),
      );
      worker.kill();
    }, READY_TIMEOUT_MS);
    readyTimeout.unref();
    void this.ready.then(
      () => clearTimeout(readyTimeout),
      () => clearTimeout(readyTimeout),
    );
    this.exited = new Promise<void>((resolve) => {
      worker.onExit((code, signal) => {
        if (this.worker === worker) this.worker = undefined;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const err = new StorageError('IO_ERROR', `compaction worker (pid ${worker.pid ?? '?'}) ${how}`);
        failReady(err);
        this.settle((r) => r.reject(err));
        resolve();
      });
    });
    worker.onMessage((m: FromWorker) => {
      if (m.type === 'ready') markReady();
      else if (m.type === 'progress') {
        if (this.running?.id === m.id) this.running.onProgress(m);
      } else if (m.type === 'done') {
        if (this.running?.id === m.result.id) this.settle((r) => r.resolve(m.result));
      } else if (m.type === 'failed') {
        if (this.running?.id === m.id)
          this.settle((r) => r.reject(new StorageError(m.code === 'CORRUPTION' ? 'CORRUPTION' : 'IO_ERROR', m.message)));
      }
    });
    return worker;
  }

  private settle(how: (r: Running) => void): void {
    const r = this.running;
    this.running = undefined;
    if (r) how(r);
  }
}
