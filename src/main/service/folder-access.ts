import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { AppMode } from '../../shared/ipc/types';

export interface FolderAccessOptions {
  mode: AppMode;
  /** Web mode's --root: no folder outside it may be opened. */
  root?: string;
  /** The folders the user opened before (the app's recent list). */
  recent: () => Promise<string[]>;
}

function forbidden(message: string): Error {
  return Object.assign(new Error(message), { code: 'FORBIDDEN' });
}

/**
 * Which data folders the renderer may open. folder.open switches the folder
 * for every client, and the path comes from the renderer, which is not
 * trusted with the file system:
 * - the desktop app opens only a folder the user chose in its native dialog
 *   (this run) or one from the recent list (chosen in an earlier run);
 * - web mode with a root opens only folders inside that root, judged after
 *   resolving "..", and symlinks as far as the path exists;
 * - web mode without a root opens any folder the server's user can read
 *   (the person with the token is that user; --root is for shared machines).
 */
export class FolderAccess {
  private readonly chosen = new Set<string>();
  private root: string | undefined;

  constructor(private readonly options: FolderAccessOptions) {}

  /** Canonicalizes the root once, at start; it must exist. */
  async start(): Promise<void> {
    if (this.options.root === undefined) return;
    try {
      this.root = await realpath(resolve(this.options.root));
    } catch (err) {
      throw Object.assign(new Error(`--root ${this.options.root} cannot be used: ${(err as Error).message}`), { code: 'INVALID_ARGUMENT' });
    }
  }

  /** A folder the user picked in the native dialog, from now on allowed. */
  allowChosen(dir: string): void {
    this.chosen.add(resolve(dir));
  }

  /** The folder to open for `path` (made absolute; canonical under a root), or FORBIDDEN saying why not. */
  async check(path: string, current: string): Promise<string> {
    const dir = resolve(path);
    if (this.options.mode === 'electron') {
      if (dir === current || this.chosen.has(dir) || (await this.options.recent()).includes(dir)) return dir;
      throw forbidden(`"${dir}" was not chosen in the folder dialog and is not a recent folder; choose it with Open folder…`);
    }
    return this.inRoot(dir);
  }

  /** The folder the app starts on must be inside the root too. */
  async checkStart(dataDir: string): Promise<string> {
    try {
      return await this.inRoot(resolve(dataDir));
    } catch (err) {
      throw Object.assign(new Error(`the data folder must be inside --root: ${(err as Error).message}`), {
        code: (err as { code?: string }).code,
      });
    }
  }

  /** Whether a folder (say, from the recent list) may be offered at all. */
  async allows(dir: string): Promise<boolean> {
    if (this.root === undefined) return true;
    return this.inRoot(dir).then(
      () => true,
      () => false,
    );
  }

  private async inRoot(dir: string): Promise<string> {
    if (this.root === undefined) return dir;
    const real = await canonical(dir);
    const root = this.root.endsWith(sep) ? this.root : this.root + sep;
    if (real === this.root || real.startsWith(root)) return real;
    const via = real === dir ? '' : ` (it leads to ${real})`;
    throw forbidden(`"${dir}"${via} is outside the folder this server may open, ${this.root} (--root)`);
  }
}

/**
 * The real path of `dir`: symlinks resolved for the part that exists, the
 * rest (folders not created yet) appended as named. `dir` is absolute and
 * normalized, so the rest holds no ".." that a symlink could redirect. A
 * symlink to nothing is refused: creating the folder would follow it.
 */
async function canonical(dir: string): Promise<string> {
  const rest: string[] = [];
  let existing = dir;
  for (;;) {
    try {
      return join(await realpath(existing), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const entry = await lstat(existing).catch(() => undefined);
      if (entry?.isSymbolicLink())
        throw forbidden(`"${existing}" is a symlink to something that does not exist; it cannot be opened as a data folder`);
      const parent = dirname(existing);
      if (parent === existing) throw err;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}
