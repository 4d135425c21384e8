import { ioError, StorageError } from '../errors.js';
import type { AppendableFile } from '../fs/file-system.js';
import { type BatchOp, batchRecordSize, encodeBatchRecordAt } from '../log/write-batch.js';

const YIELD_EVERY_MS = 2;

const SCRATCH_BYTES = 64 * 1024;
/** Larger groups get a buffer of their own, so one huge batch does not pin its size in memory. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

/** Above this, a group is split across commits. */
const MAX_GROUP_BYTES = 64 * 1024 * 1024;

/** Sync writes keep at least this much written space ahead of the WAL's end (extended 1 MiB at a time). */
const PREALLOCATE_AHEAD_BYTES = 512 * 1024;

/** A promise with its settle functions, made once per group rather than once per write. */
class Deferred {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Writes that will be appended with one write call. Every write of a group
 * gets the same promise: `written` for plain writes, `durable` for sync
 * writes; the group succeeds or fails as a whole, so one promise per kind
 * says all there is to say.
 */
interface Group {
  batches: BatchOp[][];
  /** Payload bytes (keys + values), for bounding a group. */
  bytes: number;
  written: Deferred | undefined;
  durable: Deferred | undefined;
}

interface SyncWaiter {
  wal: AppendableFile;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function payloadBytes(ops: readonly BatchOp[]): number {
  let bytes = 0;
  for (let i = 0; i < ops.length; i++) bytes += ops[i].keyBytes + ops[i].valueBytes;
  return bytes;
}

/** Schedules a callback right after the current synchronous code, cheaper than queueMicrotask (no AsyncResource). */
const RESOLVED = Promise.resolve();

export interface CommitTarget {
  /** The WAL that receives the next group. */
  readonly wal: AppendableFile;
  /** Resolves once the current WAL's directory entry is durable. */
  readonly walReady: Promise<void>;
  /** Every WAL of this session still holding writes that are in no table yet, oldest first; the current one last. */
  liveWals(): Iterable<AppendableFile>;
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
 * appended to the WAL with one write call, from a microtask that runs right
 * after the code that submitted them; they share one promise, so an awaited
 * put costs one promise and one write call and nothing more. Sync writes
 * then share fdatasync calls: while one is in flight, newcomers wait for the
 * next, which covers all of them.
 *
 * Ordering: sequence numbers are assigned in append order, and a batch is
 * applied to the memtable only after its record reached the OS, so a reader
 * never sees a write that could still be lost by a process crash.
 *
 * A sync write makes every write before it durable too, not only itself:
 * before the fdatasync of its WAL, every older WAL still live (its memtable
 * not yet flushed) that holds unsynced bytes is fdatasynced as well, as
 * RocksDB does. Recovery stops at the first gap in the logs (wal-replay.ts),
 * so without this a lost unsynced tail of an older WAL would take the sync
 * write down with it. With one live WAL, the usual case, it costs nothing.
 */
export class CommitQueue {
  /** Groups not yet appended, oldest first; the last one still takes writes. */
  private queue: Group[] = [];
  private scheduled = false;
  /** Records are encoded here, then appended; reused because append writes synchronously. */
  private scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private lastView: Buffer | undefined;
  private syncWaiters: SyncWaiter[] = [];
  private syncing: Promise<void> | undefined;
  private inFlight = new Set<AppendableFile>();
  /** Set once an fdatasync failed: no later sync write may be acknowledged. */
  private syncFailure: StorageError | undefined;
  /** Per preallocated WAL, the offset its last completed fdatasync covered (0 before the first). */
  private syncedEnds = new WeakMap<AppendableFile, number>();
  /** Per WAL, the size its last completed fdatasync covered; absent before the first. */
  private syncedSizes = new WeakMap<AppendableFile, number>();
  userBytesWritten = 0;
  walBytesWritten = 0;
  /** Write calls to the WAL and fdatasyncs of it: with group commit, far fewer than writes. */
  walWrites = 0;
  walSyncs = 0;

  private lastTurn = performance.now();
  private readonly commitNow = () => this.commit();

  constructor(private readonly target: CommitTarget) {}

  submit(ops: BatchOp[], sync: boolean): Promise<void> {
    const bytes = payloadBytes(ops);
    let group = this.queue.length === 0 ? undefined : this.queue[this.queue.length - 1];
    if (group === undefined || (group.bytes + bytes > MAX_GROUP_BYTES && group.batches.length > 0)) {
      group = { batches: [], bytes: 0, written: undefined, durable: undefined };
      this.queue.push(group);
    }
    group.batches.push(ops);
    group.bytes += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      // An awaited write loop is a chain of microtasks that would never let
      // timers, I/O or a background flush run. Every couple of milliseconds,
      // commit from setImmediate instead, so the event loop keeps turning.
      const now = performance.now();
      if (now - this.lastTurn < YIELD_EVERY_MS) void RESOLVED.then(this.commitNow);
      else {
        this.lastTurn = now;
        setImmediate(this.commitNow);
      }
    }
    if (sync) return (group.durable ??= new Deferred()).promise;
    return (group.written ??= new Deferred()).promise;
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
    const groups = this.queue;
    this.queue = [];
    for (const group of groups) {
      this.commitGroup(group);
      // Per group, so a memtable rotates before the next (possibly large) group lands in it.
      this.target.afterCommit();
    }
    if (this.syncWaiters.length > 0) this.syncing ??= this.runSyncs();
  }

