import { randomBytes } from 'node:crypto';
import type { FileSystem } from '../fs/file-system.js';
import { processExists } from '../db/lock.js';
import { pathIn } from '../version/file-names.js';

/**
 * A create builds its collection in a hidden sibling directory and renames it
 * into place; a drop renames the collection out of the way before deleting
 * it. Both directories are named `.creating-<name>-<pid>-<random>` and
 * `.dropping-<name>-<pid>-<random>`, so that after a crash the next manager
 * can tell a leftover (its process is gone) from work in progress in a live
 * process. Names from before the pid was added have none and are leftovers.
 */
export type StagingKind = 'creating' | 'dropping';

export function stagingDirName(kind: StagingKind, collection: string): string {
  return `.${kind}-${collection}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const STAGING = /^\.(creating|dropping)-(.+?)(?:-(\d+))?-[0-9a-f]{8}$/;

export interface StagingDir {
  kind: StagingKind;
  collection: string;
  /** The process that made it; undefined for a name from before pids were recorded. */
  pid: number | undefined;
}

export function parseStagingDirName(entry: string): StagingDir | undefined {
  const m = STAGING.exec(entry);
  if (!m) return undefined;
  return { kind: m[1] as StagingKind, collection: m[2], pid: m[3] === undefined ? undefined : Number(m[3]) };
}

/**
 * Removes the staging directories of processes that are gone: a create that
 * never finished holds nothing anyone was promised, and a drop that never
 * finished holds a collection its owner asked to delete (left there, its data
 * would survive hidden). Returns the names removed. A pid that looks alive
 * may be a recycled one; its directory waits for a later sweep, which costs
 * only disk space.
 */
export async function sweepStagingDirs(fs: FileSystem, baseDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(baseDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const staging = parseStagingDirName(entry);
    if (staging === undefined) continue;
    if (staging.pid !== undefined && processExists(staging.pid)) continue;
    await fs.removeTree(pathIn(baseDir, entry));
    removed.push(entry);
  }
  return removed;
}
