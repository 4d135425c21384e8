import { ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { pathIn } from '../version/file-names.js';
import type { LostFile } from '../events/stats.js';

/** The folder inside a collection where recovery and repair put files they will not use but must not delete. */
export const LOST_DIR = 'lost';

/**
 * Moves `<dir>/<name>` into `<dir>/lost/`, never over a file already there
 * (a second copy gets `.1`, `.2`, …), and makes the move durable: both
 * directories are fsynced. Recovery and repair set files aside this way
 * rather than delete them, as LevelDB's RepairDB does: a user's bytes are
 * never destroyed to make an open succeed.
 */
export async function setAside(fs: FileSystem, dir: string, name: string, reason: string): Promise<LostFile> {
  const lostDir = pathIn(dir, LOST_DIR);
  const from = pathIn(dir, name);
  try {
    await fs.mkdir(lostDir);
    const taken = new Set(await fs.readdir(lostDir));
    let target = name;
    for (let n = 1; taken.has(target); n++) target = `${name}.${n}`;
    await fs.rename(from, pathIn(lostDir, target));
    await fs.syncDir(lostDir);
    await fs.syncDir(dir);
    return { file: name, movedTo: `${LOST_DIR}/${target}`, reason };
  } catch (err) {
    throw ioError(`move to ${LOST_DIR}/`, from, err);
  }
}
