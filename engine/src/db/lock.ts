import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';

/**
 * Layout: LOCK and LOCK.break each hold one JSON object,
 *   {"pid":4242,"host":"box","started":"183920","nonce":"9f3a0c1d22e7"}
 * the owner's pid, host and process start time (field 22 of /proc/<pid>/stat,
 * null where there is no /proc), and a random nonce per acquire. Both appear
 * atomically with their content (FileSystem.createExclusive), so a reader
 * never sees one half-written.
 *
 * Node has no portable flock, so ownership is "LOCK exists and its owner is
 * alive"; the start time keeps a recycled pid from making a dead owner look
 * alive. Taking a lock is an exclusive create of LOCK, so of several openers
 * exactly one wins.
 *
 * A LOCK whose owner is dead must be removed before anyone can win, and the
 * removal must never hit a live lock that replaced it in between. Removing
 * after a check is not atomic, so it is done under a second lock, LOCK.break,
 * taken by exclusive create: while an opener holds it no one else removes
 * LOCK, so a LOCK that is there and dead when read under it is still that
 * LOCK when it is removed. (A LOCK found missing is left alone: a create may
 * bring a live one any moment.) Openers that find LOCK.break held by a live
 * process wait for it to go, up to TAKEOVER_WAIT_MS. A LOCK.break left by a
 * process that died while holding it is removed when found; two openers
 * racing to remove the same dead LOCK.break is the one window left, so two
 * owners need a process to end in the middle of a takeover first (a crash,
 * an exit on a signal, a LOCK.break it failed to remove).
 *
 * Crashes can also leave scratch files behind (createExclusive's temp files,
 * LOCK.<pid>.<random>.tmp). They are not swept with the collection's other
 * temp files, since a live opener may be about to link its own; the winner
 * of the lock removes those whose process is dead.
 */
interface LockOwner {
  pid: number;
  host: string;
  started: string | null;
  nonce?: string;
}

/** How long an opener waits for another process to finish taking over a stale lock. */
const TAKEOVER_WAIT_MS = 3000;

export class CollectionLock {
  private constructor(
    private readonly fs: FileSystem,
    readonly path: string,
    private readonly token: string,
  ) {}

  static async acquire(fs: FileSystem, path: string, collection: string): Promise<CollectionLock> {
    // The nonce tells this acquire's files from those of other openers in this process, which share the rest.
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      started: processStart(process.pid),
      nonce: randomBytes(6).toString('hex'),
    };
    const token = JSON.stringify(owner);
    const giveUpAt = performance.now() + TAKEOVER_WAIT_MS; // monotonic: a clock step neither cuts nor stretches the wait
    let lastTry = false;
    for (;;) {
      if (await fs.createExclusive(path, Buffer.from(token))) {
        await removeDeadScratch(fs, path).catch(() => {}); // tidying only: the lock is ours either way
        return new CollectionLock(fs, path, token);
      }
      const found = await readLockFile(fs, path);
      if (found.owner !== undefined && isAlive(found.owner)) throw lockedBy(found.owner, collection, path);
      if (lastTry)
        throw new StorageError(
          'COLLECTION_LOCKED',
          `collection "${collection}" lock file ${path} kept changing hands for ${TAKEOVER_WAIT_MS} ms; try again`,
        );
      const breaker = found.state === 'missing' ? undefined : await removeDeadLock(fs, path, token);
      if (performance.now() >= giveUpAt) {
        if (breaker !== undefined) {
          throw new StorageError(
            'COLLECTION_LOCKED',
            `collection "${collection}" is being taken over by process ${breaker.pid} on ${breaker.host}, which still holds ${path}.break after ${TAKEOVER_WAIT_MS} ms; try again`,
          );
        }
        lastTry = true; // the lock may have just been freed: one more create before giving up
      }
      if (breaker !== undefined) await sleep(5 + Math.random() * 20);
    }
  }

  async release(): Promise<void> {
    // A lock file that cannot be read is not provably ours: it stays, and once this process exits the next opener takes it over.
    const found = await readLockFile(this.fs, this.path).catch(() => undefined);
    if (found?.text === this.token) await this.fs.remove(this.path);
  }
}

function lockedBy(holder: LockOwner, collection: string, path: string): StorageError {
  if (holder.host !== hostname()) {
    return new StorageError(
      'COLLECTION_LOCKED',
      `collection "${collection}" is locked by process ${holder.pid} on ${holder.host}, another host whose processes cannot be checked from here; if that process is gone, delete the lock file ${path}`,
    );
  }
  const where = holder.pid === process.pid ? 'this process' : `process ${holder.pid}`;
  return new StorageError('COLLECTION_LOCKED', `collection "${collection}" is locked by ${where} on ${holder.host} (lock file ${path})`);
}

/**
 * Removes the lock at `path` if, read under LOCK.break, it is there and its
 * owner is dead (or it cannot be parsed). Under LOCK.break a LOCK that is
 * there cannot be replaced, so what was judged is what is removed; a LOCK
 * found missing is left to the creates, since one may appear any moment.
 * Resolves undefined when the caller should race for the lock again at once,
 * or the live owner of LOCK.break when it should wait.
 */
async function removeDeadLock(fs: FileSystem, path: string, token: string): Promise<LockOwner | undefined> {
  const breakPath = `${path}.break`;
  if (!(await fs.createExclusive(breakPath, Buffer.from(token)))) {
    const breaker = await readLockFile(fs, breakPath);
    if (breaker.state === 'missing') return undefined; // its taker just finished
    if (breaker.owner !== undefined && isAlive(breaker.owner)) return breaker.owner;
    // Its taker died mid-takeover. Removed only if it is still that one; a
    // fresh LOCK.break that replaced it between the read and the removal is the
    // window the module comment owns up to.
    const again = await readLockFile(fs, breakPath);
    if (again.text === breaker.text) await fs.remove(breakPath);
    return undefined;
  }
  try {
    const found = await readLockFile(fs, path);
    if (found.state !== 'missing' && (found.owner === undefined || !isAlive(found.owner))) await fs.remove(path);
  } finally {
    await fs.remove(breakPath);
  }
  return undefined;
}

/** Removes createExclusive temp files next to the lock whose writer is dead. */
async function removeDeadScratch(fs: FileSystem, path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(/\.(\d+)\.[0-9a-z]+\.tmp$/.exec(name)?.[1]);
    if (Number.isSafeInteger(pid) && !processExists(pid)) await fs.remove(join(dir, name));
  }
}

type LockFile =
  { state: 'missing'; owner?: undefined; text?: undefined } | { state: 'present'; owner: LockOwner | undefined; text: string };

/** A lock file's owner; `owner` is undefined for a file that is there but is not a lock this module wrote. */
async function readLockFile(fs: FileSystem, path: string): Promise<LockFile> {
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw ioError('read lock file', path, err);
  }
  try {
    const parsed = JSON.parse(text) as LockOwner;
    return { state: 'present', owner: typeof parsed.pid === 'number' ? parsed : undefined, text };
  } catch {
    // Not a lock this engine wrote (or torn mid-write): no owner, so it can be taken over.
    return { state: 'present', owner: undefined, text };
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine's processes: assume alive
  if (!processExists(owner.pid)) return false;
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** Whether a process with this pid exists on this host (a recycled pid counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counts after the ")" that ends the command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    // No /proc (not Linux), or the process is gone: the start time is unknown, and the pid alone decides.
    return null;
  }
}
