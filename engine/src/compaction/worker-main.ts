/**
 * Entry point of the compaction worker process. It runs in a Node child
 * process (child_process.fork) or an Electron utility process
 * (utilityProcess.fork); the only difference is the message port, so both
 * are handled here without importing electron. Jobs arrive one at a time.
 */
import { StorageError } from '../errors.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { runCompaction } from './merge.js';
import type { FromWorker, ToWorker } from './protocol.js';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
// A parent that went away closes the channel; sending then is pointless, not an error worth a crash.
const send: (m: FromWorker) => void = parentPort
  ? (m) => parentPort.postMessage(m)
  : (m) => {
      if (process.connected) process.send?.(m, undefined, undefined, () => {});
    };
const fs = new NodeFileSystem();

// If the parent dies, this process is re-parented. Stop at once rather than
// create files in a directory a new owner may already be using.
const parentPid = process.ppid;
function checkAlive(): void {
  if (process.ppid !== parentPid) process.exit(0);
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'shutdown') process.exit(0);
  if (message.type !== 'compact') return;
  const { job } = message;
  try {
    const result = await runCompaction(fs, job, (p) => send({ type: 'progress', id: job.id, ...p }), checkAlive);
    send({ type: 'done', result });
  } catch (err) {
    const code = err instanceof StorageError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'IO_ERROR');
    send({ type: 'failed', id: job.id, code, message: (err as Error).message ?? String(err) });
  }
}

if (parentPort) parentPort.on('message', (e) => void handle(e.data as ToWorker));
else {
  process.on('message', (m) => void handle(m as ToWorker));
  // The parent is gone (crashed or killed): nothing left to report to.
  process.on('disconnect', () => process.exit(0));
}
send({ type: 'ready' });
