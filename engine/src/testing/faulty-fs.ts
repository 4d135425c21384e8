/**
 * A FileSystem that wraps the real one (NodeFileSystem by default) and fails
 * chosen calls, so tests can check what the engine does when the disk is full
 * (ENOSPC) or broken (EIO).
 *
 *   const fs = new FaultyFileSystem();
 *   fs.fail({ op: 'append', path: /\.log$/, code: 'ENOSPC', nth: 1 });       // the next WAL append
 *   fs.fail({ op: 'append', path: /\.log$/, partialBytes: 7 });             // every WAL append, after 7 bytes
 *   fs.fail({ op: 'sync', path: /MANIFEST/, code: 'EIO' });                 // every manifest fdatasync
 *   fs.fail({ op: 'writeFileAtomic', path: /CURRENT$/, after: true });     // takes effect, then reports failure
 *   fs.slow({ op: 'remove', path: /\.log$/, delayMs: 20 });                // slow disk: succeeds, late
 *   fs.calls('sync', /\.log$/)                                               // how many WAL fdatasyncs so far
 *
 * A rule matches calls of its `op` whose path matches `path` (for rename,
 * either path). It counts its matching calls from the moment it is added and
 * fails the `nth` of them (and the `times - 1` after it), or every matching
 * call when `nth` is not given. Faults throw (synchronous operations) or
 * reject (asynchronous ones) with an Error shaped like Node's: `code`,
 * `errno`, `syscall` and (except for operations on an open file, whose Node
 * errors do not name it) `path` are set. Every call is logged in `log`.
 */
import { NodeFileSystem } from '../fs/node-fs.js';
import type { AppendableFile, FileSystem, ReadableFile } from '../fs/file-system.js';

/** FileSystem methods, plus the methods of the files it opens. */
export type FsOperation =
  | 'create'
  | 'openAppend'
  | 'openRead'
  | 'readFile'
  | 'writeFileAtomic'
  | 'rename'
  | 'remove'
  | 'removeTree'
  | 'mkdir'
  | 'readdir'
  | 'exists'
  | 'syncDir'
  | 'createExclusive'
  // AppendableFile
  | 'append'
  | 'truncate'
  | 'preallocate'
  | 'sync'
  | 'close'
  // ReadableFile
  | 'read';

export type ErrnoCode = 'ENOSPC' | 'EIO' | 'EROFS' | 'EDQUOT' | 'EACCES' | 'EMFILE' | 'ENOENT' | 'EEXIST' | (string & {});

export interface FaultRule {
  op: FsOperation;
  /** Only calls on matching paths; a string matches as a substring. Default: every path. */
  path?: RegExp | string;
  /** Fail the nth matching call (1-based) counted from when the rule was added. Default: every matching call. */
  nth?: number;
  /** With `nth`: how many consecutive matching calls fail, starting at the nth. Default 1. */
  times?: number;
  /** The errno code of the injected error. Default 'EIO'. */
  code?: ErrnoCode;
  /**
   * append only: write this many bytes of the data (at most all but one) and
   * then fail, like a short write followed by an error.
   */
  partialBytes?: number;
  /**
   * Asynchronous operations only: perform the real operation and then report
   * the failure, like an fsync of the directory failing after a rename.
   */
  after?: boolean;
  /** Asynchronous operations only: wait this long before failing, so other work can pile up behind the call. */
  delayMs?: number;
}

/** A slow-disk rule (see FaultyFileSystem.slow): matching calls succeed, late. */
export interface SlowRule {
  op: FsOperation;
  path?: RegExp | string;
  nth?: number;
  times?: number;
  delayMs: number;
}

/** A rule as added: counts what it matched and failed; `remove()` disarms it. */
export interface Fault {
  readonly rule: Readonly<FaultRule>;
  /** Matching calls seen since the rule was added. */
  readonly matched: number;
  /** Calls this rule failed. */
  readonly failed: number;
  remove(): void;
}

/** One call seen by the file system, for assertions and failure reports. */
export interface CallRecord {
  op: FsOperation;
  path: string;
  /** The errno code if the call was failed by a rule. */
  failed?: string;
}

const ERRNO: Record<string, number> = { ENOSPC: -28, EIO: -5, EROFS: -30, EDQUOT: -122, EACCES: -13, EMFILE: -24, ENOENT: -2, EEXIST: -17 };

/** Operations that the FileSystem interface makes synchronous. */
const SYNC_OPERATIONS = new Set<FsOperation>(['create', 'openAppend', 'openRead', 'append', 'truncate', 'preallocate', 'read']);

/** Operations on an open file descriptor: like Node's, their errors do not name the file. */
const FD_OPERATIONS = new Set<FsOperation>(['append', 'truncate', 'preallocate', 'sync', 'close', 'read']);

