import { StorageManager } from '@strata/engine';

/** Seeds a collection through the engine's public API before web mode opens the folder. */
export async function seedCollection(
  dataDir: string,
  name: string,
  count: number,
  keyOf: (i: number) => string,
  valueOf: (i: number) => string,
): Promise<void> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  try {
    await manager.createCollection(name);
    const c = await manager.getCollection(name);
    for (let i = 0; i < count; i += 5000) {
      const ops = [];
      for (let j = i; j < Math.min(count, i + 5000); j++) ops.push({ type: 'put' as const, key: keyOf(j), value: valueOf(j) });
      await c.batch(ops);
    }
    await c.flush();
  } finally {
    await manager.closeAll();
  }
}

/** Reads keys back through the engine after web mode has stopped: proof that what the UI showed was saved. */
export async function readBack(dataDir: string, name: string, keys: string[]): Promise<(string | undefined)[]> {
  const manager = new StorageManager({ baseDataPath: dataDir });
  try {
    const c = await manager.getCollection(name);
    return await Promise.all(keys.map((k) => c.get(k)));
  } finally {
    await manager.closeAll();
  }
}
