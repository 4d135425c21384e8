import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';

const PARENT_PORT_SHIM = new URL('./parent-port.mjs', import.meta.url).href;

export interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: 'pipe' | 'ignore' | 'inherit';
  serviceName?: string;
}

/**
 * Electron's UtilityProcess, backed by a Node child process: the module
 * really runs, in its own process, and talks to the parent through
 * process.parentPort (see parent-port.mjs). Records what it is sent and what
 * it answers.
 */
export class StandInUtilityProcess extends EventEmitter {
  readonly child: ChildProcess;
  /** Messages from the child, in order. */
  readonly received: unknown[] = [];
  /** Messages to the child, in order. */
  readonly sent: unknown[] = [];
  /** The exit code Electron would report: the child's, or 128 + the signal's number. */
  readonly exited: Promise<number>;

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: ForkOptions,
  ) {
    super();
    const stdio = options.stdio ?? 'inherit';
    this.child = fork(modulePath, args, {
      // The child is plain built JavaScript: no TypeScript loader, only the port shim.
      execArgv: ['--import', PARENT_PORT_SHIM],
      serialization: 'advanced', // structured clone, as a MessagePort carries it
      stdio: [stdio === 'pipe' ? 'pipe' : 'ignore', stdio, stdio, 'ipc'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
        resolve(exitCode);
        this.emit('exit', exitCode);
      });
    });
    this.child.once('spawn', () => this.emit('spawn'));
    this.child.on('message', (message) => {
      this.received.push(message);
      this.emit('message', message);
    });
    // IPC failures (the child gone mid-send): the 'exit' that follows is what the owner hears of it.
    this.child.on('error', (err) => console.warn(`[electron stand-in] utility process ${modulePath}: ${err.message}`));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): NodeJS.ReadableStream | null {
    return this.child.stdout;
  }

  get stderr(): NodeJS.ReadableStream | null {
    return this.child.stderr;
  }

  postMessage(message: unknown): void {
    this.sent.push(message);
    if (this.child.connected) this.child.send(message as never);
  }

  kill(): boolean {
    return this.child.kill();
  }
}
