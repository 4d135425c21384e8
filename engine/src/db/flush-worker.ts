/**
 * Entry point of the flush thread (see flush-thread.ts). It writes tables
 * through node:fs directly, which is why collections on another FileSystem
 * flush on the main thread instead.
 */
import { parentPort } from 'node:worker_threads';
import { StorageError } from '../errors.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { writeLevel0TableFromWal } from './flush.js';
import type { FlushReply, FlushRequest } from './flush-thread.js';

const fs = new NodeFileSystem();
const port = parentPort!;

async function handle(request: FlushRequest): Promise<void> {
  let reply: FlushReply;
  try {
    const meta = await writeLevel0TableFromWal(fs, request.dir, request.walPath, request.id, request.options, request.expected);
    reply = { job: request.job, meta };
  } catch (err) {
    const code = err instanceof StorageError ? err.code : 'IO_ERROR';
    reply = { job: request.job, code, message: (err as Error).message ?? String(err) };
  }
  port.postMessage(reply);
}

port.on('message', (request: FlushRequest) => void handle(request));
