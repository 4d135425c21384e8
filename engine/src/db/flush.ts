import { ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { Memtable } from '../memtable/memtable.js';
import { TableBuilder } from '../table/table-builder.js';
import { type FileMeta, fileMetaOf } from '../version/file-meta.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import type { CollectionOptions } from './options.js';

/** Entries written between yields to the event loop, so a flush never blocks writers for long. */
const ENTRIES_PER_SLICE = 2048;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes an immutable memtable's newest versions to a new L0 table and
 * fsyncs it and its directory. On failure the partial file is removed.
 * Scans that still need older versions read the memtable object itself.
 */
export async function writeLevel0Table(fs: FileSystem, dir: string, memtable: Memtable, id: number, options: CollectionOptions): Promise<FileMeta> {
  const path = pathIn(dir, tableFileName(id));
  let file;
  try {
    file = fs.create(path);
  } catch (err) {
    throw ioError('create SSTable', path, err);
  }
  const builder = new TableBuilder(file, options);
  try {
    let n = 0;
    for (const e of memtable.entries()) {
      builder.addString(e.key, e.sequence, e.kind, e.value);
      if (++n % ENTRIES_PER_SLICE === 0) await yieldToEventLoop();
    }
    const built = await builder.finish();
    await fs.syncDir(dir);
    return fileMetaOf(id, 0, built);
  } catch (err) {
    await builder.abandon();
    await fs.remove(path).catch(() => {});
    throw ioError('write SSTable', path, err);
  }
}
