import { ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';

/**
 * fdatasyncs an existing file. Recovery uses it on what it reads and acts on:
 * after a process crash, bytes it finds may still be only in the page cache,
 * and a later power cut would take them back after recovery deleted files
 * or acknowledged writes on their strength.
 */
export async function syncExistingFile(fs: FileSystem, path: string, what: string): Promise<void> {
  let file;
  try {
    file = fs.openAppend(path);
    await file.sync();
  } catch (err) {
    throw ioError(`fsync ${what}`, path, err);
  } finally {
    await file?.close().catch(() => {}); // only closing: the fsync above succeeded or its error is thrown
  }
}
