import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes and file count under a directory; files that vanish mid-walk (a compaction deleting inputs) are skipped. */
export async function diskUsage(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { bytes, files };
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await diskUsage(path);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      try {
        bytes += (await stat(path)).size;
        files++;
      } catch {
        // gone already
      }
    }
  }
  return { bytes, files };
}
