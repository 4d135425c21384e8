import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';

/**
 * A lock file holding the owner's pid, host and process start time. Node has
 * no portable flock, so ownership is "the file exists and its owner is alive".
 * The start time (from /proc, where available) keeps a recycled pid from
 * making a stale lock look alive. A stale lock is removed and then raced for
 * with an exclusive create. Known gap: two processes that both read the same
 * stale lock before either replaced it can both take it over (the slower one
 * removes the faster one's fresh lock). Live locks are never broken.
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
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await fs.createExclusive(path, Buffer.from(token))) return new CollectionLock(fs, path, token);
      const holder = await readOwner(fs, path);
      if (holder !== undefined && isAlive(holder)) {
        const where = holder.pid === process.pid ? 'this process' : `process ${holder.pid}`;
        throw new StorageError('COLLECTION_LOCKED', `collection "${collection}" is locked by ${where} on ${holder.host} (lock file ${path})`);
      }
      // Stale: its owner is gone. Remove it and race for a fresh exclusive create.
      await fs.remove(path);
    }
    throw new StorageError('COLLECTION_LOCKED', `collection "${collection}" lock file ${path} keeps changing hands; try again`);
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