  private commitGroup(group: Group): void {
    const target = this.target;
    if (target.failure !== undefined) return settle(group, target.failure);
    const wal = target.wal;
    const batches = group.batches;
    const first = target.lastSequence + 1;
    let sequence = first;
    let bytes = 0;
    if (group.durable !== undefined) this.preallocate(wal);
    // Damage before this offset is corruption (see write-batch.ts): by
    // default everything before the record, since an append to a file that is
    // not preallocated leaves no hole behind it; in preallocated space only
    // what was fdatasynced is sure to be on disk.
    const intactBefore = this.syncedEnds.get(wal);
    for (let i = 0; i < batches.length; i++) {
      bytes += batchRecordSize(batches[i], sequence, intactBefore);
      sequence += batches[i].length;
    }
    const buf = this.buffer(bytes);
    const before = wal.size;
    try {
      let pos = 0;
      sequence = first;
      for (let i = 0; i < batches.length; i++) {
        pos = encodeBatchRecordAt(batches[i], sequence, intactBefore, buf, pos);
        sequence += batches[i].length;
      }
      wal.append(this.view(buf, bytes));
    } catch (err) {
      return settle(group, this.undoAppend(wal, before, err));
    }
    target.lastSequence = sequence - 1;
    this.walBytesWritten += bytes;
    this.walWrites++;
    this.userBytesWritten += group.bytes;
    sequence = first;
    for (let i = 0; i < batches.length; i++) {
      target.apply(batches[i], sequence);
      sequence += batches[i].length;
    }
    group.written?.resolve();
    if (group.durable !== undefined) this.syncWaiters.push({ wal, resolve: group.durable.resolve, reject: group.durable.reject });
  }

  /**
   * Before sync writes: zeros ahead of the WAL's end, so their fdatasyncs
   * flush data only, not a new file size and block map (measured on ext4:
   * lone sync puts 2,953 -> 3,650/s, medians of 8). Only sync writes pay for
   * it; bulk loads never sync.
   * A failure (say ENOSPC) costs only the speed-up: the append that follows
   * reports its own error if the disk really is full.
   */
  private preallocate(wal: AppendableFile): void {
    try {
      // Marked first: after a partial failure some zeros may be there already.
      if (!this.syncedEnds.has(wal)) this.syncedEnds.set(wal, 0);
      wal.preallocate(PREALLOCATE_AHEAD_BYTES);
    } catch {
      // See above: nothing was promised on it.
    }
  }

  /** A buffer of at least `bytes`: the reused scratch, or a one-off for a big group. */
  private buffer(bytes: number): Buffer {
    if (bytes <= this.scratch.length) return this.scratch;
    return bytes <= MAX_SCRATCH_BYTES
      ? (this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2)))
      : Buffer.allocUnsafe(bytes);
  }

  /** buf[0, bytes), reusing the last view: records of one size, as in a bulk load, need no new Buffer object. */
  private view(buf: Buffer, bytes: number): Buffer {
    if (bytes === buf.length) return buf;
    const last = this.lastView;
    if (last !== undefined && last.length === bytes && last.buffer === buf.buffer && last.byteOffset === buf.byteOffset) return last;
    return (this.lastView = buf.subarray(0, bytes));
  }

  /** Cuts a failed append back off the WAL; returns the error to report for it. */
  private undoAppend(wal: AppendableFile, before: number, err: unknown): StorageError {
    const error = ioError('append to write-ahead log', wal.path, err);
    try {
      wal.truncate(before);
    } catch (undoErr) {
      // The WAL may now end in a partial record; appending after it would turn a torn tail into mid-file corruption.
      this.target.fail(ioError('undo a failed append to write-ahead log', wal.path, undoErr));
    }
    return error;
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
      const files = this.walsToSync(waiters);
      this.inFlight = files;
      try {
        await this.target.walReady;
        for (const f of files) {
          const end = f.size;
          await f.sync();
          this.walSyncs++;
          this.syncedSizes.set(f, end);
          // Only preallocated WALs make claims (see commitGroup); an older WAL synced for a later write may not be one.
          if (this.syncedEnds.has(f) && end > this.syncedEnds.get(f)!) this.syncedEnds.set(f, end);
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

  /**
   * The WALs of these waiters and, before them, every older live WAL with
   * bytes not yet synced, oldest first. A waiter's WAL may have left the
   * live list (its flush finished meanwhile); it is still synced, last.
   */
  private walsToSync(waiters: readonly SyncWaiter[]): Set<AppendableFile> {
    const own = new Set<AppendableFile>();
    for (const w of waiters) own.add(w.wal);
    const files = new Set<AppendableFile>();
    let remaining = own.size;
    for (const f of this.target.liveWals()) {
      if (remaining === 0) break; // newer than every waiter's WAL: nothing of theirs to cover
      if (own.has(f)) {
        files.add(f);
        remaining--;
      } else if (f.size > (this.syncedSizes.get(f) ?? 0)) files.add(f);
    }
    for (const f of own) files.add(f);
    return files;
  }
}

/** Fails every write of a group that was not appended. */
function settle(group: Group, err: unknown): void {
  group.written?.reject(err);
  group.durable?.reject(err);
}
