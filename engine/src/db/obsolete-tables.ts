import type { FileSystem } from '../fs/file-system.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import type { Version } from '../version/version.js';
import type { VersionSet } from '../version/version-set.js';
import type { TableCache } from './table-cache.js';

export interface ObsoleteTablesHost {
  readonly fs: FileSystem;
  readonly directory: string;
  readonly versions: VersionSet;
  readonly tables: TableCache;
  /** The table's file is gone (or its deletion was given up). */
  deleted(id: number): void;
  /** Reports a deletion that failed: the file stays and takes space until the next open removes it. */
  warn(operation: string, path: string, err: unknown): void;
}

/**
 * Tables that left the current Version, deleted once no pinned Version still
 * lists them. Readers (scans, snapshots) pin the Version they read, so the
 * files it lists stay on disk until they are done.
 */
export class ObsoleteTables {
  private readonly pending = new Set<number>();
  private readonly pinned = new Map<Version, number>();
  /** The deletion pass in progress (see collect). */
  private deleting: Promise<void> = Promise.resolve();

  constructor(private readonly host: ObsoleteTablesHost) {}

  /** Keeps the files of `version` on disk until a matching unpin. */
  pin(version: Version): void {
    this.pinned.set(version, (this.pinned.get(version) ?? 0) + 1);
  }

  unpin(version: Version): void {
    const n = this.pinned.get(version)! - 1;
    if (n === 0) this.pinned.delete(version);
    else this.pinned.set(version, n);
    // Most scans end with nothing obsolete; a pass per scan would cost a promise chain each.
    if (this.pending.size > 0) void this.collect();
  }

  /** Tables an installed edit removed: deleted now, or once the last Version listing them is unpinned. */
  add(ids: Iterable<number>): void {
    for (const id of ids) this.pending.add(id);
    void this.collect();
  }

  /**
   * Deletes every obsolete table no pinned Version lists. Runs one pass at a
   * time, so a caller that awaits it (compact()) knows every deletion started
   * before it has finished.
   */
  collect(): Promise<void> {
    this.deleting = this.deleting.then(() => this.collectNow());
    return this.deleting;
  }

  private async collectNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const { fs, directory, versions, tables } = this.host;
    const inUse = new Set<number>();
    for (const v of [versions.current, ...this.pinned.keys()]) for (const f of v.files()) inUse.add(f.id);
    for (const id of [...this.pending]) {
      if (inUse.has(id)) continue;
      this.pending.delete(id);
      this.host.deleted(id);
      await tables.evict(id);
      const path = pathIn(directory, tableFileName(id));
      // Reported, as Pebble reports TableDeleteInfo.Err; the next open removes the file (an edit deleted it).
      await fs.remove(path).catch((err: unknown) => this.host.warn('delete obsolete table', path, err));
    }
  }
}
