import { ioError, StorageError } from '../errors.js';
import type { AppendableFile } from '../fs/file-system.js';
import { type BatchOp, encodeBatchRecord } from '../log/write-batch.js';

const YIELD_EVERY_MS = 2;

/** Above this, a group is split across commits. */
const MAX_GROUP_BYTES = 64 * 1024 * 1024;

interface PendingWrite {
  /** Payload bytes (keys + values), for bounding a group. */
  bytes: number;
  ops: BatchOp[];
  sync: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface CommitTarget {
  /** The WAL that receives the next group. */
  readonly wal: AppendableFile;
  /** Resolves once the current WAL's directory entry is durable. */
  readonly walReady: Promise<void>;
  lastSequence: number;
  /** Set once the collection refuses writes (a failed fsync, flush or undo). */
  readonly failure: StorageError | undefined;
  /** Applies a committed batch to the memtable. */
  apply(ops: BatchOp[], firstSequence: number): void;
  /** Called after each group; may rotate the memtable. */
  afterCommit(): void;
  /** Puts the collection into its failed state; later writes are refused with this error. */
  fail(err: StorageError): void;
}

/**
 * Group commit. Writes submitted in the same turn of the event loop are
 * appended to the WAL with one write call (process.nextTick runs after the
 * current microtasks, so writers resumed together join one group). Sync
 * writes then share fdatasync calls: while one is in flight, newcomers wait
 * for the next, which covers all of them.
 *
 * Ordering: sequence numbers are assigned in append order, and a batch is
 * applied to the memtable only after its record reached the OS, so a reader
 * never sees a write that could still be lost by a process crash.
 */
export class CommitQueue {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private syncWaiters: { wal: AppendableFile; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private syncing: Promise<void> | undefined;
  private inFlight = new Set<AppendableFile>();
  /** Set once an fdatasync failed: no later sync write may be acknowledged. */
  private syncFailure: StorageError | undefined;
  userBytesWritten = 0;
  walBytesWritten = 0;
  /** Write calls to the WAL and fdatasyncs of it: with group commit, far fewer than writes. */
  walWrites = 0;
  walSyncs = 0;

  private lastTurn = performance.now();
  private readonly commitNow = () => this.commit();

  constructor(private readonly target: CommitTarget) {}

  submit(ops: BatchOp[], sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let bytes = 0;
      for (const op of ops) bytes += op.keyBytes + op.valueBytes;
      this.pending.push({ ops, sync, resolve, reject, bytes });
      if (!this.scheduled) {
        this.scheduled = true;
        // An awaited write loop is a chain of microtasks that would never let
        // timers, I/O or a background flush run. Every couple of milliseconds,
        // commit from setImmediate instead, so the event loop keeps turning.
        const now = performance.now();
        if (now - this.lastTurn < YIELD_EVERY_MS) process.nextTick(this.commitNow);
        else {
          this.lastTurn = now;
          setImmediate(this.commitNow);
        }
      }
    });
  }

  /** Resolves once no pending or running fsync still involves `file`, so it can be closed. */
  async settle(file: AppendableFile): Promise<void> {
    // Pending groups always go to the current WAL, never a retired one, so only syncs matter here.
    while (this.syncWaiters.some((w) => w.wal === file) || this.inFlight.has(file)) {
      if (this.syncing) await this.syncing;
      else await new Promise((r) => setImmediate(r));
    }
  }

  /** Resolves when no group or fsync is in flight. */
  async idle(): Promise<void> {
    while (this.scheduled || this.syncing !== undefined) {
      if (this.syncing) await this.syncing;
      else await new Promise((r) => setImmediate(r));
    }
  }

  private commit(): void {
    this.scheduled = false;
    let group = this.pending;
    this.pending = [];
    // Bound one group's bytes (so one WAL never outgrows what recovery can read back
    // in one piece); whatever is left over commits next, in order.
    let groupBytes = 0;
    const cut = group.findIndex((w, i) => (groupBytes += w.bytes) > MAX_GROUP_BYTES && i > 0);
    if (cut > 0) {
      this.pending = group.slice(cut);
      group = group.slice(0, cut);
      this.scheduled = true;
      setImmediate(this.commitNow);
    }
    const target = this.target;
    if (target.failure !== undefined) {
      for (const w of group) w.reject(target.failure);
      return;
    }
    const wal = target.wal;
    let sequence = target.lastSequence;
    const records: Buffer[] = [];
    const firsts: number[] = [];
    let bytes = 0;
    const before = wal.size;
    try {
      for (const w of group) {
        firsts.push(sequence + 1);
        const record = encodeBatchRecord(w.ops, sequence + 1);
        sequence += w.ops.length;
        records.push(record);
        bytes += record.length;
      }
      if (records.length === 1) wal.append(records[0]);
      else wal.append(Buffer.concat(records, bytes));
    } catch (err) {
      const error = ioError('append to write-ahead log', wal.path, err);
      try {
        wal.truncate(before);
      } catch (undoErr) {
        // The WAL may now end in a partial record; appending after it would turn a torn tail into mid-file corruption.
        target.fail(ioError('undo a failed append to write-ahead log', wal.path, undoErr));
      }
      for (const w of group) w.reject(error);
      return;
    }
    target.lastSequence = sequence;
    this.walBytesWritten += bytes;
    this.walWrites++;
    for (let i = 0; i < group.length; i++) {
      const w = group[i];
      target.apply(w.ops, firsts[i]);
      for (const op of w.ops) this.userBytesWritten += op.keyBytes + op.valueBytes;
      if (w.sync) this.syncWaiters.push({ wal, resolve: w.resolve, reject: w.reject });
      else w.resolve();
    }
    if (this.syncWaiters.length > 0 && this.syncing === undefined) this.syncing = this.runSyncs();
    target.afterCommit();
  }

  private async runSyncs(): Promise<void> {
    while (this.syncWaiters.length > 0) {
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      if (this.syncFailure !== undefined) {
        // These records were appended before an earlier fdatasync failed: a later
        // fdatasync that succeeds proves nothing about them (the failed pages may be gone).
        for (const w of waiters) w.reject(this.syncFailure);
        continue;
      }
      const files = new Set(waiters.map((w) => w.wal));
      this.inFlight = files;
      try {
        await this.target.walReady;
        for (const f of files) {
          await f.sync();
          this.walSyncs++;
        }
        for (const w of waiters) w.resolve();
      } catch (err) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing
        // written since the last good sync can be trusted, so stop taking writes.
        const error = ioError('fdatasync of write-ahead log', [...files].map((f) => f.path).join(', '), err);
        this.syncFailure = error;
        this.target.fail(error);
        for (const w of waiters) w.reject(error);
      }
    }
    this.inFlight = new Set();
    this.syncing = undefined;
  }
}
