import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const MAX_RECENT = 10;

/**
 * Recently opened data folders, newest first, kept in a small JSON file in
 * the app's own state folder (Electron's userData; ~/.config/strata in web
 * mode). A damaged file is treated as empty: it is a convenience, not data.
 */
export class RecentFolders {
  constructor(private readonly file: string | undefined) {}

  async list(): Promise<string[]> {
    if (!this.file) return [];
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  async remember(folder: string): Promise<string[]> {
    const list = [folder, ...(await this.list()).filter((p) => p !== folder)].slice(0, MAX_RECENT);
    if (!this.file) return list;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(list, null, 2));
    await rename(temp, this.file);
    return list;
  }
}
