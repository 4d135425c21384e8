import { ioError } from '../errors.js';
import type { FileSystem } from './file-system.js';

/** The whole file at `path`; IO_ERROR naming it when it cannot be read. */
export async function readWhole(fs: FileSystem, path: string): Promise<Buffer> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    throw ioError('read', path, err);
  }
}
