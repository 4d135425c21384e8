import { StorageManager, type CollectionOptions } from '@strata/engine';
import WebSocket from 'ws';
import type { ArgsOf, Operation, ResultOf } from '../src/shared/ipc/contract';
import type { RunningWebMode } from './web-server';

/** Small memtables and levels, so a few hundred thousand writes build a deep tree with real compactions. */
export const SMALL_TREE: Partial<CollectionOptions> = {
  memtableBytes: 256 * 1024,
  level1TargetBytes: 1024 * 1024,
  levelSizeMultiplier: 4,
  targetFileBytes: 256 * 1024,
  level0CompactionTrigger: 4,
};

export async function createCollection(dataDir: string, name: string, options: Partial<CollectionOptions>): Promise<void> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  try {
    await manager.createCollection(name, options);
  } finally {
    await manager.closeAll();
  }
}

/** A second client of the running server, speaking the same WebSocket protocol as the page (the token in a header, as programs send it). */
export async function wsClient(web: RunningWebMode) {
  const ws = new WebSocket(`${web.origin.replace('http', 'ws')}/ws`, { headers: { Origin: web.origin, 'X-Strata-Token': web.token } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, (reply: { ok: boolean; result?: unknown; error?: { message: string } }) => void>();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data));
    if ('push' in reply) return;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  return {
    call<K extends Operation>(op: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, (r) => (r.ok ? resolve(r.result as ResultOf<K>) : reject(new Error(r.error?.message))));
        ws.send(JSON.stringify({ id, op, args }));
      });
    },
    close: () => ws.close(),
  };
}
