import { utilityProcess } from 'electron';
import type { CompactionLauncher, FromWorker } from '@strata/engine';

/**
 * The engine's CompactionLauncher on Electron's utilityProcess: a Chromium
 * child process without a renderer, so a compaction's CPU and memory never
 * touch the main process that serves the UI.
 */
export function utilityLauncher(workerPath: string): CompactionLauncher {
  return () => {
    const child = utilityProcess.fork(workerPath, [], { serviceName: 'Strata compaction', stdio: 'inherit' });
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    let exited = false;
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(code, null);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromWorker)),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => {
        child.kill();
      },
    };
  };
}
