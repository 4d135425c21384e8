import type { AppendableFile } from '../fs/file-system.js';
import { NodeFileSystem } from '../fs/node-fs.js';

/**
 * A NodeFileSystem whose SSTable fsyncs wait until release(): a flush then
 * stays in progress, with its memtable waiting, for as long as a test needs
 * (the compaction worker has its own file system and is not held).
 */
export class HeldSyncFileSystem extends NodeFileSystem {
  private held: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;

  hold(): void {
    if (this.held) return;
    this.held = new Promise<void>((r) => (this.releaseHeld = r));
  }

  release(): void {
    this.releaseHeld?.();
    this.held = undefined;
    this.releaseHeld = undefined;
  }

  override create(path: string): AppendableFile {
    const file = super.create(path);
    if (!path.endsWith('.sst')) return file;
    return {
      get path() {
        return file.path;
      },
      get size() {
        return file.size;
      },
      append: (d) => file.append(d),
      truncate: (s) => file.truncate(s),
      preallocate: (a) => file.preallocate(a),
      sync: async () => {
        await this.held;
        return file.sync();
      },
      close: () => file.close(),
    };
  }
}
