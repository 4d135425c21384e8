/**
 * A compaction launcher whose "worker" runs the real merge (runCompaction)
 * in this process, on a FileSystem the test chooses: how compactions run
 * under PowerCutFileSystem, which the forked worker (it writes with
 * node:fs) cannot see. It speaks the worker protocol, so the scheduler and
 * the install path are the ones in production; only the process boundary
 * is simulated. kill() acts as a SIGKILL would: from that moment the
 * worker's file calls fail and nothing it reports reaches the engine.
 */
import type { CompactionLauncher, CompactionWorker } from '../compaction/launcher.js';
import { runCompaction } from '../compaction/merge.js';
import type { FromWorker } from '../compaction/protocol.js';
import { StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';

export function inProcessLauncher(fs: FileSystem): CompactionLauncher {
  return (): CompactionWorker => {
    let killed = false;
    const messageListeners: ((m: FromWorker) => void)[] = [];
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    const deliver = (m: FromWorker) =>
      setImmediate(() => {
        if (!killed) for (const l of messageListeners) l(m);
      });
    const workerFs = severable(fs, () => killed);
    const checkAlive = () => {
      if (killed) throw new Error('compaction worker killed');
    };
    deliver({ type: 'ready' });
    const kill = () => {
      if (killed) return;
      killed = true;
      setImmediate(() => {
        for (const l of exitListeners) l(null, 'SIGKILL');
      });
    };
    return {
      pid: undefined,
      send(message) {
        if (killed) return;
        if (message.type === 'shutdown') return kill();
        const { job } = message;
        runCompaction(workerFs, job, (p) => deliver({ type: 'progress', id: job.id, ...p }), checkAlive).then(
          (result) => deliver({ type: 'done', result }),
          (err: unknown) => {
            const code = err instanceof StorageError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'IO_ERROR');
            deliver({ type: 'failed', id: job.id, code, message: (err as Error).message ?? String(err) });
          },
        );
      },
      onMessage: (l) => {
        messageListeners.push(l);
      },
      onExit: (l) => {
        exitListeners.push(l);
      },
      kill,
    };
  };
}

/** `target` with every method (and those of the files it returns) failing once `dead()` is true. */
function severable<T extends object>(target: T, dead: () => boolean): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead()) throw new Error(`compaction worker killed (${String(prop)})`);
        const result = (value as (...a: unknown[]) => unknown).apply(t, args);
        const isFile = typeof result === 'object' && result !== null && ('append' in result || 'read' in result);
        return isFile ? severable(result, dead) : result;
      };
    },
  });
}
