import { ioError, StorageError } from '../errors.js';
import type { CompactionHost, CompactionReport, Compactor, KeyBounds } from '../db/compactor.js';
import type { CompactionStartEvent } from '../events/events.js';
import { levelTargetBytes } from '../options/options.js';
import { compareKeys } from '../util/key-order.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import { checkInputs } from './check-inputs.js';
import { endEvent, errorEvent, moveEndEvent, progressEvent, runningStats, startEvent } from './compaction-events.js';
import { CompactionProcess } from './compaction-process.js';
import type { CompactionLauncher } from './launcher.js';
import type { MergeProgress } from './merge.js';
import { levelScores, pickCompaction, pickManual, span, sumBytes, type PickedCompaction } from './picker.js';
import type { CompactionJob, CompactionResult } from './protocol.js';

/** The compaction in flight: its start event (which the others are built from) and how far it has got. */
interface Running {
  start: CompactionStartEvent;
  /** performance.now() at the start, for durations. */
  started: number;
  progress: MergeProgress;
}

const NO_PROGRESS: MergeProgress = { bytesRead: 0, bytesWritten: 0, entriesRead: 0 };

const MAX_BACKOFF_MS = 10_000;
/** About 25 s of retries (0.1 + 0.2 + … + 10 s) before a persistent failure fails the collection. */
const MAX_CONSECUTIVE_FAILURES = 9;

/**
 * Decides when to compact and runs one compaction at a time in the worker
 * process. The parent picks inputs and pre-assigns output file numbers; the
 * worker merges; the parent installs the result as one manifest edit that
 * deletes exactly the inputs and adds the outputs, so files flushed meanwhile
 * are untouched. Failed jobs have their outputs removed and are retried with
 * exponential backoff on a restarted worker.
 */
export class CompactionScheduler implements Compactor {
  private readonly process: CompactionProcess;
  private busy: Promise<void> | undefined;
  private manualWaiting = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  private nextJobId = 1;
  private running: Running | undefined;
  private readonly levelBytesRead: number[];
  private readonly levelBytesWritten: number[];
  /** Compactions finished, trivial moves included. */
  private completed = 0;
  private errors = 0;
  private lastError: string | undefined;
  private bytesWritten = 0;

  constructor(
    private readonly host: CompactionHost,
    launcher: CompactionLauncher,
  ) {
    this.process = new CompactionProcess(launcher);
    const levels = host.versions.current.levels.length;
    this.levelBytesRead = new Array(levels).fill(0);
    this.levelBytesWritten = new Array(levels).fill(0);
  }

  /**
   * Starts the worker ahead of need once tables exist, so its start-up (a
   * process spawn) is not paid while L0 is already at its trigger.
   */
  prepare(): void {
    if (this.host.acceptingWork() && this.host.options.autoCompaction) this.process.warmUp();
  }

  /** Starts an automatic compaction if one is due and nothing else is running. */
  maybeSchedule(): void {
    const host = this.host;
    if (!host.acceptingWork() || !host.options.autoCompaction || this.busy || this.retryTimer || this.manualWaiting > 0) return;
    const picked = pickCompaction(host.versions.current, host.options, host.versions.compactPointers);
    if (picked === undefined) return;
    this.busy = this.execute(picked)
      .catch(() => {
        // execute() reported the failure already, through compaction-error, stats and a retry or fail().
      })
      .finally(() => {
        this.busy = undefined;
        this.maybeSchedule();
      });
  }

  /**
   * Compacts every level's files overlapping `bounds` down into the next
   * level, level by level, until the data sits in the deepest level that holds
   * any: afterwards L0 has no file in range and tombstones there are dropped.
   */
  async compactRange(bounds: KeyBounds): Promise<void> {
    this.manualWaiting++;
    try {
      while (this.busy) await this.busy;
      const levels = this.host.versions.current.levels;
      let deepest = 0;
      levels.forEach((files, level) => {
        if (files.length > 0) deepest = level;
      });
      for (let level = 0; level < Math.max(deepest, 1); level++) {
        if (!this.host.acceptingWork()) throw new StorageError('CLOSED', 'collection closed during compaction');
        const picked = pickManual(this.host.versions.current, level, bounds);
        if (picked === undefined) continue;
        const run = this.execute(picked);
        // Automatic runs wait on this only to know when the manual one is over; its outcome is awaited below.
        this.busy = run.then(
          () => {},
          () => {},
        );
        try {
          await run;
        } finally {
          this.busy = undefined;
        }
      }
    } finally {
      this.manualWaiting--;
      this.maybeSchedule();
    }
  }

