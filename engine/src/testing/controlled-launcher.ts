/**
 * A compaction launcher for tests: it forks the real worker (forkLauncher)
 * and sits between it and the engine, so a test can
 *
 *   - hold back the worker's 'done' messages (holdDone = true) and release
 *     them when it chooses, to make "something happens while a finished
 *     compaction waits to be installed" deterministic;
 *   - kill a worker so that nothing it sent after the decision to kill
 *     reaches the engine (killWorker), i.e. the engine sees exactly what it
 *     would if the SIGKILL had landed before the worker reported 'done'.
 *
 * Everything else (spawn, messages, exit) passes through unchanged.
 */
import { type CompactionLauncher, type CompactionWorker, forkLauncher } from '../compaction/launcher.js';
import type { FromWorker } from '../compaction/protocol.js';

interface Tracked {
  worker: CompactionWorker;
  muted: boolean;
  exited: boolean;
  /** Messages swallowed because they came after killWorker() decided to kill. */
  dropped: FromWorker[];
}

export class ControlledLauncher {
  /** While true, 'done' messages are held until release(). */
  holdDone = false;
  private readonly held: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  private readonly workers: Tracked[] = [];

  readonly launcher: CompactionLauncher = () => {
    const inner = forkLauncher();
    const tracked: Tracked = { worker: inner, muted: false, exited: false, dropped: [] };
    this.workers.push(tracked);
    const listeners: ((m: FromWorker) => void)[] = [];
    const deliver = (m: FromWorker) => {
      if (tracked.muted) tracked.dropped.push(m);
      else for (const l of listeners) l(m);
    };
    inner.onMessage((m) => {
      if (m.type === 'done' && this.holdDone && !tracked.muted) {
        this.held.push(() => deliver(m));
        for (const w of this.heldWaiters.splice(0)) w();
        return;
      }
      deliver(m);
    });
    inner.onExit(() => {
      tracked.exited = true;
    });
    return {
      get pid() {
        return inner.pid;
      },
      send: (m) => inner.send(m),
      onMessage: (l) => {
        listeners.push(l);
      },
      onExit: (l) => inner.onExit(l),
      kill: () => inner.kill(),
      keepAlive: (on) => inner.keepAlive?.(on),
    };
  };

  /** How many 'done' messages are being held. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Resolves once at least `count` 'done' messages are held. */
  async waitForHeld(count = 1): Promise<void> {
    while (this.held.length < count) await new Promise<void>((r) => this.heldWaiters.push(r));
  }

  /** Stops holding and delivers every held 'done' message, in order. */
  release(): void {
    this.holdDone = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  /** Workers started so far. */
  get started(): number {
    return this.workers.length;
  }

  /**
   * SIGKILLs the live worker with this pid; from this moment on nothing it
   * sent reaches the engine. Returns false if no live worker has that pid.
   * The returned `dropped` lists what the worker still managed to send (a
   * 'done' there means it had finished merging just before the kill).
   */
  killWorker(pid: number): { killed: boolean; dropped: FromWorker[] } {
    const t = this.workers.find((w) => w.worker.pid === pid && !w.exited && !w.muted);
    if (t === undefined) return { killed: false, dropped: [] };
    t.muted = true;
    process.kill(pid, 'SIGKILL');
    return { killed: true, dropped: t.dropped };
  }
}

/**
 * A launcher whose worker never starts: compactions wait for it until the
 * collection closes (and then count as cancelled). For tests that must look
 * at the directory with no compaction able to add files to it.
 */
export const inertLauncher: CompactionLauncher = () => {
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let exited = false;
  return {
    pid: undefined,
    send: () => {},
    onMessage: () => {},
    onExit: (l) => {
      exitListeners.push(l);
    },
    kill: () => {
      if (exited) return;
      exited = true;
      setImmediate(() => {
        for (const l of exitListeners) l(null, 'SIGKILL');
      });
    },
  };
};