/**
 * An error shaped like the one Node would throw. Errors of descriptor
 * operations (write, fdatasync, ...) carry no path, as in Node, so tests see
 * whether the engine names the file itself.
 */
export function injectedError(code: string, op: FsOperation, path: string): NodeJS.ErrnoException {
  const byFd = FD_OPERATIONS.has(op);
  const err = new Error(`${code}: injected fault, ${op}${byFd ? '' : ` '${path}'`}`) as NodeJS.ErrnoException;
  err.code = code;
  err.errno = ERRNO[code] ?? -5;
  err.syscall = op;
  if (!byFd) err.path = path;
  return err;
}

type StoredRule = FaultRule & { slowOnly?: boolean };

class FaultState implements Fault {
  matched = 0;
  /** Calls this rule failed (for a slow rule: calls it delayed). */
  failed = 0;
  active = true;

  constructor(
    readonly rule: Readonly<StoredRule>,
    private readonly owner: FaultyFileSystem,
  ) {}

  matches(op: FsOperation, paths: string[]): boolean {
    if (!this.active || op !== this.rule.op) return false;
    const p = this.rule.path;
    if (p === undefined) return true;
    return paths.some((path) => (typeof p === 'string' ? path.includes(p) : testRegExp(p, path)));
  }

  /** Counts a matching call; true if this one must fail. */
  trigger(): boolean {
    this.matched++;
    const { nth, times = 1 } = this.rule;
    const fire = nth === undefined || (this.matched >= nth && this.matched < nth + times);
    if (fire) this.failed++;
    return fire;
  }

  remove(): void {
    this.active = false;
    this.owner.forget(this);
  }
}

