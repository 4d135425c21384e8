import { corruption, ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { BlockCache } from '../table/block-cache.js';
import { TableReader } from '../table/table-reader.js';
import type { TableSummary } from '../version/table-summary.js';
import { pathIn, tableFileName } from '../version/file-names.js';

/** Open TableReaders by file id, opened on first use and closed when their file is deleted. */
export class TableCache {
  private readonly open = new Map<number, TableReader>();

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly blocks: BlockCache,
  ) {}

  get(meta: TableSummary): TableReader {
    let table = this.open.get(meta.id);
    if (table === undefined) {
      const path = pathIn(this.dir, tableFileName(meta.id));
      let file;
      try {
        file = this.fs.openRead(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw corruption(path, 'the manifest lists this table but the file is missing');
        throw ioError('open', path, err);
      }
      if (file.size !== meta.bytes) {
        void file.close();
        throw corruption(path, `file is ${file.size} bytes but the manifest recorded ${meta.bytes}`);
      }
      table = TableReader.open(file, meta.id, this.blocks);
      this.open.set(meta.id, table);
    }
    return table;
  }

  async evict(id: number): Promise<void> {
    const table = this.open.get(id);
    this.open.delete(id);
    // Read-only: closing a table loses nothing.
    await table?.close().catch(() => {});
  }

  async closeAll(): Promise<void> {
    const tables = [...this.open.values()];
    this.open.clear();
    // Read-only: closing a table loses nothing.
    await Promise.all(tables.map((t) => t.close().catch(() => {})));
  }
}
