import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';

/**
 * A lock file holding the owner's pid, host and process start time. Node has
 * no portable flock, so ownership is "the file exists and its owner is alive".
 * The start time (from /proc, where available) keeps a recycled pid from
 * making a stale lock look alive. The lock file appears atomically with its
 * content (FileSystem.createExclusive). A stale lock is moved aside by an
 * atomic rename and checked: if what was moved is not the stale lock that was
 * judged dead (another process took over in between), it is put back. Then
 * everyone races again for an exclusive create, so exactly one process wins.
 */
interface LockOwner {
  pid: number;
  host: string;
  started: string | null;
}

export class CollectionLock {
  private constructor(
    private readonly fs: FileSystem,
    readonly path: string,
    private readonly token: string,
  ) {}

  static async acquire(fs: FileSystem, path: string, collection: string): Promise<CollectionLock> {
    const me: LockOwner = { pid: process.pid, host: hostname(), started: processStart(process.pid) };
    const token = JSON.stringify(me);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await fs.createExclusive(path, Buffer.from(token))) return new CollectionLock(fs, path, token);
      const holder = await readOwner(fs, path);
      if (holder !== undefined && isAlive(holder)) {
        const where = holder.pid === process.pid ? 'this process' : `process ${holder.pid}`;
        throw new StorageError('COLLECTION_LOCKED', `collection "${collection}" is locked by ${where} on ${holder.host} (lock file ${path})`);
      }
      await CollectionLock.moveAsideIfUnchanged(fs, path, holder);
    }
    throw new StorageError('COLLECTION_LOCKED', `collection "${collection}" lock file ${path} keeps changing hands; try again`);
  }

  /** Removes the lock at `path` only if it is still the stale one that was read. */
  private static async moveAsideIfUnchanged(fs: FileSystem, path: string, stale: LockOwner | undefined): Promise<void> {
    const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await fs.rename(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it already
      throw err;
    }
    const moved = await readOwner(fs, aside);
    if (JSON.stringify(moved) !== JSON.stringify(stale) && moved !== undefined) {
      // We took a fresh lock from a process that won the race meanwhile: give it back.
      await fs.createExclusive(path, await fs.readFile(aside));
    }
    await fs.remove(aside);
  }

  async release(): Promise<void> {
    const holder = await readOwner(this.fs, this.path).catch(() => undefined);
    if (holder !== undefined && JSON.stringify(holder) === this.token) await this.fs.remove(this.path);
  }
}

async function readOwner(fs: FileSystem, path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse((await fs.readFile(path)).toString('utf8')) as LockOwner;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine's processes: assume alive
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counts after the ")" that ends the command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
