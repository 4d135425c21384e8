import { Worker } from 'node:worker_threads';
import { StorageError, type StorageErrorCode } from '../errors.js';
import type { TableBuilderOptions } from '../table/table-builder.js';
import type { TableSummary } from '../version/table-summary.js';
import type { Level0Expectation } from './flush.js';

/** One flush for the thread: writeLevel0TableFromWal's arguments. */
export interface FlushJob {
  dir: string;
  walPath: string;
  id: number;
  options: TableBuilderOptions;
  expected: Level0Expectation;
}

/** Runs a flush elsewhere and resolves with the table's metadata once it is durable. */
export type FlushRunner = (job: FlushJob) => Promise<TableSummary>;

/**
 * The thread failed, not the flush: it could not start, or it died with the
 * job in flight. The WAL is untouched, so the flush can be done elsewhere.
 */
export class FlushThreadStopped extends StorageError {
  constructor(message: string, cause: unknown) {
    super('IO_ERROR', message, { cause });
    this.name = 'FlushThreadStopped';
  }
}

export type FlushRequest = FlushJob & { job: number };
export type FlushReply = { job: number; meta: TableSummary } | { job: number; code: StorageErrorCode; message: string };

const self = import.meta.url;
const runningFromSource = self.endsWith('.ts');
/**
 * A small young generation: what a flush allocates is either reused from
 * flush to flush or short-lived, and V8's default lets a busy worker's heap
 * grow to ~50 MiB of mostly garbage before it collects.
 */
const LIMITS = { maxYoungGenerationSizeMb: 4 };

const workerUrl = new URL(runningFromSource ? './flush-worker.ts' : './flush-worker.js', self);

/**
 * The flush thread: a worker_threads Worker, one per process and shared by
 * every collection, that builds L0 tables from WALs. Building a table
 * (block encoding, Snappy, bloom filter, checksums) was over a third of the
 * main thread's time under bulk writes; on another core it overlaps with
 * taking the next writes. Started at the first flush; it holds the event
 * loop open only while a job is in flight, so an idle one never keeps a
 * program from exiting. If it cannot start or dies, its jobs fail with
 * FlushThreadStopped (their collections then flush on their own thread)
 * and the next job starts a new one.
 */
class FlushThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (meta: TableSummary) => void; reject: (err: unknown) => void }>();
  private nextJob = 1;

  run(job: FlushJob): Promise<TableSummary> {
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      return Promise.reject(new FlushThreadStopped(`could not start the flush thread: ${(err as Error).message}`, err));
    }
    const id = this.nextJob++;
    return new Promise<TableSummary>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...job, job: id } satisfies FlushRequest);
    });
  }

  private start(): Worker {
    // Tests run the engine from TypeScript sources through tsx, whose loader
    // a worker does not inherit and (on Node 20) does not take from execArgv;
    // so from source, a small script registers it and then imports the worker.
    const worker = runningFromSource
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`, {
          eval: true,
          resourceLimits: LIMITS,
        })
      : new Worker(workerUrl, { resourceLimits: LIMITS });
    worker.on('message', (reply: FlushReply) => this.settle(worker, reply));
    worker.on('error', (err) => this.end(worker, err));
    worker.on('exit', (code) => this.end(worker, new Error(`it exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(worker: Worker, reply: FlushReply): void {
    const waiter = this.pending.get(reply.job);
    if (waiter === undefined) return;
    this.pending.delete(reply.job);
    if (this.pending.size === 0) worker.unref();
    if ('meta' in reply) waiter.resolve(reply.meta);
    else waiter.reject(new StorageError(reply.code, reply.message));
  }

  private end(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const failure = new FlushThreadStopped(`the flush thread stopped: ${err.message}`, err);
    for (const waiter of this.pending.values()) waiter.reject(failure);
    this.pending.clear();
  }
}

const thread = new FlushThread();

/** Runs `job` on the process's flush thread. */
export const flushOnThread: FlushRunner = (job) => thread.run(job);
