import { dirname, resolve } from 'node:path';
import type { FileSystem } from './file-system.js';

/**
 * Creates `path` and any missing parents so that they survive a power cut.
 * A directory's name is an entry in its parent, and like any other entry it
 * is durable only once the parent is fsynced; without that, a collection
 * fsynced inside a new data folder can vanish with the folder.
 */
export async function mkdirDurable(fs: FileSystem, path: string): Promise<void> {
  const missing: string[] = [];
  for (let p = resolve(path); !(await fs.exists(p)); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  if (missing.length === 0) return;
  await fs.mkdir(path);
  // Outermost first: each fsync makes one new name durable in a parent that already is.
  for (const dir of missing.reverse()) await fs.syncDir(dirname(dir));
}