function testRegExp(re: RegExp, s: string): boolean {
  re.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return re.test(s);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultyFileSystem implements FileSystem {
  private faults: FaultState[] = [];
  private readonly counts = new Map<FsOperation, number>();
  /** Every call, in order (kept small: tests are short). */
  readonly log: CallRecord[] = [];

  constructor(readonly inner: FileSystem = new NodeFileSystem()) {}

  // ---- rules ------------------------------------------------------------------

  /** Adds a fault rule; returns a handle with its counters. */
  fail(rule: FaultRule): Fault {
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1)) throw new RangeError('nth is 1-based');
    if (rule.partialBytes !== undefined && rule.op !== 'append') throw new RangeError('partialBytes applies to append only');
    if ((rule.after || rule.delayMs) && SYNC_OPERATIONS.has(rule.op))
      throw new RangeError(`after and delayMs need an asynchronous operation, not ${rule.op}`);
    const state = new FaultState({ ...rule }, this);
    this.faults.push(state);
    return state;
  }

  /**
   * Makes matching calls of an asynchronous operation succeed only after
   * `delayMs`, e.g. a slow WAL removal that keeps a flush running longer.
   */
  slow(rule: SlowRule): Fault {
    if (SYNC_OPERATIONS.has(rule.op)) throw new RangeError(`${rule.op} is synchronous and cannot be slowed`);
    const state = new FaultState({ ...rule, slowOnly: true }, this);
    this.faults.push(state);
    return state;
  }

  /** Removes every rule: the file system is healthy again. */
  heal(): void {
    for (const f of this.faults) f.active = false;
    this.faults = [];
  }

  /** @internal */
  forget(f: FaultState): void {
    this.faults = this.faults.filter((x) => x !== f);
  }

  /** Calls of `op` so far (optionally only on paths matching `path`), failed or not. */
  calls(op: FsOperation, path?: RegExp | string): number {
    if (path === undefined) return this.counts.get(op) ?? 0;
    return this.log.filter((c) => c.op === op && (typeof path === 'string' ? c.path.includes(path) : testRegExp(path, c.path))).length;
  }

  /** Calls that a rule failed. */
  get failures(): CallRecord[] {
    return this.log.filter((c) => c.failed !== undefined);
  }

  /**
   * Records a call and returns the rule that must fail it, if any. Every
   * matching rule counts the call; the first that fires wins.
   */
  private check(op: FsOperation, ...paths: string[]): FaultState | undefined {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    const record: CallRecord = { op, path: paths.join(' -> ') };
    this.log.push(record);
    let firing: FaultState | undefined;
    for (const f of [...this.faults]) {
      // A failing rule wins over a slow one.
      if (f.matches(op, paths) && f.trigger() && (firing === undefined || (firing.rule.slowOnly && !f.rule.slowOnly))) firing = f;
    }
    if (firing && !firing.rule.slowOnly) record.failed = firing.rule.code ?? 'EIO';
    return firing;
  }

  /** Runs a synchronous operation, or throws if a rule fails it. */
  private syncOp<T>(op: FsOperation, paths: string[], run: () => T): T {
    const f = this.check(op, ...paths);
    if (f !== undefined) throw injectedError(f.rule.code ?? 'EIO', op, paths[0]);
    return run();
  }

  /** Runs an asynchronous operation, or rejects if a rule fails it (before or after the real call). */
  private async asyncOp<T>(op: FsOperation, paths: string[], run: () => Promise<T>): Promise<T> {
    const f = this.check(op, ...paths);
    if (f === undefined) return run();
    if (f.rule.delayMs) await delay(f.rule.delayMs);
    if (f.rule.slowOnly) return run();
    if (f.rule.after) await run();
    throw injectedError(f.rule.code ?? 'EIO', op, paths[0]);
  }

  // ---- AppendableFile / ReadableFile hooks (used by the wrappers) ---------------

  /** @internal */
  appendTo(file: AppendableFile, data: Uint8Array): void {
    const f = this.check('append', file.path);
    if (f === undefined) return file.append(data);
    const partial = f.rule.partialBytes;
    if (partial !== undefined && partial > 0 && data.length > 1) {
      file.append(data.subarray(0, Math.min(partial, data.length - 1)));
    }
    throw injectedError(f.rule.code ?? 'EIO', 'append', file.path);
  }

  /** @internal */
  fileOp<T>(op: 'truncate' | 'preallocate' | 'read', path: string, run: () => T): T {
    return this.syncOp(op, [path], run);
  }

  /** @internal */
  fileAsyncOp<T>(op: 'sync' | 'close', path: string, run: () => Promise<T>): Promise<T> {
    if (op !== 'close') return this.asyncOp(op, [path], run);
    // Like close(2), a failing close still releases the descriptor.
    const f = this.check(op, path);
    if (f === undefined) return run();
    if (f.rule.slowOnly) return delay(f.rule.delayMs ?? 0).then(run);
    return run().then(() => {
      throw injectedError(f.rule.code ?? 'EIO', op, path);
    });
  }

  // ---- FileSystem ---------------------------------------------------------------

  create(path: string): AppendableFile {
    return this.syncOp('create', [path], () => new FaultyAppendableFile(this.inner.create(path), this));
  }

  openAppend(path: string): AppendableFile {
    return this.syncOp('openAppend', [path], () => new FaultyAppendableFile(this.inner.openAppend(path), this));
  }

  openRead(path: string): ReadableFile {
    return this.syncOp('openRead', [path], () => new FaultyReadableFile(this.inner.openRead(path), this));
  }

  readFile(path: string): Promise<Buffer> {
    return this.asyncOp('readFile', [path], () => this.inner.readFile(path));
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return this.asyncOp('writeFileAtomic', [path], () => this.inner.writeFileAtomic(path, data));
  }

  rename(from: string, to: string): Promise<void> {
    return this.asyncOp('rename', [from, to], () => this.inner.rename(from, to));
  }

  remove(path: string): Promise<void> {
    return this.asyncOp('remove', [path], () => this.inner.remove(path));
  }

  removeTree(path: string): Promise<void> {
    return this.asyncOp('removeTree', [path], () => this.inner.removeTree(path));
  }

  mkdir(path: string): Promise<void> {
    return this.asyncOp('mkdir', [path], () => this.inner.mkdir(path));
  }

  readdir(path: string): Promise<string[]> {
    return this.asyncOp('readdir', [path], () => this.inner.readdir(path));
  }

  exists(path: string): Promise<boolean> {
    return this.asyncOp('exists', [path], () => this.inner.exists(path));
  }

  syncDir(path: string): Promise<void> {
    return this.asyncOp('syncDir', [path], () => this.inner.syncDir(path));
  }

  createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    return this.asyncOp('createExclusive', [path], () => this.inner.createExclusive(path, data));
  }
}

class FaultyAppendableFile implements AppendableFile {
  constructor(
    private readonly file: AppendableFile,
    private readonly fs: FaultyFileSystem,
  ) {}

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  append(data: Uint8Array): void {
    this.fs.appendTo(this.file, data);
  }

  truncate(size: number): void {
    this.fs.fileOp('truncate', this.file.path, () => this.file.truncate(size));
  }

  preallocate(ahead: number): void {
    this.fs.fileOp('preallocate', this.file.path, () => this.file.preallocate(ahead));
  }

  sync(): Promise<void> {
    return this.fs.fileAsyncOp('sync', this.file.path, () => this.file.sync());
  }

  close(): Promise<void> {
    return this.fs.fileAsyncOp('close', this.file.path, () => this.file.close());
  }
}

class FaultyReadableFile implements ReadableFile {
  constructor(
    private readonly file: ReadableFile,
    private readonly fs: FaultyFileSystem,
  ) {}

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  read(position: number, length: number, into?: Buffer): Buffer {
    return this.fs.fileOp('read', this.file.path, () => this.file.read(position, length, into));
  }

  close(): Promise<void> {
    return this.fs.fileAsyncOp('close', this.file.path, () => this.file.close());
  }
}