  /** Ends the worker, cancelling a running job (its outputs are removed), and waits for it to settle. */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.process.stop();
    await this.busy?.catch(() => {
      // A cancelled job's failure is reported by execute(); stopping only waits for it to settle.
    });
  }

  report(): CompactionReport {
    const scores = levelScores(this.host.versions.current, this.host.options);
    const running = this.running;
    return {
      status: {
        running: running && runningStats(running.start, running.progress, performance.now() - running.started),
        pendingBytes: this.pendingBytes(),
        errors: this.errors,
        lastError: this.lastError,
        workerPid: this.process.pid,
        workerStarts: this.process.starts,
      },
      levels: scores.map((score, level) => ({
        score,
        bytesRead: this.levelBytesRead[level],
        bytesWritten: this.levelBytesWritten[level],
      })),
      completed: this.completed,
      bytesWritten: this.bytesWritten,
    };
  }

  /** Bytes that compaction must still rewrite to bring every level under its target. */
  private pendingBytes(): number {
    const { levels } = this.host.versions.current;
    let pending = levels[0].length >= this.host.options.level0CompactionTrigger ? sumBytes(levels[0]) : 0;
    for (let level = 1; level < levels.length - 1; level++) {
      pending += Math.max(0, sumBytes(levels[level]) - levelTargetBytes(level, this.host.options));
    }
    return pending;
  }

  private async execute(picked: PickedCompaction): Promise<void> {
    const host = this.host;
    try {
      checkInputs(picked, host.versions.current, host.directory);
    } catch (err) {
      host.fail(err as StorageError);
      throw err;
    }
    if (this.isTrivialMove(picked)) return this.move(picked);
    const job = this.buildJob(picked);
    const started = performance.now();
    const start = startEvent(job.id, picked, Date.now(), false);
    const running: Running = { start, started, progress: NO_PROGRESS };
    this.running = running;
    host.emit('compaction-start', start);
    let result: CompactionResult;
    try {
      result = await this.process.run(job, (p) => {
        running.progress = p;
        host.emit('compaction-progress', progressEvent(start, p, performance.now() - started));
      });
    } catch (err) {
      this.running = undefined;
      // Outputs of a failed or cancelled job are garbage; the worker may have died before removing them.
      for (const id of job.outputIds) {
        const path = pathIn(host.directory, tableFileName(id));
        await host.fs.remove(path).catch((e: unknown) => host.warn('remove an output of a failed compaction', path, e));
      }
      this.reportFailure(start, err, started);
      throw err;
    }
    // Installing the result is the one step that changes the file set: a single manifest edit.
    // From here on the outputs are live and must never be removed, whatever happens next.
    const deleted = job.inputs.flatMap((i) => i.files.map((f) => ({ level: i.level, id: f.id })));
    try {
      await host.versions.logAndApply({
        deleted,
        added: result.outputs,
        compactPointers: picked.compactPointer ? { [picked.compactPointer.level]: picked.compactPointer.key } : undefined,
      });
    } catch (err) {
      this.running = undefined;
      // The edit may or may not be durable: keep the outputs (recovery removes them if the
      // manifest does not list them) and stop taking writes.
      const e = err instanceof StorageError ? err : ioError('install compaction', host.directory, err);
      host.fail(e);
      this.reportFailure(start, e, started);
      throw e;
    }
    this.running = undefined;
    this.consecutiveFailures = 0;
    this.completed++;
    this.bytesWritten += result.bytesWritten;
    for (const i of job.inputs) this.levelBytesRead[i.level] += sumBytes(i.files);
    this.levelBytesWritten[picked.outputLevel] += result.bytesWritten;
    host.installed(
      endEvent(start, result, performance.now() - started),
      deleted.map((d) => d.id),
    );
  }

  /**
   * Records a failed job and decides what follows: corruption fails the
   * collection; other errors are retried with exponential backoff, but after
   * MAX_CONSECUTIVE_FAILURES in a row the collection fails too, so writers
   * waiting at the L0 stop trigger get an error instead of waiting forever.
   */
  private reportFailure(start: CompactionStartEvent, err: unknown, started: number): void {
    const host = this.host;
    const cancelled = !host.acceptingWork();
    const message = (err as Error)?.message ?? String(err);
    let retryInMs: number | undefined;
    if (!cancelled) {
      this.errors++;
      this.lastError = message;
      this.consecutiveFailures++;
      if (err instanceof StorageError && err.code === 'CORRUPTION') host.fail(err);
      else if (this.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
        host.fail(new StorageError('IO_ERROR', `compaction failed ${this.consecutiveFailures} times in a row (last: ${message})`));
      } else {
        retryInMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.consecutiveFailures - 1));
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.maybeSchedule();
        }, retryInMs);
        this.retryTimer.unref();
      }
    }
    host.emit('compaction-error', errorEvent(start, { message, cancelled, retryInMs }, performance.now() - started));
  }

  /**
   * LevelDB's trivial move: when the inputs do not overlap each other or
   * anything in the next level (typical of sequential loads), and would not
   * overlap too much of the level after that, the files are moved down by a
   * manifest edit alone instead of being rewritten.
   */
  private isTrivialMove(picked: PickedCompaction): boolean {
    const [upper, lower] = picked.inputs;
    if (lower.files.length > 0 || upper.files.length === 0) return false;
    // A moved file carries its tombstones past the merge that could drop them, possibly into
    // the bottom level where nothing would ever rewrite them: only tombstone-free files move.
    if (upper.files.some((f) => f.tombstones > 0)) return false;
    const sorted = [...upper.files].sort((a, b) => compareKeys(a.minKey, b.minKey));
    for (let i = 1; i < sorted.length; i++) if (compareKeys(sorted[i].minKey, sorted[i - 1].maxKey) <= 0) return false;
    const [lo, hi] = span(sorted);
    const grandparents = this.host.versions.current.levels[picked.outputLevel + 1] ?? [];
    const overlap = sumBytes(grandparents.filter((f) => compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0));
    return overlap <= 10 * this.host.options.targetFileBytes;
  }

  private async move(picked: PickedCompaction): Promise<void> {
    const host = this.host;
    const files = picked.inputs[0].files;
    const started = performance.now();
    const start = startEvent(this.nextJobId++, picked, Date.now(), true);
    host.emit('compaction-start', start);
    try {
      await host.versions.logAndApply({
        deleted: files.map((f) => ({ level: picked.level, id: f.id })),
        added: files.map((f) => ({ ...f, level: picked.outputLevel })),
        compactPointers: picked.compactPointer ? { [picked.compactPointer.level]: picked.compactPointer.key } : undefined,
      });
    } catch (err) {
      const e = err instanceof StorageError ? err : ioError('install compaction', host.directory, err);
      host.fail(e);
      throw e;
    }
    this.completed++;
    host.installed(moveEndEvent(start, files, performance.now() - started), []);
  }

  private buildJob(picked: PickedCompaction): CompactionJob {
    const host = this.host;
    const { levels } = host.versions.current;
    const all = picked.inputs.flatMap((i) => i.files);
    const [lo, hi] = span(all);
    const inRange = (f: { minKey: string; maxKey: string }) => compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0;
    const grandparents = (levels[picked.outputLevel + 1] ?? [])
      .filter(inRange)
      .map((f) => ({ minKey: f.minKey, maxKey: f.maxKey, bytes: f.bytes }));
    const deeperSpans = levels
      .slice(picked.outputLevel + 1)
      .map((files) => files.filter(inRange).map((f) => ({ minKey: f.minKey, maxKey: f.maxKey })));
    const maxGrandparentOverlapBytes = 10 * host.options.targetFileBytes;
    const inputBytes = sumBytes(all);
    // Numbers are only a counter: reserving generously costs nothing and can never run short.
    const outputCount =
      2 *
        (Math.ceil(inputBytes / host.options.targetFileBytes) +
          Math.ceil(grandparents.reduce((n, g) => n + g.bytes, 0) / maxGrandparentOverlapBytes)) +
      4;
    const outputIds = Array.from({ length: outputCount }, () => host.versions.newFileNumber());
    return {
      id: this.nextJobId++,
      directory: host.directory,
      reason: picked.reason,
      inputs: picked.inputs,
      outputLevel: picked.outputLevel,
      outputIds,
      deeperSpans,
      grandparents,
      targetFileBytes: host.options.targetFileBytes,
      maxGrandparentOverlapBytes,
      blockBytes: host.options.blockBytes,
      bloomBitsPerKey: host.options.bloomBitsPerKey,
      compression: host.options.compression,
    };
  }
}
