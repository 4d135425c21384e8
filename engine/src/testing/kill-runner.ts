import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ENGINE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./kill-writer.ts', import.meta.url));

export interface WriterRun {
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/**
 * Starts kill-writer.ts on `base` and calls `watch` with the whole output so
 * far after every chunk, with a `kill` (SIGKILL) the caller decides when to
 * use. Resolves on 'close', which comes after the process was reaped (so its
 * lock is stale) and every holder of its pipes (including an orphaned
 * compaction worker) let go. A safety timer kills a writer that runs too long.
 */
export function runKillWriter(
  args: { base: string; seed: number; mode: string; workers: number; env?: NodeJS.ProcessEnv; safetyMs: number },
  watch: (stdout: string, kill: () => void) => void,
): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, args.base, String(args.seed), args.mode, String(args.workers)], {
      cwd: ENGINE_ROOT,
      env: { ...process.env, ...args.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    const safety = setTimeout(kill, args.safetyMs); // never hang the suite
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      watch(stdout, kill);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(safety);
      resolve({ stdout, stderr, signal });
    });
  });
}
