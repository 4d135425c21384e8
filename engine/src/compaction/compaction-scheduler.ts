import { ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { type CollectionOptions, levelTargetBytes } from '../options/options.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import type { VersionSet } from '../version/version-set.js';
import { CompactionProcess } from './compaction-process.js';
import type { CompactionLauncher } from './launcher.js';
import { type KeyBounds, levelScores, pickCompaction, pickManual, span, sumBytes, type PickedCompaction } from './picker.js';
import type { CompactionJob, CompactionResult } from './protocol.js';
import { compareKeys } from '../util/key-order.js';
import type { FileMeta } from '../version/file-meta.js';
import type {
  CompactionEndEvent,
  CompactionErrorEvent,
  CompactionInput,
  CompactionProgressEvent,
  CompactionStartEvent,
  TableOutput,
} from '../events/events.js';

/** What the scheduler needs from its collection. */
export interface CompactionHost {
  readonly fs: FileSystem;
  readonly directory: string;
  readonly options: CollectionOptions;
  readonly versions: VersionSet;
  /** False once the collection is closing or has failed: no new jobs, no retries. */
  acceptingWork(): boolean;
  emit(event: string, payload: unknown): void;
  fail(err: StorageError): void;
  /** Called after a compaction's edit is installed, with the input files it made obsolete. */
  installed(obsoleteIds: number[]): void;
}

export interface RunningCompaction {
  id: number;
  reason: string;
  level: number;
  outputLevel: number;
  score: number;
  inputs: CompactionInput[];
  inputTables: TableOutput[];
  inputBytes: number;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  /** Epoch ms. */
  startedAt: number;
}

/** A compaction's inputs as events and stats report them: per level, file numbers and bytes. */
function describeInputs(inputs: readonly { level: number; files: readonly FileMeta[] }[]): CompactionInput[] {
  return inputs.map((i) => ({ level: i.level, files: i.files.map((f) => f.id), bytes: sumBytes(i.files) }));
}

function describeInputTables(inputs: readonly { level: number; files: readonly FileMeta[] }[]): TableOutput[] {
  return inputs.flatMap((i) => describeOutputs(i.files, i.level));
}

function describeOutputs(files: readonly FileMeta[], level: number): TableOutput[] {
  return files.map((f) => ({ id: f.id, level, bytes: f.size, entries: f.entries, minKey: f.minKey, maxKey: f.maxKey }));
}

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
export class CompactionScheduler {
  private readonly process: CompactionProcess;
  private busy: Promise<void> | undefined;
  private manualWaiting = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  private nextJobId = 1;
  running: RunningCompaction | undefined;
  readonly levelBytesRead: number[];
  readonly levelBytesWritten: number[];
  compactions = 0;
  errors = 0;
  lastError: string | undefined;
  bytesWritten = 0;

  constructor(
    private readonly host: CompactionHost,
    launcher: CompactionLauncher,
  ) {
    this.process = new CompactionProcess(launcher);
    const levels = host.versions.current.levels.length;
    this.levelBytesRead = new Array(levels).fill(0);
    this.levelBytesWritten = new Array(levels).fill(0);
  }

  get workerPid(): number | undefined {
    return this.process.pid;
  }

  get workerStarts(): number {
    return this.process.starts;
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
      .catch(() => {}) // reported through events and stats by execute()
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
    await this.busy?.catch(() => {});
  }

  scores(): number[] {
    return levelScores(this.host.versions.current, this.host.options);
  }

  /** Bytes that compaction must still rewrite to bring every level under its target. */
  pendingBytes(): number {
    const { levels } = this.host.versions.current;
    let pending = levels[0].length >= this.host.options.level0CompactionTrigger ? sumBytes(levels[0]) : 0;
    for (let level = 1; level < levels.length - 1; level++) {
      pending += Math.max(0, sumBytes(levels[level]) - levelTargetBytes(level, this.host.options));
    }
    return pending;
  }

  private async execute(picked: PickedCompaction): Promise<void> {
    const host = this.host;
    if (this.isTrivialMove(picked)) return this.move(picked);
    const job = this.buildJob(picked);
    const started = performance.now();
    const inputs = describeInputs(job.inputs);
    const inputTables = describeInputTables(job.inputs);
    const running: RunningCompaction = {
      id: job.id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      score: picked.score,
      inputs,
      inputTables,
      inputBytes: job.inputs.reduce((n, i) => n + sumBytes(i.files), 0),
      bytesRead: 0,
      bytesWritten: 0,
      entriesRead: 0,
      startedAt: Date.now(),
    };
    this.running = running;
    const start: CompactionStartEvent = {
      id: job.id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      score: picked.score,
      inputs,
      inputTables,
      inputBytes: running.inputBytes,
      startedAt: running.startedAt,
    };
    host.emit('compaction-start', start);
    let result: CompactionResult;
    try {
      result = await this.process.run(job, (p) => {
        running.bytesRead = p.bytesRead;
        running.bytesWritten = p.bytesWritten;
        running.entriesRead = p.entriesRead;
        const progress: CompactionProgressEvent = {
          id: job.id,
          reason: picked.reason,
          level: picked.level,
          outputLevel: picked.outputLevel,
          bytesRead: p.bytesRead,
          bytesWritten: p.bytesWritten,
          entriesRead: p.entriesRead,
          inputBytes: running.inputBytes,
          progress: running.inputBytes === 0 ? 1 : Math.min(1, p.bytesRead / running.inputBytes),
          startedAt: running.startedAt,
          elapsedMs: performance.now() - started,
        };
        host.emit('compaction-progress', progress);
      });
    } catch (err) {
      this.running = undefined;
      // Outputs of a failed or cancelled job are garbage; the worker may have died before removing them.
      for (const id of job.outputIds) await host.fs.remove(pathIn(host.directory, tableFileName(id))).catch(() => {});
      this.reportFailure(job.id, picked, err, started, running.startedAt);
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
      this.reportFailure(job.id, picked, e, started, running.startedAt);
      throw e;
    }
    this.running = undefined;
    this.consecutiveFailures = 0;
    this.compactions++;
    this.bytesWritten += result.bytesWritten;
    for (const i of job.inputs) this.levelBytesRead[i.level] += sumBytes(i.files);
    this.levelBytesWritten[picked.outputLevel] += result.bytesWritten;
    const end: CompactionEndEvent = {
      id: job.id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      inputs,
      inputTables,
      inputBytes: running.inputBytes,
      outputs: result.outputs.map((f) => ({
        id: f.id,
        level: f.level,
        bytes: f.size,
        entries: f.entries,
        minKey: f.minKey,
        maxKey: f.maxKey,
      })),
      outputBytes: sumBytes(result.outputs),
      bytesRead: result.bytesRead,
      bytesWritten: result.bytesWritten,
      entriesRead: result.entriesRead,
      entriesWritten: result.entriesWritten,
      droppedEntries: result.droppedVersions + result.droppedTombstones,
      droppedVersions: result.droppedVersions,
      droppedTombstones: result.droppedTombstones,
      startedAt: running.startedAt,
      durationMs: performance.now() - started,
    };
    host.emit('compaction-end', end);
    host.installed(deleted.map((d) => d.id));
  }

  /**
   * Records a failed job and decides what follows: corruption fails the
   * collection; other errors are retried with exponential backoff, but after
   * MAX_CONSECUTIVE_FAILURES in a row the collection fails too, so writers
   * waiting at the L0 stop trigger get an error instead of waiting forever.
   */
  private reportFailure(id: number, picked: PickedCompaction, err: unknown, started: number, startedAt: number): void {
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
    const event: CompactionErrorEvent = {
      id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      message,
      cancelled,
      retryInMs,
      startedAt,
      durationMs: performance.now() - started,
    };
    host.emit('compaction-error', event);
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
    const id = this.nextJobId++;
    const files = picked.inputs[0].files;
    const bytes = sumBytes(files);
    const started = performance.now();
    const startedAt = Date.now();
    const inputs = describeInputs(picked.inputs);
    const inputTables = describeInputTables(picked.inputs);
    const start: CompactionStartEvent = {
      id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      score: picked.score,
      move: true,
      inputs,
      inputTables,
      inputBytes: bytes,
      startedAt,
    };
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
    this.compactions++;
    const end: CompactionEndEvent = {
      id,
      reason: picked.reason,
      level: picked.level,
      outputLevel: picked.outputLevel,
      move: true,
      inputs,
      inputTables,
      inputBytes: bytes,
      outputs: describeOutputs(files, picked.outputLevel),
      outputBytes: bytes,
      bytesRead: 0,
      bytesWritten: 0,
      entriesRead: 0,
      entriesWritten: 0,
      droppedEntries: 0,
      droppedVersions: 0,
      droppedTombstones: 0,
      startedAt,
      durationMs: performance.now() - started,
    };
    host.emit('compaction-end', end);
    host.installed([]);
  }

  private buildJob(picked: PickedCompaction): CompactionJob {
    const host = this.host;
    const { levels } = host.versions.current;
    const all = picked.inputs.flatMap((i) => i.files);
    const [lo, hi] = span(all);
    const inRange = (f: { minKey: string; maxKey: string }) => compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0;
    const grandparents = (levels[picked.outputLevel + 1] ?? [])
      .filter(inRange)
      .map((f) => ({ minKey: f.minKey, maxKey: f.maxKey, size: f.size }));
    const deeperSpans = levels
      .slice(picked.outputLevel + 1)
      .map((files) => files.filter(inRange).map((f) => ({ minKey: f.minKey, maxKey: f.maxKey })));
    const maxGrandparentOverlapBytes = 10 * host.options.targetFileBytes;
    const inputBytes = sumBytes(all);
    // Numbers are only a counter: reserving generously costs nothing and can never run short.
    const outputCount =
      2 *
        (Math.ceil(inputBytes / host.options.targetFileBytes) +
          Math.ceil(grandparents.reduce((n, g) => n + g.size, 0) / maxGrandparentOverlapBytes)) +
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
