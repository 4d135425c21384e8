import { join } from 'node:path';
import { after } from 'node:test';
import type { Collection } from '../db/collection.js';
import { StorageManager, type StorageManagerOptions } from '../manager/storage-manager.js';
import { tempDir } from './temp-dir.js';

/**
 * Managers and fresh collections for a test file, all under one temp
 * directory that is removed (after every manager is closed) when the file's
 * tests end.
 */
export function collectionFixture(label: string): {
  manager(opts: StorageManagerOptions): StorageManager;
  open(opts?: Partial<StorageManagerOptions>): Promise<{ m: StorageManager; c: Collection; base: string }>;
} {
  const dir = tempDir(label);
  const managers: StorageManager[] = [];
  let n = 0;
  after(async () => {
    for (const m of managers) await m.closeAll().catch(() => {});
    dir.cleanup();
  });
  const manager = (opts: StorageManagerOptions) => {
    const m = new StorageManager(opts);
    managers.push(m);
    return m;
  };
  return {
    manager,
    /** A new manager over its own folder, with an empty collection "t" in use. */
    async open(opts = {}) {
      const base = join(dir.path, `c${n++}`);
      const m = manager({ baseDataPath: base, ...opts });
      await m.createCollection('t');
      return { m, c: await m.useCollection('t'), base };
    },
  };
}
