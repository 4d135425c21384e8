import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './protocol.js';

/**
 * The one seam between the engine and whatever starts its compaction
 * process. In plain Node the engine forks a child process; the Electron app
 * passes a launcher built on utilityProcess.fork(compactionWorkerPath). The
 * engine itself never imports electron.
 */
export interface CompactionWorker {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /**
   * Whether the worker keeps the parent's event loop alive. The engine turns it
   * off for the worker's whole life (it holds the loop itself while a job is in
   * flight), so a program that forgets to close its collections still exits;
   * the idle worker then exits on disconnect.
   */
  keepAlive?(on: boolean): void;
}

export type CompactionLauncher = () => CompactionWorker;

const self = import.meta.url;
const runningFromSource = self.endsWith('.ts');

/** The worker module, for launchers that start it themselves (e.g. Electron's utilityProcess). */
export const compactionWorkerPath = fileURLToPath(new URL(runningFromSource ? './worker-main.ts' : './worker-main.js', self));

/** Forks the worker as a Node child process (the default outside Electron). */
export const forkLauncher: CompactionLauncher = () => {
  const child = fork(compactionWorkerPath, [], {
    // Tests run the engine from TypeScript sources through tsx; built code needs no loader.
    execArgv: runningFromSource ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let exited = false;
  const exit = (code: number | null, signal: string | null) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(code, signal);
  };
  child.on('exit', exit);
  // 'error' comes instead of 'exit' when the spawn itself failed (EAGAIN, EMFILE, a
  // missing module path…), and on IPC failures: treat all of them as the worker ending.
  child.on('error', (err) => {
    if (child.pid === undefined || child.exitCode !== null) exit(null, `spawn failed: ${err.message}`);
    else child.kill('SIGKILL');
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      // A worker that died a moment ago is still "connected" until its exit is seen;
      // the callback keeps the resulting EPIPE from becoming an 'error' event.
      if (child.connected) child.send(message, () => {});
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as FromWorker)),
    onExit: (listener) => exitListeners.push(listener),
    kill: () => {
      if (child.pid === undefined) exit(null, 'not started');
      else child.kill('SIGKILL');
    },
    keepAlive: (on) => {
      const channel = child.channel as { ref?(): void; unref?(): void } | undefined;
      if (on) {
        child.ref();
        channel?.ref?.();
      } else {
        child.unref();
        channel?.unref?.();
      }
    },
  };
};
