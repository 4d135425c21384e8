import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Shell history, kept in the data directory. The file name starts with ".",
 * which no collection name may, so it never collides with a collection.
 */
export const HISTORY_FILE = '.lsm-cli-history';
export const HISTORY_SIZE = 1000;

export function historyPath(dataDir: string): string {
  return join(dataDir, HISTORY_FILE);
}

/** Past lines, newest first (the order readline wants); empty if there is no history yet. */
export function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .reverse()
      .slice(0, HISTORY_SIZE);
  } catch {
    // No history yet (or none readable): the shell starts without one.
    return [];
  }
}

/** Writes the history (given newest first) oldest first, one line each. Failures are reported once by the caller. */
export function saveHistory(path: string, dataDir: string, newestFirst: readonly string[]): void {
  mkdirSync(dataDir, { recursive: true });
  const lines = newestFirst
    .slice(0, HISTORY_SIZE)
    .filter((l) => !l.includes('\n'))
    .reverse();
  writeFileSync(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`, { mode: 0o600 });
}
